// npm run bench:activity — trackActivity per second through the gateway against
// the same statement as raw SQL, each server in a process of its own (the
// gateway as `npm start` runs it) and the load from wrk, on PGlite and on a
// throwaway PostgreSQL database; then a page of users filtered by hasPushToken
// and lastSeenAfter at 1M users (in process, through yoga.fetch), on a copy of
// the seeded database BENCH_1M_DATABASE (default bench_1m, never written: the
// copy is made with CREATE DATABASE … TEMPLATE and dropped at the end).
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseActivity } from "../src/activity/activity-input.ts";
import { recordActivity, resolveActivity } from "../src/activity/track-activity.ts";
import { readCommandLineOrExit } from "../src/command-line.ts";
import { type DatabaseLocation, describeDatabase } from "../src/config.ts";
import type { Prisma, PrismaClient } from "../src/db/generated/prisma/client.ts";
import { adminQuery, databaseUrl } from "../src/db/server-admin.ts";
import { compareLoad } from "./compare-load.ts";
import { withContenders } from "./contenders.ts";
import { inProcessGateway } from "./in-process-gateway.ts";
import { compareLatency } from "./latency.ts";
import { buildGateway } from "./processes.ts";
import type { Statement } from "./raw-baseline.ts";
import { configuredTarget, type Target } from "./targets.ts";

const USAGE = `Usage: npm run bench:activity

  trackActivity per second through the gateway against the same statement as raw SQL, on a
  PGlite in a temporary directory and on a throwaway database on the PostgreSQL server
  BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres). The gateway runs as
  \`npm start\` runs it (dist/, built first), the raw baseline (bench/raw-server.ts) in a process
  of its own, the load comes from wrk (apt-get install wrk); they take turns. Then the latency
  of a page of users filtered by hasPushToken and lastSeenAfter (gateway in process) on a copy
  (CREATE DATABASE … TEMPLATE) of the seeded database BENCH_1M_DATABASE on that server (default
  bench_1m), dropped afterwards. BENCH_SECONDS: time per scenario (default 4 for the page, 8
  for trackActivity); BENCH_ONLY=throughput or BENCH_ONLY=page runs one part, BENCH_ONLY=pglite
  or BENCH_ONLY=postgres the throughput on one database; BENCH_PROFILE: a directory for the
  gateway's CPU profile (summed up by bench/profile-summary.ts); BENCH_SKIP_BUILD=1 uses dist/ as
  it is. Takes no arguments.`;
readCommandLineOrExit(USAGE, (args) => parseArgs({ args, options: {}, strict: true }));

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const SLICES = 4;
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SEEDED = process.env.BENCH_1M_DATABASE ?? "bench_1m";
/** Activity cycles through this many users, all created before timing. */
const POOL = 500;
const PLATFORMS = ["WEB", "IOS", "ANDROID", "DESKTOP"] as const;
const USER_AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.38.125 Chrome/122.0.6261.156 Electron/29.4.0 Safari/537.36",
];
const ACTIVITY_CONFIG = { sessionIdleMinutes: 30, sessionRetentionDays: 90 };

const TRACK = /* GraphQL */ `
  mutation ($userId: ID!, $input: ActivityInput!) {
    trackActivity(userId: $userId, input: $input) { __typename ... on TrackActivitySuccess { newSession session { id } } }
  }`;

const activityOf = (i: number) => ({
  platform: PLATFORMS[i % 4]!,
  userAgent: USER_AGENTS[i % 4]!,
  app: i % 4 === 1 || i % 4 === 2 ? { name: "Directory", version: "3.2.1", build: "321" } : undefined,
  country: "DE",
  city: "Berlin",
});
// Concurrent calls are of different users (each on one platform), as concurrent clients are.
const userOf = (i: number) => `activity-${i % POOL}`;

