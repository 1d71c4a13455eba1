// npm run bench:queries — read latency and throughput of the gateway over HTTP
// against a raw-SQL baseline (the same queries through the driver, served over
// HTTP by a minimal handler), on the configured database (DATABASE_URL, else
// the PGlite in DATA_DIR) after `npm run seed`. BENCH_SECONDS: time each
// contender gets per scenario and mode (default 4); BENCH_PROJECT: the seeded
// project (default "default"); BENCH_ONLY: run only the scenarios whose name
// contains this text (say "with organization").
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { createApiKey, revokeApiKey } from "../src/auth/api-keys.ts";
import { createRateLimiter } from "../src/auth/rate-limit.ts";
import { readCommandLineOrExit } from "../src/command-line.ts";
import { describeDatabase, loadConfig, loadConfigOrExit } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { createServer } from "../src/server.ts";
import { compareLatency, type LatencyStats } from "./latency.ts";
import { type QueryScenario, queryScenarios } from "./query-scenarios.ts";
import { configuredTarget } from "./targets.ts";

const USAGE = `Usage: npm run bench:queries

  Read latency and throughput of the gateway over HTTP against raw SQL, on the configured
  database (DATABASE_URL, else the PGlite in DATA_DIR) after \`npm run seed -- --users N\`.
  It adds one API key there for the run and revokes it at the end.
  BENCH_SECONDS: time per scenario and mode (default 4); BENCH_PROJECT: the seeded project
  (default "default"); BENCH_ONLY: only the scenarios whose name contains this text.
  Takes no arguments.`;
readCommandLineOrExit(USAGE, (args) => parseArgs({ args, options: {}, strict: true }));

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const SLICES = 4;
const CONCURRENT_CLIENTS = 32;

const location = loadConfigOrExit().database;
console.error(`Reading from ${describeDatabase(location)}.`);
const target = await configuredTarget(location);
const { prisma } = target.db;
const project = await prisma.project.findUnique({ where: { name: process.env.BENCH_PROJECT ?? "default" } });
const userCount = project ? await prisma.user.count({ where: { projectId: project.id } }) : 0;
if (!project || userCount === 0) {
  console.error("No users to query: run `npm run seed -- --users N --orgs M` against the same database first.");
  process.exit(1);
}

// The gateway as `npm start` serves it, without a rate limit in the way.
const config = loadConfig({ RATE_LIMIT_PER_MINUTE: String(1e9), LOG_LEVEL: "silent" });
const logger = createLogger("silent");
const rateLimiter = await createRateLimiter(config.rateLimit, logger);
const gateway = createHttpServer(createServer({ prisma, logger, rateLimiter, config }));
const apiKey = await createApiKey(prisma, { projectId: project.id, kind: "SECRET", name: "bench:queries" });

const gatewayUrl = `${await listen(gateway)}/graphql`;
const only = process.env.BENCH_ONLY;
const scenarios = (await queryScenarios(target, project.id, (query, variables) => postGraphQL(query, variables))).filter(
  (scenario) => !only || scenario.name.includes(only),
);

// The baseline: the scenario's SQL until a page is found, rows back as JSON, nothing else.
const baseline = createHttpServer(async (request, response) => {
  const { scenario: name, i } = JSON.parse(await body(request)) as { scenario: string; i: number };
  const scenario = scenarios.find((one) => one.name === name)!;
  const rows: unknown[] = [];
  for (const [sql, params] of scenario.raw(i)) {
    if (rows.length >= scenario.pageSize) break;
    rows.push(...((await target.raw(sql, params)) as { rows: unknown[] }).rows);
  }
  response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(rows.slice(0, scenario.pageSize)));
});
const baselineUrl = await listen(baseline);

async function postGraphQL(query: string, variables: Record<string, unknown>) {
  const response = await fetch(gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey.key}` },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as { data?: Record<string, any>; errors?: unknown };
  if (!result.data || result.errors) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

async function postBaseline(scenario: string, i: number) {
  const response = await fetch(baselineUrl, { method: "POST", body: JSON.stringify({ scenario, i }) });
  if (!response.ok) throw new Error(`baseline failed: ${response.status}`);
  await response.json();
}

type Row = {
  scenario: string;
  sequential: { gateway: LatencyStats; raw: LatencyStats };
  concurrent: { gateway: LatencyStats; raw: LatencyStats };
};

async function measure(scenario: QueryScenario): Promise<Row> {
  const contenders = {
    gateway: async (i: number) => {
      await postGraphQL(scenario.query, scenario.variables(i));
    },
    raw: (i: number) => postBaseline(scenario.name, i),
  };
  for (let i = 0; i < 20; i++) await Promise.all([contenders.gateway(i), contenders.raw(i)]);
  return {
    scenario: scenario.name,
    sequential: await compareLatency(SLICES, SECONDS / SLICES, 1, contenders),
    concurrent: await compareLatency(SLICES, SECONDS / SLICES, CONCURRENT_CLIENTS, contenders),
  };
}

const rows: Row[] = [];
try {
  for (const scenario of scenarios) rows.push(await measure(scenario));
} finally {
  await revokeApiKey(prisma, apiKey.id);
  await Promise.all([close(gateway), close(baseline)]);
  await rateLimiter.close();
  await target.close();
}

const ms = (value: number) => value.toFixed(1);
const count = (value: number) => Math.round(value).toLocaleString("en");
const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
const table = (mode: "sequential" | "concurrent", title: string) => [
  `#### ${title}`,
  "",
  line(["query", "p50 ms (raw)", "p95 ms (raw)", "req/s (raw)", "gateway / raw req/s"]),
  line(["---", "---:", "---:", "---:", "---:"]),
  ...rows.map(({ scenario, [mode]: { gateway, raw } }) =>
    line([
      scenario,
      `${ms(gateway.p50)} (${ms(raw.p50)})`,
      `${ms(gateway.p95)} (${ms(raw.p95)})`,
      `${count(gateway.perSecond)} (${count(raw.perSecond)})`,
      `${Math.round((gateway.perSecond / raw.perSecond) * 100)} %`,
    ]),
  ),
  "",
];
console.log(
  [
    `### ${target.name}, ${userCount.toLocaleString("en")} users`,
    "",
    ...table("sequential", "One client, one request at a time"),
    ...table("concurrent", `${CONCURRENT_CLIENTS} clients, ${CONCURRENT_CLIENTS} requests in flight`),
  ].join("\n"),
);

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (text += chunk));
    request.on("end", () => resolve(text));
    request.on("error", reject);
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
