import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { postgreSplitterOptions, splitQuery } from "dbgate-query-splitter";
import type { PrismaClient } from "./generated/prisma/client.ts";

export const migrationsDir = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

/** Prisma's own lock id, so `prisma migrate deploy` and this runner exclude each other. */
const MIGRATION_LOCK_ID = 72707369;

export type Migration = { name: string; sql: string; checksum: string };

export class MigrationError extends Error {}

export async function readMigrations(dir = migrationsDir): Promise<Migration[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

/**
 * Applies pending migrations in order, each in its own transaction, and records
 * them in `_prisma_migrations` exactly as Prisma does. A failing statement rolls
 * its migration back whole and is named in the error. Concurrent starters
 * serialise on an advisory lock, so the second one finds nothing left to do.
 */
export async function applyMigrations(prisma: PrismaClient, migrations: Migration[]): Promise<string[]> {
  const applied: string[] = [];
  for (const migration of migrations) {
    const wasApplied = await prisma.$transaction(
      async (tx) => {
        // A migration may build an index over a large table: the serving sessions' statement timeout is not for it.
        await tx.$executeRawUnsafe("SET LOCAL statement_timeout = 0");
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`);
        await tx.$executeRawUnsafe(CREATE_MIGRATIONS_TABLE);
        const [record] = await tx.$queryRawUnsafe<{ checksum: string }[]>(
          `SELECT checksum FROM "_prisma_migrations"
            WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
          migration.name,
        );
        if (record) {
          if (record.checksum !== migration.checksum) {
            throw new MigrationError(`Migration ${migration.name} was changed after it was applied.`);
          }
          return false;
        }
        const statements = splitQuery(migration.sql, postgreSplitterOptions) as string[];
        for (const [index, statement] of statements.entries()) {
          try {
            await tx.$executeRawUnsafe(statement);
          } catch (error) {
            throw new MigrationError(
              `Migration ${migration.name} failed at statement ${index + 1} of ${statements.length}; nothing of it was applied.\n` +
                `${statement}\n${error instanceof Error ? error.message : String(error)}`,
            );
          }
        }
        await tx.$executeRawUnsafe(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES (gen_random_uuid()::text, $1, $2, now(), now(), 1)`,
          migration.checksum,
          migration.name,
        );
        return true;
      },
      { maxWait: 60_000, timeout: 10 * 60_000 },
    );
    if (wasApplied) applied.push(migration.name);
  }
  return applied;
}

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;
