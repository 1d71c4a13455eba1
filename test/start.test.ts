import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, inject, test } from "vitest";
import { generateKey } from "../src/auth/keys.ts";
import { adminQuery, databaseUrl } from "../src/db/server-admin.ts";
import { graphql, type Started, startFromSources as start } from "./support/process.ts";

async function stop(started: Started) {
  started.process.kill("SIGTERM");
  return started.exited;
}

const UPSERT = 'mutation { upsertUser(id: "kept", input: { name: "Kept" }) { __typename } }';
const READ = '{ user(id: "kept") { name } }';
const CREATE_KEY = "npm run directory -- keys create --project default --kind secret";

/** The structured line that says how to create a key, if the output has one. */
function accessHintLine(output: string): { createKey?: string } | undefined {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { createKey?: string })
    .find((line) => line.createKey);
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

test("the embedded default prints a key once, then how to create one; serves it, stops on SIGTERM and keeps its data", async (context) => {
  if (inject("testDatabase").kind !== "pglite") return context.skip("the embedded default is PGlite");
  const dataDir = await mkdtemp(join(tmpdir(), "directory-start-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

  const first = await start({ DATA_DIR: dataDir, DATABASE_URL: "" });
  const key = /Bearer (sk_[0-9A-Za-z]+)/.exec(first.output())?.[1];
  expect(key).toBeDefined();
  expect(first.output()).toContain(first.url);
  expect(first.output()).not.toContain(CREATE_KEY);
  expect((await graphql(first.url, key!, UPSERT)).body.data.upsertUser.__typename).toBe("UpsertUserSuccess");
  expect(await stop(first)).toBe(0);
  // stdout is JSON lines alone; the key is printed for the person at the terminal only, on stderr.
  const logged = first
    .stdout()
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(logged).toContainEqual(
    expect.objectContaining({ msg: "development secret key created, printed once on stderr", keyPrefix: key!.slice(0, 11) }),
  );
  expect(logged).toContainEqual(expect.objectContaining({ msg: "request", operationType: "mutation", status: 200 }));
  expect(first.stdout()).not.toContain(key);

  const second = await start({ DATA_DIR: dataDir, DATABASE_URL: "" });
  expect(second.output()).not.toContain("sk_");
  expect(second.output()).toContain(`    ${CREATE_KEY}\n`);
  expect(second.output()).toContain("Stop the server first");
  expect(accessHintLine(second.output())?.createKey).toBe(CREATE_KEY);
  expect((await graphql(second.url, key!, READ)).body).toEqual({ data: { user: { name: "Kept" } } });
  expect(await stop(second)).toBe(0);
}, 180_000);

test("on PostgreSQL it migrates, accepts DIRECTORY_SECRET_KEY and stops on SIGTERM", async (context) => {
  const template = inject("testDatabase");
  if (template.kind !== "postgres") return context.skip("needs TEST_DATABASE_URL");
  const name = `directory_start_${process.pid}`;
  await adminQuery(template.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(template.url, `CREATE DATABASE "${name}"`);
  cleanups.push(() => adminQuery(template.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));

  const key = generateKey("SECRET");
  const started = await start({ DATABASE_URL: databaseUrl(template.url, name), DIRECTORY_SECRET_KEY: key });
  expect(started.output()).toContain("migrations applied");
  expect(started.output()).not.toContain(CREATE_KEY);
  expect((await graphql(started.url, key, UPSERT)).body.data.upsertUser.__typename).toBe("UpsertUserSuccess");
  expect((await graphql(started.url, generateKey("SECRET"), READ)).status).toBe(401);
  expect(await stop(started)).toBe(0);

  // Without DIRECTORY_SECRET_KEY no key is made on PostgreSQL: every start says how to create one.
  const keyless = await start({ DATABASE_URL: databaseUrl(template.url, name) });
  expect(keyless.output()).toContain(`    ${CREATE_KEY}\n`);
  expect(keyless.output()).not.toContain("Stop the server first");
  expect(accessHintLine(keyless.output())?.createKey).toBe(CREATE_KEY);
  expect(await stop(keyless)).toBe(0);
}, 180_000);

test("a bad configuration value stops the start with a clear message", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { ...process.env, PORT: "not-a-port", DATABASE_URL: "mysql://nope", SHUTDOWN_TIMEOUT_SECONDS: "-1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.on("exit", resolve));
  expect(code).toBe(1);
  expect(output).toContain("PORT");
  expect(output).toContain("DATABASE_URL: must be memory:// or a postgres:// / postgresql:// URL");
  expect(output).toContain("SHUTDOWN_TIMEOUT_SECONDS");
});
