// npm run directory -- <command>: manages projects and API keys in the configured database.
// On the embedded default, stop the server first: a PGlite data directory has one process at a time.
import { runCli, USAGE, UsageError } from "../src/auth/cli.ts";
import { loadConfigOrExit } from "../src/config.ts";
import { openMigratedDatabase } from "../src/db/migrate.ts";

const argv = process.argv.slice(2);
if (argv.length === 0 || argv.includes("--help")) {
  console.log(USAGE);
  process.exit(argv.length === 0 ? 2 : 0);
}

const config = loadConfigOrExit();

const { db } = await openMigratedDatabase(config.database);
try {
  await runCli(argv, db.prisma, (line) => console.log(line));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exitCode = 2;
} finally {
  await db.close();
}
