// npm run bench:upsert — upserts per second through the gateway against the same
// writes as raw SQL, each server in a process of its own (the gateway as `npm
// start` runs it), on PGlite and on PostgreSQL. See USAGE.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readCommandLineOrExit } from "../src/command-line.ts";
import { type DatabaseLocation, describeDatabase } from "../src/config.ts";
import { adminQuery, databaseUrl } from "../src/db/server-admin.ts";
import { compareLoad } from "./compare-load.ts";
import { withContenders } from "./contenders.ts";
import { buildGateway } from "./processes.ts";
import { type BenchUser, rawUpsertMany, rawUpsertOne, type Statement } from "./raw-baseline.ts";

const USAGE = `Usage: npm run bench:upsert

  Upserts per second through the gateway against raw SQL, on a PGlite in a temporary
  directory and on a throwaway database that it creates and drops on the PostgreSQL server
  BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres). The gateway runs as
  \`npm start\` runs it (dist/, built first), the raw baseline (bench/raw-server.ts) in a process
  of its own; single upserts are sent by wrk (apt-get install wrk), bulk calls one at a time by
  this process; they take turns. BENCH_SECONDS: time per single-upsert scenario (default 8);
  BENCH_ONLY=postgres or pglite: one database; BENCH_BATCHES: bulk calls per
  scenario (default 20; 0: single upserts only); BENCH_PROFILE: a directory for the gateway's CPU profile; BENCH_GATEWAY_ENV: extra gateway settings
  (NAME=value,…); BENCH_SKIP_BUILD=1 uses dist/ as it is. Takes no arguments.`;
readCommandLineOrExit(USAGE, (args) => parseArgs({ args, options: {}, strict: true }));

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const SLICES = 4;
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
/** Single upserts cycle through this many users, all created before timing: identify calls of known users. */
const POOL = 500;
const BATCH = 1000;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 20);

const SINGLE = /* GraphQL */ `
  mutation ($id: ID!, $input: UpsertUserInput!) {
    upsertUser(id: $id, input: $input) { __typename ... on UpsertUserSuccess { user { version } } }
  }`;
const BULK = /* GraphQL */ `
  mutation ($users: [BulkUpsertUserInput!]!) { upsertUsers(users: $users) { failedCount } }`;

const benchUser = (prefix: string, i: number, round = 0): BenchUser => ({
  id: `${prefix}-${i}`,
  email: `user${i}@example.com`,
  name: `User ${i}`,
  properties: { plan: "pro", round, [`seen${round % 4}`]: true },
  tags: ["bench", `cohort-${i % 10}`],
});
const gatewayInput = ({ id, tags, ...input }: BenchUser) => ({ id, input: { ...input, addTags: tags } });
const gatewayEnv = Object.fromEntries(
  (process.env.BENCH_GATEWAY_ENV ?? "")
    .split(",")
    .filter((pair) => pair.includes("="))
    .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
);

/** Rates of each contender, and for single upserts each server's CPU time per request (µs). */
type Row = { scenario: string; gateway: number; raw: number; cpu?: { gateway: number; raw: number } };

