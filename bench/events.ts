// npm run bench:events — what the change feed costs and how fast it is.
// 1. Upsert throughput over HTTP with the outbox on against the same upserts
//    with it off (bench/events-gateway.ts), in the same run, on two throwaway
//    databases on BENCH_DATABASE_URL's server (off: a trigger discards the
//    events); autocannon drives.
// 2. End-to-end latency from a write on one gateway to a subscriber on
//    another (two `src/main.ts` processes sharing the database and Redis).
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { generateKey } from "../src/auth/keys.ts";
import { readCommandLineOrExit } from "../src/command-line.ts";
import { openMigratedDatabase } from "../src/db/migrate.ts";
import { adminQuery, databaseUrl } from "../src/db/server-admin.ts";
import { launch, type Started } from "../test/support/process.ts";

const USAGE = `Usage: npm run bench:events

  Upsert throughput with the change feed's outbox on against off (over HTTP, autocannon), and
  the latency from a write on one gateway to a subscriber on another (through Redis), on a
  throwaway database on the PostgreSQL server BENCH_DATABASE_URL (default
  postgres://postgres@127.0.0.1:5432/postgres), dropped at the end. REDIS_URL (default
  redis://127.0.0.1:6379); BENCH_SECONDS: seconds per throughput run (default 8);
  BENCH_CONNECTIONS: concurrent HTTP connections (default 16). Takes no arguments.`;
readCommandLineOrExit(USAGE, (args) => parseArgs({ args, options: {}, strict: true }));

const SERVER = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const LATENCY_WRITES = 200;

// The outbox off: a database like the other whose directory_events keeps no row (a trigger discards them).
const name = `directory_bench_events_${process.pid}`;
const offName = `${name}_off`;
for (const database of [name, offName]) await adminQuery(SERVER, `CREATE DATABASE "${database}"`);
const url = databaseUrl(SERVER, name);
const offUrl = databaseUrl(SERVER, offName);
const key = generateKey("SECRET");
const env = { DATABASE_URL: url, DIRECTORY_SECRET_KEY: key, RATE_LIMIT_PER_MINUTE: "1000000000", LOG_LEVEL: "info" };
const started: Started[] = [];
try {
  for (const database of [url, offUrl]) await (await openMigratedDatabase({ kind: "postgres", url: database })).db.close();
  await adminQuery(
    offUrl,
    `CREATE FUNCTION discard_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
     CREATE TRIGGER discard_events BEFORE INSERT ON directory_events FOR EACH ROW EXECUTE FUNCTION discard_row()`,
  );
  const throughput = await compareThroughput();
  const latency = await measureLatency();
  console.log(`\nchange feed, PostgreSQL, ${CONNECTIONS} connections, ${SECONDS} s per run\n`);
  console.log("| measure | outbox off | outbox on | ratio |");
  console.log("|---|---|---|---|");
  console.log(
    `| upsertUser per second | ${throughput.off.toFixed(0)} | ${throughput.on.toFixed(0)} | ${(throughput.on / throughput.off).toFixed(2)} |`,
  );
  console.log("\n| write on gateway B → event at a subscriber on gateway A (Redis) | p50 | p95 | max |");
  console.log("|---|---|---|---|");
  console.log(`| from the request sent, ms | ${latency.fromSent.p50} | ${latency.fromSent.p95} | ${latency.fromSent.max} |`);
  console.log(`| from the commit acknowledged, ms | ${latency.fromCommit.p50} | ${latency.fromCommit.p95} | ${latency.fromCommit.max} |`);
} finally {
  for (const gateway of started) gateway.process.kill("SIGKILL");
  for (const database of [name, offName]) await adminQuery(SERVER, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
}

async function gateway(entry: string, extra: Record<string, string>) {
  const one = await launch(process.execPath, ["--import", "tsx", entry], { ...env, ...extra });
  started.push(one);
  return one;
}

/** Upserts per second of new users, each with a property and a tag, for `seconds`. */
async function upsertsPerSecond(target: string, seconds: number): Promise<number> {
  const prefix = randomUUID().slice(0, 8);
  let next = 0;
  const query = `mutation($id: ID!) { upsertUser(id: $id, input: { name: "Bench", tags: ["bench"], properties: { plan: "pro" } }) { __typename } }`;
  const result = await autocannon({
    url: target,
    connections: CONNECTIONS,
    duration: seconds,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify({ query, variables: { id: `${prefix}-${next++}` } }) }) }],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

