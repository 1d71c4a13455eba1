import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, inject, test } from "vitest";
import { generateKey } from "../src/auth/keys.ts";
import { adminQuery, databaseUrl } from "../src/db/server-admin.ts";

// `npm start` as a user runs it: a real process, real HTTP, real signals.

type Started = {
  process: ChildProcess;
  url: string;
  output: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
};

async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let stdout = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const listening = /"url":"([^"]+)"/.exec(output);
      if (listening) {
        clearInterval(timer);
        // the key banner is printed right after the listening line
        setTimeout(() => resolve(listening[1]!), 200);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
  return { process: child, url, output: () => output, stdout: () => stdout, exited };
}

async function stop(started: Started) {
  started.process.kill("SIGTERM");
  return started.exited;
}

async function graphql(url: string, key: string, query: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

const UPSERT = 'mutation { upsertUser(id: "kept", input: { name: "Kept" }) { __typename } }';
const READ = '{ user(id: "kept") { name } }';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

test("the embedded default prints a key once, serves it, stops on SIGTERM and keeps its data", async (context) => {
  if (inject("testDatabase").kind !== "pglite") return context.skip("the embedded default is PGlite");
  const dataDir = await mkdtemp(join(tmpdir(), "directory-start-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

  const first = await start({ DATA_DIR: dataDir, DATABASE_URL: "" });
  const key = /Bearer (sk_[0-9A-Za-z]+)/.exec(first.output())?.[1];
  expect(key).toBeDefined();
  expect(first.output()).toContain(first.url);
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
  expect((await graphql(second.url, key!, READ)).body).toEqual({ data: { user: { name: "Kept" } } });
  expect(await stop(second)).toBe(0);
});

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
  expect((await graphql(started.url, key, UPSERT)).body.data.upsertUser.__typename).toBe("UpsertUserSuccess");
  expect((await graphql(started.url, generateKey("SECRET"), READ)).status).toBe(401);
  expect(await stop(started)).toBe(0);
});

test("a bad configuration value stops the start with a clear message", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { ...process.env, PORT: "not-a-port", DATABASE_URL: "mysql://nope" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.on("exit", resolve));
  expect(code).toBe(1);
  expect(output).toContain("PORT");
  expect(output).toContain("DATABASE_URL: must be memory:// or a postgres:// / postgresql:// URL");
});
