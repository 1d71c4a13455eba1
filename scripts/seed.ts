// npm run seed -- --users N [--orgs M] [--project NAME]: fills the configured
// database (DATABASE_URL, else the PGlite in DATA_DIR) with a realistic
// directory for benchmarks and demos, through set-based INSERTs.
import { parseArgs } from "node:util";
import { findOrCreateProject } from "../src/auth/api-keys.ts";
import { readCommandLineOrExit, UsageError } from "../src/command-line.ts";
import { describeDatabase, loadConfigOrExit } from "../src/config.ts";
import { openMigratedDatabaseOrExit } from "../src/db/migrate.ts";
import { seedDirectory } from "../src/seed/seed-directory.ts";

const USAGE = `Usage: npm run seed -- --users N [--orgs M] [--project NAME]

  Adds N users (N ≥ 0) in M organizations (default 100, M ≥ 1) to the project NAME
  (default "default", created if missing) of the configured database: DATABASE_URL,
  else the embedded PGlite in DATA_DIR. The count is required: nothing is written
  without it.`;

const { users, organizations, project } = readCommandLineOrExit(USAGE, (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      users: { type: "string" },
      orgs: { type: "string", default: "100" },
      project: { type: "string", default: "default" },
    },
  });
  // `npm run seed -- N` (the count alone) is also understood.
  if (values.users !== undefined && positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
  if (positionals.length > 1) throw new UsageError(`Unexpected argument: ${positionals[1]}`);
  const users = values.users ?? positionals[0];
  if (users === undefined) throw new UsageError("Say how many users to add: --users N.");
  return {
    users: count(users, "--users", 0),
    organizations: count(values.orgs, "--orgs", 1),
    project: values.project.trim() || "default",
  };
});

function count(text: string, option: string, min: number): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${option} must be a whole number ≥ ${min}, not "${text}".`);
  }
  return value;
}

const config = loadConfigOrExit();
console.log(
  `Seeding ${users.toLocaleString("en")} users and ${organizations.toLocaleString("en")} organizations into project ` +
    `${project} of ${describeDatabase(config.database)}.`,
);
const { db } = await openMigratedDatabaseOrExit(config.database);
try {
  const { id } = await findOrCreateProject(db.prisma, project);
  const started = performance.now();
  await seedDirectory(db.prisma, id, { users, organizations }, (done) =>
    process.stdout.write(`\r${done.toLocaleString("en")} / ${users.toLocaleString("en")} users`),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `\nSeeded ${users.toLocaleString("en")} users and ${organizations.toLocaleString("en")} organizations into project ` +
      `${project} in ${seconds.toFixed(1)} s (${Math.round(users / seconds).toLocaleString("en")} users/s).`,
  );
} finally {
  await db.close();
}
