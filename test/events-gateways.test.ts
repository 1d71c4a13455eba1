import { createServer, type Server } from "node:http";
import { createClient } from "graphql-sse";
import { afterAll, afterEach, describe, expect, inject, test } from "vitest";
import { freshDatabase, graphql, type Started, startFromSources } from "./support/process.ts";
import { unreachable } from "./support/redis.ts";

// The change feed as users run it: gateways in processes of their own, over real HTTP.

const running = new Set<Started>();
afterEach(async () => {
  for (const gateway of running) await kill(gateway);
});

async function start(env: Record<string, string>) {
  const gateway = await startFromSources({ EVENT_POLL_MS: "5000", ...env });
  running.add(gateway);
  return gateway;
}

async function kill(gateway: Started) {
  running.delete(gateway);
  gateway.process.kill("SIGKILL");
  await gateway.exited;
}

const SUBSCRIPTION = "subscription($after: String) { directoryEvents(after: $after) { cursor type userId } }";

/** Subscribes through the graphql-sse protocol (/graphql/stream) and collects what arrives. */
function subscribe(url: string, key: string, variables: Record<string, unknown> = {}) {
  const client = createClient({ url: `${url}/stream`, headers: { authorization: `Bearer ${key}` } });
  const events: Record<string, any>[] = [];
  const errors: unknown[] = [];
  const stop = client.subscribe(
    { query: SUBSCRIPTION, variables },
    {
      next: ({ data }) => data && events.push(data.directoryEvents as Record<string, any>),
      error: (error) => errors.push(error),
      complete: () => {},
    },
  );
  return {
    events,
    errors,
    async until(count: number, withinMs = 10_000) {
      const deadline = Date.now() + withinMs;
      while (events.length < count && errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      return events;
    },
    close() {
      stop();
      client.dispose();
    },
  };
}

const upsert = (url: string, key: string, id: string) =>
  graphql(url, key, `mutation { upsertUser(id: "${id}", input: { name: "${id}" }) { __typename } }`);

test("graphql-sse over real HTTP: live events and a resume from a cursor", async () => {
  const { env, key, drop } = await freshDatabase();
  try {
    const gateway = await start(env);
    const live = subscribe(gateway.url, key);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const id of ["http-1", "http-2"]) await upsert(gateway.url, key, id);
    // Woken in process: far sooner than the 5 s poll.
    const events = await live.until(2, 3000);
    expect(live.errors).toEqual([]);
    live.close();
    expect(events.map((event) => event.userId)).toEqual(["http-1", "http-2"]);
    const resumed = subscribe(gateway.url, key, { after: events[0]!.cursor });
    expect((await resumed.until(1)).map((event) => event.userId)).toEqual(["http-2"]);
    resumed.close();
  } finally {
    for (const gateway of running) await kill(gateway);
    await drop();
  }
});

const redisUrl = process.env.REDIS_URL;
const missing =
  inject("testDatabase").kind !== "postgres"
    ? "two processes cannot share an embedded database (TEST_DATABASE_URL runs it on PostgreSQL)"
    : redisUrl
      ? await unreachable(redisUrl)
      : "REDIS_URL is not set";

/** A webhook receiver counting deliveries by webhook-id; `failing` answers 500. */
function receiver() {
  const ids: string[] = [];
  const state = { failing: false };
  const http: Server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      if (!state.failing) ids.push(String(request.headers["webhook-id"]));
      response.writeHead(state.failing ? 500 : 204).end();
    });
  });
  return {
    ids,
    state,
    listen: () =>
      new Promise<string>((resolve) =>
        http.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(http.address() as { port: number }).port}/`)),
      ),
    close: () => new Promise((resolve) => http.close(resolve)),
  };
}

describe.skipIf(missing)(`two gateways sharing PostgreSQL and Redis${missing ? ` — skipped: ${missing}` : ""}`, () => {
  const hooks = receiver();
  afterAll(() => hooks.close());

  test("a subscriber on one gateway receives what another commits; webhooks go out once, and after a kill -9 and restart", async () => {
    const { env, key, drop } = await freshDatabase();
    const shared = {
      ...env,
      REDIS_URL: redisUrl!,
      WEBHOOK_ALLOW_PRIVATE_URLS: "true",
      WEBHOOK_RETRY_SCHEDULE: "0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2",
    };
    try {
      const url = await hooks.listen();
      const a = await start(shared);
      const b = await start(shared);
      const created = await graphql(a.url, key, `mutation { createWebhookEndpoint(input: { url: "${url}" }) { __typename } }`);
      expect(created.body.data.createWebhookEndpoint.__typename).toBe("CreateWebhookEndpointSuccess");

      const live = subscribe(a.url, key);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const started = Date.now();
      for (let i = 0; i < 10; i++) await upsert(b.url, key, `two-${i}`);
      // Through Redis: well before the 5 s poll.
      const events = await live.until(10, 4000);
      expect(Date.now() - started).toBeLessThan(4000);
      live.close();
      expect(events.map((event) => event.userId)).toEqual(Array.from({ length: 10 }, (_, i) => `two-${i}`));

      const deadline = Date.now() + 15_000;
      while (hooks.ids.length < 10 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(hooks.ids).toHaveLength(10);
      expect(new Set(hooks.ids).size).toBe(10);

      // The receiver fails; both gateways die; the event waits in the log and goes out once a gateway is back.
      hooks.state.failing = true;
      await upsert(a.url, key, "after-crash");
      await new Promise((resolve) => setTimeout(resolve, 300));
      await kill(a);
      await kill(b);
      hooks.state.failing = false;
      await start(shared);
      const back = Date.now() + 15_000;
      while (hooks.ids.length < 11 && Date.now() < back) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(hooks.ids).toHaveLength(11);
    } finally {
      for (const gateway of running) await kill(gateway);
      await drop();
    }
  }, 60_000);
});
