// npm run seed -- [--users] N [--orgs M] [--project NAME]: fills the configured
// database (DATABASE_URL, else the PGlite in DATA_DIR) with a realistic
// directory for benchmarks and demos, through set-based INSERTs.
import { parseArgs } from "node:util";
import { findOrCreateProject } from "../src/auth/api-keys.ts";
import { loadConfigOrExit } from "../src/config.ts";
import { openMigratedDatabase } from "../src/db/migrate.ts";
import { seedDirectory } from "../src/seed/seed-directory.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    users: { type: "string" },
    orgs: { type: "string", default: "100" },
    project: { type: "string", default: "default" },
  },
});
const users = Number(values.users ?? positionals[0] ?? 10_000);
const organizations = Number(values.orgs);
const oneCount = positionals.length === 0 || (positionals.length === 1 && values.users === undefined);
if (!oneCount || !Number.isSafeInteger(users) || users < 0 || !Number.isSafeInteger(organizations) || organizations < 1) {
  console.error("Usage: npm run seed -- [--users] N [--orgs M] [--project NAME]   (N ≥ 0, M ≥ 1)");
  process.exit(2);
}

const config = loadConfigOrExit();
const { db } = await openMigratedDatabase(config.database);
try {
  const project = await findOrCreateProject(db.prisma, values.project);
  const started = performance.now();
  await seedDirectory(db.prisma, project.id, { users, organizations }, (done) =>
    process.stdout.write(`\r${done.toLocaleString("en")} / ${users.toLocaleString("en")} users`),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `\nSeeded ${users.toLocaleString("en")} users and ${organizations.toLocaleString("en")} organizations into project ` +
      `${values.project} (${db.kind}) in ${seconds.toFixed(1)} s (${Math.round(users / seconds).toLocaleString("en")} users/s).`,
  );
} finally {
  await db.close();
}