/**
 * Off and on alternate twice, after a warm-up each, so that drift of the
 * shared machine hits both alike. Each gateway has a subscriber following the
 * feed, as a deployment would: with the outbox on, its reads number the
 * events the upserts commit.
 */
async function compareThroughput() {
  const off = await gateway("bench/events-gateway.ts", { DATABASE_URL: offUrl });
  const on = await gateway("bench/events-gateway.ts", {});
  let followed = 0;
  const subscribers = await Promise.all([off, on].map((server) => subscribe(server.url, () => followed++)));
  const rates = { off: [] as number[], on: [] as number[] };
  for (const round of [0, 1]) {
    for (const [mode, server] of [
      ["off", off],
      ["on", on],
    ] as const) {
      if (round === 0) await upsertsPerSecond(server.url, 2);
      rates[mode].push(await upsertsPerSecond(server.url, SECONDS / 2));
    }
  }
  for (const subscriber of subscribers) await subscriber.stop();
  for (const one of [off, on]) one.process.kill("SIGKILL");
  if (followed === 0) throw new Error("the subscriber received no event");
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return { off: mean(rates.off), on: mean(rates.on) };
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50).toFixed(1), p95: percentile(sorted, 95).toFixed(1), max: sorted.at(-1)!.toFixed(1) };
}

/** Writes on B one at a time; a subscriber on A notes when each event arrives. The poll (5 s) is out of the way. */
async function measureLatency() {
  const shared = { REDIS_URL, EVENT_POLL_MS: "5000" };
  const a = await gateway("src/main.ts", shared);
  const b = await gateway("src/main.ts", shared);
  const arrived = new Map<string, number>();
  const subscriber = await subscribe(a.url, (userId) => arrived.set(userId, performance.now()));
  const sent = new Map<string, number>();
  const committed = new Map<string, number>();
  for (let i = 0; i < LATENCY_WRITES; i++) {
    const id = `latency-${i}`;
    sent.set(id, performance.now());
    const answer = await fetch(b.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: `mutation { upsertUser(id: "${id}", input: { name: "L" }) { __typename } }` }),
    });
    await answer.text();
    committed.set(id, performance.now());
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const deadline = Date.now() + 10_000;
  while (arrived.size < LATENCY_WRITES && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await subscriber.stop();
  if (arrived.size < LATENCY_WRITES) throw new Error(`only ${arrived.size} of ${LATENCY_WRITES} events arrived`);
  const ids = [...sent.keys()];
  return {
    fromSent: stats(ids.map((id) => arrived.get(id)! - sent.get(id)!)),
    fromCommit: stats(ids.map((id) => Math.max(0, arrived.get(id)! - committed.get(id)!))),
  };
}

/** A subscription to every event over SSE, calling `onEvent` with each event's user id, until stopped. */
async function subscribe(url: string, onEvent: (userId: string) => void) {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: "subscription { directoryEvents { userId } }" }),
    signal: abort.signal,
  });
  const reading = (async () => {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const data = buffer
            .slice(0, end)
            .split("\n")
            .find((line) => line.startsWith("data:") && line.length > 6);
          buffer = buffer.slice(end + 2);
          const userId = data && JSON.parse(data.slice(5)).data?.directoryEvents?.userId;
          if (userId) onEvent(userId);
        }
      }
    } catch {
      // aborted at the end
    }
  })();
  // The subscription starts from the head of the log once the gateway has answered: give it that moment.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return {
    async stop() {
      abort.abort();
      await reading;
    },
  };
}