async function benchDatabase(location: DatabaseLocation, gatewayDb: Record<string, string>, rawDb: Record<string, string>) {
  const setup = { prefix: "bench", gatewayDb, rawDb, gatewayEnv, cpuProfileDir: process.env.BENCH_PROFILE };
  return withContenders(location, setup, async ({ gateway, raw, key, rawProjectId }) => {
    const headers = { "content-type": "application/json", authorization: `Bearer ${key}` };
    const post = async (query: string, variables: object) => {
      const response = await fetch(`${gateway.url}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown };
      if (!body.data || body.errors) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
      return body.data;
    };
    const postRaw = async (statement: Statement) => {
      const response = await fetch(raw.url, { method: "POST", body: JSON.stringify({ statements: [statement] }) });
      if (!response.ok) throw new Error(`baseline failed: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    };

    // Create the pools (and warm up both paths) before any timing.
    for (let i = 0; i < POOL; i++) {
      const data = await post(SINGLE, gatewayInput(benchUser("single", i)));
      if (data.upsertUser.__typename !== "UpsertUserSuccess") throw new Error(JSON.stringify(data));
      await postRaw(rawUpsertOne(rawProjectId, benchUser("single", i)));
    }
    const rows: Row[] = [];
    const inputs = Array.from({ length: POOL * 4 }, (_, i) => benchUser("single", i % POOL, i + 1));
    for (const clients of [1, 32]) {
      const result = await compareLoad(SLICES, SECONDS / SLICES, clients, {
        gateway: {
          url: `${gateway.url}/graphql`,
          bodies: inputs.map((user) => JSON.stringify({ query: SINGLE, variables: gatewayInput(user) })),
          headers: { authorization: headers.authorization },
          cpuSeconds: gateway.cpuSeconds,
        },
        raw: {
          url: raw.url,
          bodies: inputs.map((user) => JSON.stringify({ statements: [rawUpsertOne(rawProjectId, user)] })),
          cpuSeconds: raw.cpuSeconds,
        },
      });
      if (result.gateway.errors + result.raw.errors > 0) throw new Error(`errors: ${JSON.stringify(result)}`);
      const scenario = clients === 1 ? "upsertUser, sequential (ops/s)" : `upsertUser, ${clients} concurrent clients (ops/s)`;
      rows.push({
        scenario,
        gateway: result.gateway.perSecond,
        raw: result.raw.perSecond,
        cpu: { gateway: result.gateway.cpuPerRequest, raw: result.raw.cpuPerRequest },
      });
    }
    const batch = (i: number, round: number) => Array.from({ length: BATCH }, (_, j) => benchUser("bulk", i * BATCH + j, round));
    const bulkScenarios = [
      ["upsertUsers, 1000 new users a call (users/s)", 0],
      ["upsertUsers, 1000 known users a call (users/s)", 1],
    ] as const;
    for (const [scenario, round] of BATCHES > 0 ? bulkScenarios : []) {
      const ms = { gateway: 0, raw: 0 };
      for (let i = 0; i < BATCHES; i++) {
        const users = batch(i, round);
        const body = JSON.stringify({ query: BULK, variables: { users: users.map(gatewayInput) } });
        const rawBody = JSON.stringify({ statements: [rawUpsertMany(rawProjectId, users)] });
        for (const name of i % 2 === 0 ? (["gateway", "raw"] as const) : (["raw", "gateway"] as const)) {
          const started = performance.now();
          const response =
            name === "gateway"
              ? await fetch(`${gateway.url}/graphql`, { method: "POST", headers, body })
              : await fetch(raw.url, { method: "POST", body: rawBody });
          const text = await response.text();
          if (!response.ok || (name === "gateway" && !text.includes('"failedCount":0'))) throw new Error(text.slice(0, 500));
          ms[name] += performance.now() - started;
        }
      }
      const perSecond = (total: number) => ((BATCHES * BATCH) / total) * 1000;
      rows.push({ scenario, gateway: perSecond(ms.gateway), raw: perSecond(ms.raw) });
    }
    return rows;
  });
}

function table(name: string, rows: Row[]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    `### ${name}`,
    "",
    `${new Date().toISOString()}; load average ${loadavg()
      .map((one) => one.toFixed(1))
      .join(" / ")} at the end.`,
    "",
    line(["scenario", "gateway", "raw SQL", "gateway / raw", "CPU µs/op (raw)"]),
    line(["---", "---:", "---:", "---:", "---:"]),
    ...rows.map(({ scenario, gateway, raw, cpu }) =>
      line([
        scenario,
        Math.round(gateway).toLocaleString("en"),
        Math.round(raw).toLocaleString("en"),
        `${Math.round((gateway / raw) * 100)} %`,
        cpu ? `${Math.round(cpu.gateway).toLocaleString("en")} (${Math.round(cpu.raw).toLocaleString("en")})` : "",
      ]),
    ),
    "",
  ].join("\n");
}

buildGateway();
const only = process.env.BENCH_ONLY;
if (!only || only === "pglite") {
  const dir = mkdtempSync(join(tmpdir(), "bench-upsert-"));
  const rawCopy = mkdtempSync(join(tmpdir(), "bench-upsert-raw-"));
  try {
    const location: DatabaseLocation = { kind: "pglite", dataDir: join(dir, "data") };
    console.error(`Writing to ${describeDatabase(location)}.`);
    // The baseline writes to a copy: one process owns a PGlite.
    const rows = await benchDatabase(location, { DATA_DIR: location.dataDir }, { BENCH_RAW_DATA_DIR: rawCopy });
    console.log(table("PGlite (data directory, a copy for the baseline)", rows));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(rawCopy, { recursive: true, force: true });
  }
}
if (!only || only === "postgres") {
  const name = `directory_bench_${process.pid}`;
  await adminQuery(SERVER_URL, `CREATE DATABASE "${name}"`);
  const url = databaseUrl(SERVER_URL, name);
  console.error(`Writing to a throwaway database beside ${describeDatabase({ kind: "postgres", url: SERVER_URL })}.`);
  try {
    console.log(table("PostgreSQL", await benchDatabase({ kind: "postgres", url }, { DATABASE_URL: url }, { DATABASE_URL: url })));
  } finally {
    await adminQuery(SERVER_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}
