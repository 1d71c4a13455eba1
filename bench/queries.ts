// npm run bench:queries — read throughput and latency of the gateway against a
// raw-SQL baseline, each in a process of its own, the load from a third (wrk),
// on the configured database (DATABASE_URL, else the PGlite in DATA_DIR) after
// `npm run seed`. See USAGE.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createApiKey, revokeApiKey } from "../src/auth/api-keys.ts";
import { readCommandLineOrExit } from "../src/command-line.ts";
import { describeDatabase, loadConfigOrExit } from "../src/config.ts";
import { compareLoad, type LoadStats } from "./compare-load.ts";
import { buildGateway, type ServerProcess, startGateway, startRawBaseline } from "./processes.ts";
import { queryScenarios } from "./query-scenarios.ts";
import type { RawRequest } from "./raw-server.ts";
import { configuredTarget } from "./targets.ts";
import { runWrk } from "./wrk.ts";

const USAGE = `Usage: npm run bench:queries

  Read throughput and latency of the gateway against raw SQL on the configured database
  (DATABASE_URL, else the PGlite in DATA_DIR) after \`npm run seed -- --users N\`. The gateway
  runs as \`npm start\` runs it (dist/, built first), the raw baseline (bench/raw-server.ts) in
  a process of its own, the load comes from wrk (apt-get install wrk); they take turns.
  It adds one API key for the run and revokes it at the end.
  BENCH_SECONDS: time per scenario and mode (default 8); BENCH_PROJECT: the seeded project
  (default "default"); BENCH_ONLY: only the scenarios whose name contains this text (or one of several, split by |);
  BENCH_CLIENTS: the concurrent clients (default "1,32"); BENCH_PROFILE: a directory where the
  gateway writes a CPU profile (node --cpu-prof); BENCH_GATEWAY_ENV: extra gateway settings,
  as NAME=value,NAME=value (say WORKERS=2); BENCH_SKIP_BUILD=1 uses dist/ as it is;
  BENCH_GATEWAY_DIR: run the gateway from the build in that directory's dist/ instead;
  BENCH_WARM_UP_SECONDS: unmeasured load on both before each scenario (default 3).
  Takes no arguments.`;
readCommandLineOrExit(USAGE, (args) => parseArgs({ args, options: {}, strict: true }));

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const SLICES = 4;
const CLIENTS = (process.env.BENCH_CLIENTS ?? "1,32").split(",").map(Number);
const INPUTS = 500;
const WARM_UP = 50;
const WARM_UP_SECONDS = Number(process.env.BENCH_WARM_UP_SECONDS ?? 3);

const location = loadConfigOrExit().database;
console.error(`Reading from ${describeDatabase(location)}.`);
buildGateway();

// The key for the run, made before the gateway starts (the PGlite has one owner at a time).
const setup = await configuredTarget(location);
const project = await setup.db.prisma.project.findUnique({ where: { name: process.env.BENCH_PROJECT ?? "default" } });
const userCount = project ? await setup.db.prisma.user.count({ where: { projectId: project.id } }) : 0;
if (!project || userCount === 0) {
  console.error("No users to query: run `npm run seed -- --users N --orgs M` against the same database first.");
  process.exit(1);
}
const apiKey = await createApiKey(setup.db.prisma, { projectId: project.id, kind: "SECRET", name: "bench:queries" });
const targetName = setup.name;
await setup.close();

const databaseEnv: Record<string, string> = location.kind === "postgres" ? { DATABASE_URL: location.url } : { DATA_DIR: location.dataDir };
// PGlite: the baseline reads a copy of the data directory, as one process owns a PGlite.
const rawCopy = location.kind === "pglite" ? mkdtempSync(join(tmpdir(), "bench-raw-")) : undefined;
if (rawCopy && location.kind === "pglite") cpSync(location.dataDir, rawCopy, { recursive: true });
const rawEnv: Record<string, string> = location.kind === "postgres" ? { DATABASE_URL: location.url } : { BENCH_RAW_DATA_DIR: rawCopy! };
const gatewayEnv = Object.fromEntries(
  (process.env.BENCH_GATEWAY_ENV ?? "")
    .split(",")
    .filter((pair) => pair.includes("="))
    .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
);

