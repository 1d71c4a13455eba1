// npm run bench:activity — trackActivity per second through the gateway (in
// process, through yoga.fetch as tests do) against the same statement as raw
// SQL, on an in-memory PGlite and a throwaway PostgreSQL database; then a page
// of users filtered by hasPushToken and lastSeenAfter at 1M users, on a copy
// of the seeded database BENCH_1M_DATABASE (default bench_1m, never written:
// the copy is made with CREATE DATABASE … TEMPLATE and dropped at the end).
import { parseArgs } from "node:util";
import { parseActivity } from "../src/activity/activity-input.ts";
import { recordActivity, resolveActivity } from "../src/activity/track-activity.ts";
import { readCommandLineOrExit } from "../src/command-line.ts";
import { describeDatabase } from "../src/config.ts";
import type { Prisma } from "../src/db/generated/prisma/client.ts";
import { adminQuery, databaseUrl } from "../src/db/server-admin.ts";
import { inProcessGateway } from "./in-process-gateway.ts";
import { compareLatency } from "./latency.ts";
import { configuredTarget, pgliteTarget, postgresTarget, type Target } from "./targets.ts";
import { compareLoops } from "./timing.ts";

const USAGE = `Usage: npm run bench:activity

  trackActivity per second through the gateway against the same statement as raw SQL, on an
  in-memory PGlite and on a throwaway database on the PostgreSQL server BENCH_DATABASE_URL
  (default postgres://postgres@127.0.0.1:5432/postgres); then the latency of a page of users
  filtered by hasPushToken and lastSeenAfter on a copy (CREATE DATABASE … TEMPLATE) of the
  seeded database BENCH_1M_DATABASE on that server (default bench_1m), dropped afterwards.
  BENCH_SECONDS: time per scenario (default 4); BENCH_ONLY=throughput or BENCH_ONLY=page runs
  one part. Takes no arguments.`;
readCommandLineOrExit(USAGE, (args) => parseArgs({ args, options: {}, strict: true }));

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
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

type Row = { scenario: string; gateway: string; raw: string; ratio: string };
const perSecond = (value: number) => Math.round(value).toLocaleString("en");
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function throughput(target: Target): Promise<Row[]> {
  const { prisma } = target.db;
  const gateway = await inProcessGateway(prisma, "bench-activity-gateway");
  const rawProject = await prisma.project.create({ data: { name: "bench-activity-raw" } });
  for (const projectId of [gateway.projectId, rawProject.id]) {
    await prisma.user.createMany({ data: Array.from({ length: POOL }, (_, i) => ({ projectId, id: `activity-${i}` })) });
  }
  const viaGateway = async (i: number) => {
    const data = await gateway.post(TRACK, { userId: userOf(i), input: activityOf(i) });
    if (data.trackActivity.__typename !== "TrackActivitySuccess") throw new Error(JSON.stringify(data));
  };
  // The same statement the service runs, with the same values: without GraphQL, validation, the transaction and the row lock.
  const raw = async (i: number) => {
    const activity = resolveActivity(parseActivity(userOf(i), activityOf(i)), new Date(), ACTIVITY_CONFIG);
    const statement: Prisma.Sql = recordActivity(rawProject.id, userOf(i), activity, new Date(), ACTIVITY_CONFIG);
    await target.raw(statement.text, statement.values);
  };
  for (let i = 0; i < POOL; i++) {
    await viaGateway(i);
    await raw(i);
  }
  const rows: Row[] = [];
  for (const [scenario, clients] of [
    ["trackActivity, sequential (ops/s)", 1],
    ["trackActivity, 32 concurrent clients (ops/s)", 32],
  ] as const) {
    const rates = await compareLoops(SLICES, SECONDS / SLICES, clients, { gateway: viaGateway, raw });
    rows.push({
      scenario,
      gateway: perSecond(rates.gateway),
      raw: perSecond(rates.raw),
      ratio: `${Math.round((rates.gateway / rates.raw) * 100)} %`,
    });
  }
  await gateway.close();
  return rows;
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
  return [
    `### ${name}`,
    "",
    line(header),
    line(["---", "---:", "---:", "---:"]),
    ...rows.map(({ scenario, gateway, raw, ratio }) => line([scenario, gateway, raw, ratio])),
    "",
  ].join("\n");
}

console.error(
  `Writing to the in-memory PGlite, then to throwaway databases beside ${describeDatabase({ kind: "postgres", url: SERVER_URL })}.`,
);
const only = process.env.BENCH_ONLY;
for (const open of only === "page" ? [] : [pgliteTarget, () => postgresTarget(SERVER_URL)]) {
  const target = await open();
  try {
    console.log(table(`${target.name}: trackActivity`, ["scenario", "gateway", "raw SQL", "gateway / raw"], await throughput(target)));
  } finally {
    await target.close();
  }
}
if (only !== "throughput") {
  console.log(
    table(`PostgreSQL, ${SEEDED} copy: filtered page of 50`, ["scenario", "gateway", "raw SQL", "throughput"], await filteredPage()),
  );
}
