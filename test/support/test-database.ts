import { readFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { inject } from "vitest";
import { type Database, type DatabaseOptions, openDatabase, pgliteExtensions, wrapPGlite } from "../../src/db/client.ts";

/** Where the migrated template lives: a PGlite dump, or a PostgreSQL template database. */
export type TestDatabaseTemplate =
  | { kind: "pglite"; templateFile: string }
  | { kind: "postgres"; url: string; template: string };

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: TestDatabaseTemplate;
  }
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of its own for one test file. */
export async function openTestDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const template = inject("testDatabase");
  if (template.kind === "pglite") {
    const dump = new Blob([await readFile(template.templateFile)]);
    return wrapPGlite(await PGlite.create({ loadDataDir: dump, extensions: pgliteExtensions }), options);
  }
  const name = `directory_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(template.url, `CREATE DATABASE "${name}" TEMPLATE "${template.template}"`);
  const db = await openDatabase({ kind: "postgres", url: databaseUrl(template.url, name) }, options);
  return {
    ...db,
    close: async () => {
      await db.close();
      await adminQuery(template.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
