// npm run bench:upsert — upserts per second through the gateway (in process,
// through yoga.fetch as tests do) against the same writes as raw SQL, on
// PGlite and on PostgreSQL. BENCH_DATABASE_URL names the PostgreSQL server
// (default postgres://postgres@127.0.0.1:5432/postgres); BENCH_SECONDS the
// time each contender gets per single-upsert scenario (default 6).
import { parseArgs } from "node:util";
import { findOrCreateProject } from "../src/auth/api-keys.ts";
import { readCommandLineOrExit } from "../src/command-line.ts";
import { describeDatabase } from "../src/config.ts";
import { inProcessGateway } from "./in-process-gateway.ts";
import { type BenchUser, rawUpsertMany, rawUpsertOne } from "./raw-baseline.ts";
import { pgliteTarget, postgresTarget, type Target } from "./targets.ts";
import { compareCalls, compareLoops, type Rates } from "./timing.ts";

const USAGE = `Usage: npm run bench:upsert

  Upserts per second through the gateway against raw SQL, on an in-memory PGlite and
  on a throwaway database that it creates and drops on the PostgreSQL server
  BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
  BENCH_SECONDS: time per single-upsert scenario (default 6). Takes no arguments.`;
readCommandLineOrExit(USAGE, (args) => parseArgs({ args, options: {}, strict: true }));

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const SLICES = 6;
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
/** Single upserts cycle through this many users, all created before timing: identify calls of known users. */
const POOL = 500;
const BATCH = 1000;
const BATCHES = 20;

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

type Row = Rates & { scenario: string };

async function gatewayClient(target: Target) {
  const gateway = await inProcessGateway(target.db.prisma, "bench-gateway");
  const rawProject = await findOrCreateProject(target.db.prisma, "bench-raw");
  return { ...gateway, rawProjectId: rawProject.id };
}

async function benchTarget(target: Target): Promise<Row[]> {
  const client = await gatewayClient(target);
  const raw = (user: BenchUser) => rawUpsertOne(target.raw, client.rawProjectId, user);
  const viaGateway = async (user: BenchUser) => {
    const data = await client.post(SINGLE, gatewayInput(user));
    if (data.upsertUser.__typename !== "UpsertUserSuccess") throw new Error(JSON.stringify(data));
  };
  const bulkViaGateway = async (users: BenchUser[]) => {
    const data = await client.post(BULK, { users: users.map(gatewayInput) });
    if (data.upsertUsers.failedCount !== 0) throw new Error(JSON.stringify(data));
  };
  const batch = (i: number, round: number) => Array.from({ length: BATCH }, (_, j) => benchUser("bulk", i * BATCH + j, round));

  // Create the pools (and warm up both paths) before any timing.
  for (let i = 0; i < POOL; i++) {
    await viaGateway(benchUser("single", i));
    await raw(benchUser("single", i));
  }
  const rows: Row[] = [];
  for (const [scenario, clients] of [
    ["upsertUser, sequential (ops/s)", 1],
    ["upsertUser, 32 concurrent clients (ops/s)", 32],
  ] as const) {
    const rates = await compareLoops(SLICES, SECONDS / SLICES, clients, {
      gateway: (i) => viaGateway(benchUser("single", i % POOL, i)),
      raw: async (i) => {
        await raw(benchUser("single", i % POOL, i));
      },
    });
    rows.push({ scenario, ...rates });
  }
  for (const [scenario, round] of [
    ["upsertUsers, 1000 new users a call (users/s)", 0],
    ["upsertUsers, 1000 known users a call (users/s)", 1],
  ] as const) {
    const rates = await compareCalls(BATCHES, BATCH, {
      gateway: (i) => bulkViaGateway(batch(i, round)),
      raw: async (i) => {
        await rawUpsertMany(target.raw, client.rawProjectId, batch(i, round));
      },
    });
    rows.push({ scenario, ...rates });
  }
  await client.close();
  return rows;
}

function table(name: string, rows: Row[]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    `### ${name}`,
    "",
    line(["scenario", "gateway", "raw SQL", "gateway / raw"]),
    line(["---", "---:", "---:", "---:"]),
    ...rows.map(({ scenario, gateway, raw }) =>
      line([
        scenario,
        Math.round(gateway).toLocaleString("en"),
        Math.round(raw).toLocaleString("en"),
        `${Math.round((gateway / raw) * 100)} %`,
      ]),
    ),
    "",
  ].join("\n");
}

console.error(
  `Writing to the in-memory PGlite, then to a throwaway database beside ${describeDatabase({ kind: "postgres", url: SERVER_URL })}.`,
);
for (const open of [pgliteTarget, () => postgresTarget(SERVER_URL)]) {
  const target = await open();
  try {
    console.log(table(target.name, await benchTarget(target)));
  } finally {
    await target.close();
  }
}