const servers: ServerProcess[] = [];
type Row = { scenario: string; byClients: { clients: number; gateway: LoadStats; raw: LoadStats }[] };
const rows: Row[] = [];
let gatewayRequests = 0;
let gatewayWarmUpRequests = 0;
try {
  // The gateway as `npm start` serves it, without a rate limit in the way; its request log at info, as by default.
  const gateway = await startGateway({ ...databaseEnv, RATE_LIMIT_PER_MINUTE: String(1e9), ...gatewayEnv }, process.env.BENCH_PROFILE);
  servers.push(gateway);
  const raw = await startRawBaseline(rawEnv);
  servers.push(raw);
  const authorization = `Bearer ${apiKey.key}`;

  const postGraphQL = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization },
      body: JSON.stringify({ query, variables }),
    });
    const result = (await response.json()) as { data?: Record<string, any>; errors?: unknown };
    if (!result.data || result.errors) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  };
  const postRaw = async (request: RawRequest) => {
    const response = await fetch(raw.url, { method: "POST", body: JSON.stringify(request) });
    if (!response.ok) throw new Error(`baseline failed: ${response.status} ${await response.text()}`);
    return { rows: (await response.json()) as unknown[] };
  };

  const only = process.env.BENCH_ONLY?.split("|");
  const scenarios = await queryScenarios(
    (sql, params) => postRaw({ statements: [[sql, params]] }),
    project.id,
    postGraphQL,
    (name) => !only || only.some((text) => name.includes(text)),
  );

  for (const scenario of scenarios) {
    const inputs = Array.from({ length: INPUTS }, (_, i) => i);
    const gatewayBodies = inputs.map((i) => JSON.stringify({ query: scenario.query, variables: scenario.variables(i) }));
    const rawBodies = inputs.map((i) => JSON.stringify({ statements: scenario.raw(i), pageSize: scenario.pageSize }));
    // Both answer every input correctly before any timing (and warm up).
    for (const i of inputs.slice(0, WARM_UP)) {
      await postGraphQL(scenario.query, scenario.variables(i));
      await postRaw({ statements: scenario.raw(i), pageSize: scenario.pageSize });
    }
    // Then load, unmeasured, at the highest concurrency: what users compare is a server whose
    // code the JIT has compiled, not its first seconds (with one client, 30–50 % slower).
    const headers = { "content-type": "application/json" };
    const warmUp = await runWrk(
      `${gateway.url}/graphql`,
      gatewayBodies,
      { ...headers, authorization },
      Math.max(...CLIENTS),
      WARM_UP_SECONDS,
    );
    gatewayWarmUpRequests += warmUp.requests;
    await runWrk(raw.url, rawBodies, headers, Math.max(...CLIENTS), WARM_UP_SECONDS);
    const row: Row = { scenario: scenario.name, byClients: [] };
    for (const clients of CLIENTS) {
      const result = await compareLoad(SLICES, SECONDS / SLICES, clients, {
        gateway: { url: `${gateway.url}/graphql`, bodies: gatewayBodies, headers: { authorization }, cpuSeconds: gateway.cpuSeconds },
        raw: { url: raw.url, bodies: rawBodies, cpuSeconds: raw.cpuSeconds },
      });
      if (result.gateway.errors + result.raw.errors > 0)
        console.error(`${scenario.name}, ${clients} clients: ${result.gateway.errors} gateway, ${result.raw.errors} raw errors`);
      row.byClients.push({ clients, ...result });
      gatewayRequests += result.gateway.requests;
    }
    rows.push(row);
    console.error(`measured ${scenario.name}`);
  }
} finally {
  if (process.env.BENCH_PROFILE) {
    console.error(
      `The gateway answered ${gatewayRequests} timed requests, and ${WARM_UP} per scenario and ${gatewayWarmUpRequests} of warm-up load before them (for bench/profile-summary.ts: their sum).`,
    );
  }
  for (const server of servers.reverse()) await server.stop();
  if (rawCopy) rmSync(rawCopy, { recursive: true, force: true });
  const cleanup = await configuredTarget(location);
  await revokeApiKey(cleanup.db.prisma, apiKey.id);
  await cleanup.close();
}

const ms = (value: number) => value.toFixed(1);
const count = (value: number) => Math.round(value).toLocaleString("en");
const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
const percent = (part: number, whole: number) => `${Math.round((part / whole) * 100)} %`;
const table = (clients: number) => [
  `#### ${clients} client${clients === 1 ? "" : "s"}, ${clients} request${clients === 1 ? "" : "s"} in flight`,
  "",
  line([
    "query",
    "req/s (raw)",
    "gateway / raw req/s",
    "p50 ms (raw)",
    "p99 ms (raw)",
    "p99 gateway / raw",
    "CPU µs/req (raw)",
    "raw / gateway CPU",
  ]),
  line(["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]),
  ...rows.map(({ scenario, byClients }) => {
    const { gateway, raw } = byClients.find((one) => one.clients === clients)!;
    return line([
      scenario,
      `${count(gateway.perSecond)} (${count(raw.perSecond)})`,
      percent(gateway.perSecond, raw.perSecond),
      `${ms(gateway.p50)} (${ms(raw.p50)})`,
      `${ms(gateway.p99)} (${ms(raw.p99)})`,
      `${(gateway.p99 / raw.p99).toFixed(2)}×`,
      `${count(gateway.cpuPerRequest)} (${count(raw.cpuPerRequest)})`,
      percent(raw.cpuPerRequest, gateway.cpuPerRequest),
    ]);
  }),
  "",
];
console.log(
  [
    `### ${targetName}, ${userCount.toLocaleString("en")} users`,
    "",
    `${new Date().toISOString()}; load average ${(await import("node:os"))
      .loadavg()
      .map((one) => one.toFixed(1))
      .join(" / ")} at the end.`,
    "",
    ...CLIENTS.flatMap(table),
  ].join("\n"),
);
