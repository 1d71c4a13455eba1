import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { TestProject } from "vitest/node";
import { pgliteExtensions, wrapPGlite } from "../../src/db/client.ts";
import { openMigratedDatabase } from "../../src/db/migrate.ts";
import { applyMigrations, readMigrations } from "../../src/db/migrations.ts";
import { adminQuery, databaseUrl } from "../../src/db/server-admin.ts";
import { makeLoopbackCertificate, removeLoopbackCertificate } from "./loopback-tls.ts";

/**
 * Migrates one template database for the whole run; each test file then gets
 * a copy (starting and migrating a PGlite costs seconds, copying it far less).
 */
export default async function setup(project: TestProject) {
  // Before any test process starts: they inherit it (see loopback-tls.ts).
  const tls = makeLoopbackCertificate();
  process.env.NODE_EXTRA_CA_CERTS = tls.certFile;
  project.provide("loopbackTls", tls);
  const dropDatabase = await setupDatabase(project);
  return async () => {
    await dropDatabase();
    removeLoopbackCertificate(tls);
  };
}

async function setupDatabase(project: TestProject) {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const template = `directory_template_${process.pid}`;
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await adminQuery(serverUrl, `CREATE DATABASE "${template}"`);
    const { db } = await openMigratedDatabase({ kind: "postgres", url: databaseUrl(serverUrl, template) });
    await db.close();
    project.provide("testDatabase", { kind: "postgres", url: serverUrl, template });
    return () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  }
  const pglite = await PGlite.create({ extensions: pgliteExtensions });
  const db = wrapPGlite(pglite);
  await applyMigrations(db.prisma, await readMigrations());
  const templateFile = join(tmpdir(), `directory-template-${process.pid}.tar`);
  await writeFile(templateFile, Buffer.from(await (await pglite.dumpDataDir("none")).arrayBuffer()));
  await db.close();
  project.provide("testDatabase", { kind: "pglite", templateFile });
  return () => rm(templateFile, { force: true });
}
