// npm run db:migration -- NAME: writes prisma/migrations/<timestamp>_NAME/migration.sql
// from the difference between prisma/schema.prisma and the migration history.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { migrationsDir, readMigrations } from "../src/db/migrations.ts";
import { diffHistoryToSchema, MIGRATION_LOCKFILE } from "../src/db/schema-engine.ts";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("Usage: npm run db:migration -- NAME   (lower-case letters, digits and _)");
  process.exit(2);
}

const schemaPath = "prisma/schema.prisma";
const history = await readMigrations();
const script = await diffHistoryToSchema(history, { path: schemaPath, content: await readFile(schemaPath, "utf8") });
if (script === "") {
  console.log("The schema matches the migration history: no migration written.");
  process.exit(0);
}

const timestamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = join(migrationsDir, `${timestamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(join(dir, "migration.sql"), script);
const lockfile = join(migrationsDir, "migration_lock.toml");
if (!existsSync(lockfile)) await writeFile(lockfile, MIGRATION_LOCKFILE);
console.log(`Wrote ${join(dir, "migration.sql")}`);