/** `cpu`: each server's CPU time per request, µs ("gateway (raw)"). */
type Row = { scenario: string; gateway: string; raw: string; ratio: string; cpu?: string };
const THROUGHPUT_HEADER = ["scenario", "gateway", "raw SQL", "gateway / raw"];
const perSecond = (value: number) => Math.round(value).toLocaleString("en");
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function throughput(location: DatabaseLocation, gatewayDb: Record<string, string>, rawDb: Record<string, string>) {
  const seed = async (prisma: PrismaClient, projectId: string) => {
    await prisma.user.createMany({ data: Array.from({ length: POOL }, (_, i) => ({ projectId, id: `activity-${i}` })) });
  };
  const setup = { prefix: "bench-activity", gatewayDb, rawDb, seed, cpuProfileDir: process.env.BENCH_PROFILE };
  return withContenders(location, setup, async ({ gateway, raw, key, rawProjectId }) => {
    const authorization = `Bearer ${key}`;
    const gatewayBody = (i: number) => JSON.stringify({ query: TRACK, variables: { userId: userOf(i), input: activityOf(i) } });
    // The same statement the service runs (the database function track_activity: the user's row lock
    // and the writes), with the same values: without HTTP parsing beyond JSON, GraphQL, validation and
    // Prisma. Its timestamps are those of when the bodies are made.
    const rawBody = (i: number) => {
      const now = new Date();
      const activity = resolveActivity(parseActivity(userOf(i), activityOf(i)), now, ACTIVITY_CONFIG);
      const sql: Prisma.Sql = recordActivity(rawProjectId, null, userOf(i), activity, now, ACTIVITY_CONFIG);
      const statement: Statement = [sql.text, sql.values];
      return JSON.stringify({ statements: [statement] });
    };
    // Every user's first activity (and a warm-up of both paths) before any timing.
    for (let i = 0; i < POOL; i++) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body: gatewayBody(i),
      });
      const text = await response.text();
      if (!response.ok || !text.includes('"TrackActivitySuccess"')) throw new Error(text.slice(0, 500));
      const rawResponse = await fetch(raw.url, { method: "POST", body: rawBody(i) });
      if (!rawResponse.ok) throw new Error(`baseline failed: ${rawResponse.status} ${await rawResponse.text()}`);
      await rawResponse.arrayBuffer();
    }
    const rows: Row[] = [];
    const indexes = Array.from({ length: POOL * 4 }, (_, i) => i);
    for (const clients of [1, 32]) {
      const result = await compareLoad(SLICES, LOAD_SECONDS / SLICES, clients, {
        gateway: {
          url: `${gateway.url}/graphql`,
          bodies: indexes.map(gatewayBody),
          headers: { authorization },
          cpuSeconds: gateway.cpuSeconds,
        },
        raw: { url: raw.url, bodies: indexes.map(rawBody), cpuSeconds: raw.cpuSeconds },
      });
      if (result.gateway.errors + result.raw.errors > 0) throw new Error(`errors: ${JSON.stringify(result)}`);
      rows.push({
        scenario: clients === 1 ? "trackActivity, sequential (ops/s)" : `trackActivity, ${clients} concurrent clients (ops/s)`,
        gateway: perSecond(result.gateway.perSecond),
        raw: perSecond(result.raw.perSecond),
        ratio: `${Math.round((result.gateway.perSecond / result.raw.perSecond) * 100)} %`,
        cpu: `${perSecond(result.gateway.cpuPerRequest)} (${perSecond(result.raw.cpuPerRequest)})`,
      });
    }
    return rows;
  });
}

const PAGE = /* GraphQL */ `
  query ($filter: UserFilter, $orderBy: UserOrder, $after: String) {
    users(first: 50, after: $after, filter: $filter, orderBy: $orderBy) { nodes { id name email lastSeenAt } pageInfo { endCursor } }
  }`;

