import { readFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { inject } from "vitest";
import { type Database, type DatabaseOptions, openDatabase, pgliteExtensions, wrapPGlite } from "../../src/db/client.ts";
import { adminQuery, databaseUrl } from "../../src/db/server-admin.ts";

/** Where the migrated template lives: a PGlite dump, or a PostgreSQL template database. */
export type TestDatabaseTemplate = { kind: "pglite"; templateFile: string } | { kind: "postgres"; url: string; template: string };

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: TestDatabaseTemplate;
  }
}

/** A fresh, migrated database of its own for one test file. */
export async function openTestDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const template = inject("testDatabase");
  if (template.kind === "pglite") {
    const dump = new Blob([await readFile(template.templateFile)]);
    return wrapPGlite(await PGlite.create({ loadDataDir: dump, extensions: pgliteExtensions }), options);
  }
  return openThrowawayPostgres(template.url, template.template, options);
}

/** A fresh database with no tables at all, of the kind the suite runs on. */
export async function openEmptyDatabase(): Promise<Database & { url?: string }> {
  const template = inject("testDatabase");
  if (template.kind === "pglite") return wrapPGlite(await PGlite.create({ extensions: pgliteExtensions }));
  return openThrowawayPostgres(template.url, "template0");
}

/** Creates a database (copied from `template`) and drops it on close. */
async function openThrowawayPostgres(serverUrl: string, template: string, options: DatabaseOptions = {}) {
  const name = `directory_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  const url = databaseUrl(serverUrl, name);
  const db = await openDatabase({ kind: "postgres", url }, options);
  return {
    ...db,
    url,
    close: async () => {
      await db.close();
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
