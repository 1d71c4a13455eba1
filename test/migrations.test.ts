import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, test } from "vitest";
import type { Database } from "../src/db/client.ts";
import { openDatabase } from "../src/db/client.ts";
import { applyMigrations, type Migration, MigrationError, readMigrations } from "../src/db/migrations.ts";
import { diffHistoryToSchema } from "../src/db/schema-engine.ts";
import { openEmptyDatabase } from "./support/test-database.ts";

const opened: Database[] = [];
afterEach(async () => {
  while (opened.length > 0) await opened.pop()!.close();
});
async function emptyDatabase() {
  const db = await openEmptyDatabase();
  opened.push(db);
  return db;
}

const migration = (name: string, sql: string): Migration => ({ name, sql, checksum: name.padEnd(64, "0") });

async function tableExists(db: Database, table: string) {
  const [row] = await db.prisma.$queryRawUnsafe<{ exists: boolean }[]>("SELECT to_regclass($1) IS NOT NULL AS exists", table);
  return row!.exists;
}

describe("migrations", () => {
  test("apply once, record themselves as Prisma does, and apply nothing the second time", async () => {
    const db = await emptyDatabase();
    const migrations = await readMigrations();
    expect(await applyMigrations(db.prisma, migrations)).toEqual(migrations.map((m) => m.name));
    expect(await applyMigrations(db.prisma, migrations)).toEqual([]);
    const recorded = await db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string; applied_steps_count: number }[]>(
      `SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(recorded).toEqual(migrations.map((m) => ({ migration_name: m.name, checksum: m.checksum, applied_steps_count: 1 })));
    expect(await tableExists(db, "users")).toBe(true);
  });

  test("a failing migration leaves nothing of itself behind and names its statement", async () => {
    const db = await emptyDatabase();
    const good = migration("001_good", "CREATE TABLE first_table (id int);");
    const bad = migration(
      "002_bad",
      "CREATE TABLE second_table (id int);\nINSERT INTO second_table VALUES ('not a number');\nCREATE TABLE third_table (id int);",
    );
    const failure = await applyMigrations(db.prisma, [good, bad]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as Error).message).toContain("002_bad failed at statement 2 of 3");
    expect((failure as Error).message).toContain("INSERT INTO second_table");
    expect(await tableExists(db, "first_table")).toBe(true);
    expect(await tableExists(db, "second_table")).toBe(false);
    const names = await db.prisma.$queryRawUnsafe<{ migration_name: string }[]>(`SELECT migration_name FROM "_prisma_migrations"`);
    expect(names.map((row) => row.migration_name)).toEqual(["001_good"]);
  });

  test("a migration changed after it was applied is refused", async () => {
    const db = await emptyDatabase();
    await applyMigrations(db.prisma, [migration("001_a", "CREATE TABLE a (id int);")]);
    const changed = { ...migration("001_a", "CREATE TABLE a (id bigint);"), checksum: "f".repeat(64) };
    await expect(applyMigrations(db.prisma, [changed])).rejects.toThrow("001_a was changed after it was applied");
  });

  test("two processes migrating one PostgreSQL at once both succeed and apply each migration once", async (context) => {
    const db = await emptyDatabase();
    if (!("url" in db) || !db.url) return context.skip("PGlite has one connection: nothing runs concurrently");
    const second = await openDatabase({ kind: "postgres", url: db.url });
    try {
      const migrations = await readMigrations();
      const [a, b] = await Promise.all([applyMigrations(db.prisma, migrations), applyMigrations(second.prisma, migrations)]);
      expect([...a, ...b].sort()).toEqual(migrations.map((m) => m.name));
    } finally {
      await second.close();
    }
  });
});

test("prisma/schema.prisma matches the migration history (else: npm run db:migration -- NAME)", async () => {
  const content = await readFile(new URL("../prisma/schema.prisma", import.meta.url), "utf8");
  expect(await diffHistoryToSchema(await readMigrations(), { path: "schema.prisma", content })).toBe("");
});
