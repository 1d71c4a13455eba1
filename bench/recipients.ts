// npm run bench:recipients — resolveRecipients over an organization subtree of
// a million-user directory, in pages of 1000, against a plain-SQL baseline
// that computes the same decisions (recipients-baseline.ts), in one run. The
// gateway runs in its own process as `npm start` runs it (dist/, built
// first; BENCH_SKIP_BUILD=1 uses dist/ as it is), the baseline in another
// (node:http + pg), and this process pages through both over HTTP, taking
// turns page by page, and checks that every decision agrees.
//
// BENCH_SERVER: the PostgreSQL server (default postgres://postgres@127.0.0.1:5432);
// BENCH_TEMPLATE: the seeded database to copy (default bench_1m, never written);
// BENCH_DATABASE: an already prepared copy to reuse (kept afterwards);
// BENCH_ORGANIZATION: the subtree's root (default org-0); BENCH_PAGES: stop after
// this many pages; BENCH_PROFILE=1: the gateway writes a CPU profile to bench/profiles.
import { type ChildProcess, spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { createApiKey } from "../src/auth/api-keys.ts";
import { readCommandLineOrExit } from "../src/command-line.ts";
import { adminQuery, databaseUrl } from "../src/db/server-admin.ts";
import { buildGateway, type ServerProcess, startGateway } from "./processes.ts";
import { addRecipientData, BENCH_AT, BENCH_CATEGORY, BENCH_DATA, BENCH_WORKFLOW } from "./recipients-data.ts";
import { configuredTarget } from "./targets.ts";

const USAGE = `Usage: npm run bench:recipients

  resolveRecipients over an organization subtree (pages of 1000) against a plain-SQL baseline,
  on a copy of the seeded 1M-user PostgreSQL database (BENCH_TEMPLATE, default bench_1m).
  BENCH_DATABASE reuses a prepared copy; BENCH_ORGANIZATION (default org-0); BENCH_PAGES;
  BENCH_PROFILE=1 writes the gateway's CPU profile to bench/profiles. Takes no arguments.`;
readCommandLineOrExit(USAGE, (args) => parseArgs({ args, options: {}, strict: true }));

const SERVER = process.env.BENCH_SERVER ?? "postgres://postgres@127.0.0.1:5432";
const TEMPLATE = process.env.BENCH_TEMPLATE ?? "bench_1m";
const ORGANIZATION = process.env.BENCH_ORGANIZATION ?? "org-0";
const MAX_PAGES = Number(process.env.BENCH_PAGES ?? Number.POSITIVE_INFINITY);
const PAGE_SIZE = 1000;
const WARM_UP_PAGES = 3;

type Decision = {
  channelType: string;
  channel: { id: string } | null;
  provider: string | null;
  destination: string | null;
  allowed: boolean;
  reason: string;
  allowedAt: string | null;
};
type Recipient = { id: string; reachable: boolean; channels: Decision[] };
type GatewayPage = { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: (Omit<Recipient, "id"> & { user: { id: string } })[] };

const QUERY = /* GraphQL */ `
  query Resolve($workflow: String!, $category: String, $organizationId: ID, $data: JSONObject, $at: DateTime, $filter: UserFilter, $after: String) {
    resolveRecipients(workflow: $workflow, category: $category, organizationId: $organizationId, data: $data, at: $at, filter: $filter, first: ${PAGE_SIZE}, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { user { id } reachable channels { channelType channel { id } provider destination allowed reason allowedAt } }
    }
  }`;
const SEND = {
  workflow: BENCH_WORKFLOW,
  category: BENCH_CATEGORY,
  organizationId: ORGANIZATION,
  data: BENCH_DATA,
  at: BENCH_AT,
  filter: { organizationId: ORGANIZATION, includeSubOrganizations: true },
};

buildGateway();
const reused = process.env.BENCH_DATABASE;
const name = reused ?? `recipients_bench_${process.pid}`;
const url = databaseUrl(SERVER, name);
if (!reused) {
  console.error(`Copying ${TEMPLATE} to ${name} …`);
  // CREATE DATABASE … TEMPLATE fails while anyone is connected to the template: wait for them.
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(SERVER, `CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE}"`);
      break;
    } catch (error) {
      if (attempt >= 60) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}
const target = await configuredTarget({ kind: "postgres", url }, async () => {
  if (!reused) await adminQuery(SERVER, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});
const { prisma } = target.db;
const children: ChildProcess[] = [];
let gateway: ServerProcess | undefined;
try {
  const project = await prisma.project.findUniqueOrThrow({ where: { name: "default" } });
  if (!(await prisma.workflow.findUnique({ where: { projectId_key: { projectId: project.id, key: BENCH_WORKFLOW } } }))) {
    console.error("Adding preferences, push tokens, channel settings and flags …");
    await addRecipientData(target.raw, project.id, ORGANIZATION);
  }
  const apiKey = await createApiKey(prisma, { projectId: project.id, kind: "SECRET", name: "bench:recipients" });
  gateway = await startGateway(
    { DATABASE_URL: url, RATE_LIMIT_PER_MINUTE: String(1e9), LOG_LEVEL: "info" },
    process.env.BENCH_PROFILE ? "bench/profiles" : undefined,
  );
  const gatewayUrl = `${gateway.url}/graphql`;
  const baselineUrl = await start(["--import", "tsx", "bench/recipients-baseline-server.ts"], { DATABASE_URL: url });
  const subtreeUsers = await prisma.$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS count FROM users WHERE project_id = ${project.id}::uuid AND organization_id IN (
      WITH RECURSIVE subtree(id) AS (SELECT id FROM organizations WHERE project_id = ${project.id}::uuid AND id = ${ORGANIZATION}
        UNION SELECT o.id FROM organizations o JOIN subtree s ON o.parent_id = s.id WHERE o.project_id = ${project.id}::uuid)
      SELECT id FROM subtree)`;

  const gatewayPage = async (after: string | null) => {
    const response = await fetch(`${gatewayUrl}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey.key}` },
      body: JSON.stringify({ query: QUERY, variables: { ...SEND, after } }),
    });
    const result = (await response.json()) as { data?: { resolveRecipients: GatewayPage }; errors?: unknown };
    if (!result.data?.resolveRecipients || result.errors) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
    return result.data.resolveRecipients;
  };
  const baselinePage = async (after: string) => {
    const params = [
      project.id,
      ORGANIZATION,
      after,
      PAGE_SIZE,
      BENCH_WORKFLOW,
      BENCH_CATEGORY,
      [ORGANIZATION, "default"],
      BENCH_DATA,
      BENCH_AT,
    ];
    const response = await fetch(baselineUrl, { method: "POST", body: JSON.stringify(params) });
    if (!response.ok) throw new Error(`baseline failed: ${await response.text()}`);
    return (await response.json()) as Recipient[];
  };

  let cursor: string | null = null;
  let lastId = "";
  for (let i = 0; i < WARM_UP_PAGES; i++) await Promise.all([gatewayPage(null), baselinePage("")]);
  const times = { gateway: [] as number[], baseline: [] as number[] };
  const reasons = new Map<string, number>();
  let recipients = 0;
  let mismatches = 0;
  let firstMismatch: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    // Taking turns, each going first every other page, so that the machine's other work weighs on both alike.
    const runs = {
      gateway: async () => {
        const started = performance.now();
        const result = await gatewayPage(cursor);
        times.gateway.push(performance.now() - started);
        return result;
      },
      baseline: async () => {
        const started = performance.now();
        const result = await baselinePage(lastId);
        times.baseline.push(performance.now() - started);
        return result;
      },
    };
    const gateway = page % 2 === 0 ? await runs.gateway() : undefined;
    const baseline = await runs.baseline();
    const got = gateway ?? (await runs.gateway());
    recipients += got.nodes.length;
    for (const node of got.nodes)
      for (const decision of node.channels) reasons.set(decision.reason, (reasons.get(decision.reason) ?? 0) + 1);
    const [left, right] = [digest(got.nodes.map((node) => ({ ...node, id: node.user.id }))), digest(baseline)];
    if (left.length !== right.length) mismatches += Math.abs(left.length - right.length);
    left.forEach((line, index) => {
      if (line !== right[index]) {
        mismatches++;
        firstMismatch ??= `gateway: ${line}\nbaseline: ${right[index]}`;
      }
    });
    lastId = baseline.at(-1)?.id ?? lastId;
    if (!got.pageInfo.hasNextPage) break;
    cursor = got.pageInfo.endCursor;
  }

  const rate = (ms: number[]) => (recipients / ms.reduce((sum, one) => sum + one, 0)) * 1000;
  const percentile = (ms: number[], p: number) =>
    [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor((ms.length * p) / 100))]!;
  const row = (contender: string, ms: number[]) =>
    `| ${contender} | ${Math.round(rate(ms)).toLocaleString("en")} | ${percentile(ms, 50).toFixed(1)} | ${percentile(ms, 95).toFixed(1)} |`;
  const total = [...reasons.values()].reduce((sum, count) => sum + count, 0);
  console.log(
    [
      `### PostgreSQL, 1,000,000 users; subtree of ${ORGANIZATION}: ${subtreeUsers[0]!.count.toLocaleString("en")} users, ${recipients.toLocaleString("en")} resolved in ${times.gateway.length} pages of ${PAGE_SIZE}`,
      "",
      "| contender | recipients/s | p50 ms per page | p95 ms per page |",
      "| --- | ---: | ---: | ---: |",
      row("gateway (resolveRecipients over HTTP)", times.gateway),
      row("plain SQL baseline (over HTTP)", times.baseline),
      "",
      `gateway / baseline: ${Math.round((rate(times.gateway) / rate(times.baseline)) * 100)} %; decisions that differ: ${mismatches} of ${total.toLocaleString("en")}`,
      "",
      `Decisions by reason: ${[...reasons]
        .sort((a, b) => b[1] - a[1])
        .map(([reason, count]) => `${reason} ${((count / total) * 100).toFixed(1)} %`)
        .join(", ")}`,
    ].join("\n"),
  );
  if (firstMismatch) console.error(`First difference:\n${firstMismatch}`);
} finally {
  await Promise.all([...children.map((child) => stop(child)), gateway?.stop()]);
  await target.close();
}

/** A line per recipient with its decisions in a fixed order: what both contenders must agree on. */
function digest(page: Recipient[]): string[] {
  return page.map((recipient) => {
    const decisions = recipient.channels.map((decision) =>
      [
        decision.channelType,
        decision.channel?.id ?? "",
        decision.provider ?? "",
        decision.destination ?? "",
        decision.allowed,
        decision.reason,
        decision.allowedAt ? new Date(decision.allowedAt).toISOString() : "",
      ].join(" "),
    );
    return `${recipient.id} ${recipient.reachable} ${decisions.sort().join("; ")}`;
  });
}

async function start(args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const listening = /"url":"([^"]+)"/.exec(output);
      if (listening) {
        child.stdout!.off("data", onData);
        // Keep draining the log so that the gateway never blocks on a full pipe.
        child.stdout!.resume();
        resolve(listening[1]!);
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}:\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
