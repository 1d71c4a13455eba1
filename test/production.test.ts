import { execFile } from "node:child_process";
import { access, cp, mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { freshDatabase, graphql, launch } from "./support/process.ts";

// The build as production installs it: `npm run build`, then package.json, the lockfile and dist/ alone with
// `npm ci --omit=dev`, started with `npm start`. Installing takes a while: one install serves every test.

const run = promisify(execFile);
let app: string;

beforeAll(async () => {
  app = await mkdtemp(join(tmpdir(), "directory-production-"));
  await run(process.execPath, ["--import", "tsx", "scripts/build.ts", join(app, "dist")]);
  for (const file of ["package.json", "package-lock.json"]) await cp(file, join(app, file));
  await run("npm", ["ci", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: app });
}, 600_000);

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  if (app) await rm(app, { recursive: true, force: true });
});

async function npmStart(env: Record<string, string> = {}) {
  const database = await freshDatabase();
  cleanups.push(database.drop);
  const started = await launch("npm", ["start"], { ...database.env, ...env }, app);
  return { ...started, key: database.key };
}

const UPSERT = 'mutation { upsertUser(id: "in-flight", input: { name: "In Flight" }) { __typename } }';

/** Opens a GraphQL request and sends its body only up to the half, so that it stays in flight. */
function halfSentRequest(url: string, key: string, query: string) {
  const body = JSON.stringify({ query });
  const half = Math.floor(body.length / 2);
  const pending = request(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "content-length": Buffer.byteLength(body) },
  });
  const response = new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
    pending.on("response", (incoming) => {
      let text = "";
      incoming.on("data", (chunk) => (text += chunk));
      incoming.on("end", () => resolve({ status: incoming.statusCode, body: text }));
    });
    pending.on("error", reject);
  });
  pending.write(body.slice(0, half));
  return { response, finish: () => pending.end(body.slice(half)) };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("without development tooling, npm start runs the build and answers; SIGTERM to npm stops the server", async () => {
  await expect(access(join(app, "node_modules/tsx"))).rejects.toThrow();
  await expect(access(join(app, "node_modules/vitest"))).rejects.toThrow();
  const started = await npmStart();
  expect(started.output()).toContain("dist/src/main.js");
  const { body } = await graphql(started.url, started.key, "{ users(first: 1) { nodes { id } } }");
  expect(body).toEqual({ data: { users: { nodes: [] } } });

  started.process.kill("SIGTERM");
  expect(await started.exited).toBe(0);
  expect(started.output()).toContain('"msg":"stopped"');
  await expect(fetch(started.url)).rejects.toThrow();
}, 120_000);

test("a request in flight when npm gets SIGTERM is answered; new connections are refused meanwhile", async () => {
  const started = await npmStart();
  const inFlight = halfSentRequest(started.url, started.key, UPSERT);
  await pause(300);

  started.process.kill("SIGTERM");
  while (!started.output().includes("stopping")) await pause(50);
  await pause(300);
  await expect(fetch(started.url)).rejects.toThrow();
  inFlight.finish();
  const answered = await inFlight.response;
  expect(answered.status).toBe(200);
  expect(JSON.parse(answered.body)).toEqual({ data: { upsertUser: { __typename: "UpsertUserSuccess" } } });
  expect(await started.exited).toBe(0);
  expect(started.output()).not.toContain("shutdown timeout reached");
}, 120_000);

test("a request that never finishes holds the stop no longer than SHUTDOWN_TIMEOUT_SECONDS", async () => {
  const started = await npmStart({ SHUTDOWN_TIMEOUT_SECONDS: "1" });
  const hanging = halfSentRequest(started.url, started.key, UPSERT);
  const outcome = hanging.response.then(
    () => "answered",
    () => "cut",
  );
  await pause(300);

  const signalled = Date.now();
  started.process.kill("SIGTERM");
  expect(await started.exited).toBe(0);
  const stoppedAfter = Date.now() - signalled;
  expect(stoppedAfter).toBeGreaterThanOrEqual(900);
  // the timeout, then closing the database and exiting: generous for a loaded machine
  expect(stoppedAfter).toBeLessThan(8_000);
  expect(await outcome).toBe("cut");
  expect(started.output()).toContain("shutdown timeout reached");
}, 120_000);