/** A copy of the seeded directory, with push tokens for a third of its users. */
async function seededCopy(): Promise<Target> {
  const name = `activity_bench_${process.pid}`;
  // Fails while anyone is connected to the template: retry a while.
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(SERVER_URL, `CREATE DATABASE "${name}" TEMPLATE "${SEEDED}"`);
      break;
    } catch (error) {
      if (attempt >= 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  const target = await configuredTarget({ kind: "postgres", url: databaseUrl(SERVER_URL, name) }, () =>
    adminQuery(SERVER_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
  // Tokens inserted in one statement, then users marked in one: the triggers' row-by-row path is for live writes.
  await target.raw("ALTER TABLE push_tokens DISABLE TRIGGER push_tokens_has_push_token", []);
  await target.raw(
    `INSERT INTO push_tokens (project_id, user_id, provider, token, position)
     SELECT project_id, id, 'FCM', 'bench-' || id, 0 FROM users WHERE abs(hashtext(id)) % 3 = 0`,
    [],
  );
  await target.raw("ALTER TABLE push_tokens ENABLE TRIGGER push_tokens_has_push_token", []);
  await target.raw(
    `UPDATE users u SET has_push_token = true
     WHERE EXISTS (SELECT 1 FROM push_tokens t WHERE t.project_id = u.project_id AND t.user_id = u.id)`,
    [],
  );
  await target.raw("VACUUM ANALYZE users", []);
  return target;
}

async function filteredPage(): Promise<Row[]> {
  const target = await seededCopy();
  try {
    const { prisma } = target.db;
    const project = await prisma.project.findUniqueOrThrow({ where: { name: "default" } });
    const users = await prisma.user.count({ where: { projectId: project.id } });
    console.error(`${users.toLocaleString("en")} users in the copy.`);
    const gateway = await inProcessGateway(prisma, "default");
    // A month back: about the share of users a re-engagement campaign targets.
    const [{ since }] = (await target
      .raw("SELECT (max(last_seen_at) - interval '30 days') AS since FROM users WHERE project_id = $1", [project.id])
      .then((result) => (result as { rows: { since: Date }[] }).rows)) as [{ since: Date }];
    const rows: Row[] = [];
    for (const [scenario, orderBy, rawOrder] of [
      ["hasPushToken + lastSeenAfter, LAST_SEEN_AT DESC", { field: "LAST_SEEN_AT", direction: "DESC" }, "last_seen_at DESC, id DESC"],
      ["hasPushToken + lastSeenAfter, CREATED_AT (default)", undefined, "created_at, id"],
    ] as const) {
      const filter = { hasPushToken: true, lastSeenAfter: since.toISOString() };
      // Cursors 0 to 40 pages deep: a page costs the same at any depth.
      const cursors: (string | null)[] = [null];
      for (let page = 0; page < 40; page++) {
        const data = await gateway.post(PAGE, { filter, orderBy, after: cursors.at(-1) });
        cursors.push(data.users.pageInfo.endCursor);
      }
      const rawPage = `SELECT id, name, email, last_seen_at FROM users
        WHERE project_id = $1 AND has_push_token AND last_seen_at > $2 ORDER BY ${rawOrder} LIMIT 51 OFFSET $3`;
      // One client at a time: the latency of a page, not of a queue on a shared two-core machine.
      const stats = await compareLatency(SLICES, SECONDS / SLICES, 1, {
        gateway: async (i) => {
          await gateway.post(PAGE, { filter, orderBy, after: cursors[i % cursors.length] });
        },
        // The same rows, by OFFSET: what the index gives without the gateway's keyset bookkeeping.
        raw: async (i) => {
          await target.raw(rawPage, [project.id, since, (i % cursors.length) * 50]);
        },
      });
      rows.push({
        scenario: `${scenario}, p95 (p50)`,
        gateway: `${ms(stats.gateway.p95)} (${ms(stats.gateway.p50)})`,
        raw: `${ms(stats.raw.p95)} (${ms(stats.raw.p50)})`,
        ratio: `${perSecond(stats.gateway.perSecond)} / ${perSecond(stats.raw.perSecond)} pages/s`,
      });
    }
    await gateway.close();
    return rows;
  } finally {
    await target.close();
  }
}

function table(name: string, header: string[], rows: Row[]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const cpu = rows.some((row) => row.cpu);
  return [
    `### ${name}`,
    "",
    `${new Date().toISOString()}; load average ${loadavg()
      .map((one) => one.toFixed(1))
      .join(" / ")} at the end.`,
    "",
    line(cpu ? [...header, "CPU µs/op (raw)"] : header),
    line(["---", "---:", "---:", "---:", ...(cpu ? ["---:"] : [])]),
    ...rows.map(({ scenario, gateway, raw, ratio, cpu: cpuCell }) =>
      line([scenario, gateway, raw, ratio, ...(cpu ? [cpuCell ?? ""] : [])]),
    ),
    "",
  ].join("\n");
}

const only = process.env.BENCH_ONLY;
if (only !== "page") buildGateway();
if (only !== "page" && only !== "postgres") {
  const dir = mkdtempSync(join(tmpdir(), "bench-activity-"));
  const rawCopy = mkdtempSync(join(tmpdir(), "bench-activity-raw-"));
  try {
    const location: DatabaseLocation = { kind: "pglite", dataDir: join(dir, "data") };
    console.error(`Writing to ${describeDatabase(location)}.`);
    const rows = await throughput(location, { DATA_DIR: location.dataDir }, { BENCH_RAW_DATA_DIR: rawCopy });
    console.log(table("PGlite (data directory, a copy for the baseline): trackActivity", THROUGHPUT_HEADER, rows));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(rawCopy, { recursive: true, force: true });
  }
}
if (only !== "page" && only !== "pglite") {
  const name = `activity_bench_${process.pid}_writes`;
  await adminQuery(SERVER_URL, `CREATE DATABASE "${name}"`);
  const url = databaseUrl(SERVER_URL, name);
  console.error(`Writing to a throwaway database beside ${describeDatabase({ kind: "postgres", url: SERVER_URL })}.`);
  try {
    const rows = await throughput({ kind: "postgres", url }, { DATABASE_URL: url }, { DATABASE_URL: url });
    console.log(table("PostgreSQL: trackActivity", THROUGHPUT_HEADER, rows));
  } finally {
    await adminQuery(SERVER_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}
if (only === undefined || only === "page") {
  console.log(
    table(`PostgreSQL, ${SEEDED} copy: filtered page of 50`, ["scenario", "gateway", "raw SQL", "throughput"], await filteredPage()),
  );
}
