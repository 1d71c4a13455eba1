// npm run directory -- <command>: manages projects and API keys in the configured database.
// On the embedded default it refuses while a server has the data directory open (see src/db/data-dir-lock.ts).
import { runCli, USAGE } from "../src/auth/cli.ts";
import { UsageError } from "../src/command-line.ts";
import { loadConfigOrExit } from "../src/config.ts";
import { openMigratedDatabaseOrExit } from "../src/db/migrate.ts";

const argv = process.argv.slice(2);
if (argv.length === 0 || argv.includes("--help")) {
  console.log(USAGE);
  process.exit(argv.length === 0 ? 2 : 0);
}

const config = loadConfigOrExit();

const { db } = await openMigratedDatabaseOrExit(config.database, {
  advice: "Keys are managed with the server stopped: stop it, run this command, then start it again.",
});
try {
  await runCli(argv, db.prisma, (line) => console.log(line));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exitCode = 2;
} finally {
  await db.close();
}
