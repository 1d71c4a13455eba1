import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { inProcessSignals } from "../src/events/signals.ts";
import { createLogger } from "../src/logger.ts";
import { enqueueDeliveries, sendDueDeliveries } from "../src/webhooks/dispatch.ts";
import { postJson } from "../src/webhooks/post.ts";
import { startWebhookWorker } from "../src/webhooks/worker.ts";
import { startTestServer, type TestServer, testEncryptionKey } from "./support/test-server.ts";

// Webhooks: endpoints through GraphQL, deliveries from the log to a local receiver.

type Received = { body: string; headers: IncomingHttpHeaders };

/** A receiver whose answer each test decides; it records what it got. */
function receiver() {
  const received: Received[] = [];
  let answer: (request: Received) => number | "hang" = () => 200;
  const http: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const got = { body, headers: request.headers };
      received.push(got);
      const status = answer(got);
      if (status === "hang") return;
      response.writeHead(status).end();
    });
  });
  return {
    received,
    answerWith: (next: typeof answer) => (answer = next),
    listen: () =>
      new Promise<string>((resolve) =>
        http.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(http.address() as { port: number }).port}/hook`)),
      ),
    close: () => {
      http.closeAllConnections();
      return new Promise((resolve) => http.close(resolve));
    },
  };
}

let server: TestServer;
let gql: TestServer["graphql"];
const hooks = receiver();
let url: string;
beforeAll(async () => {
  server = await startTestServer();
  ({ graphql: gql } = await server.startInstance({ WEBHOOK_ALLOW_PRIVATE_URLS: "true", SECRET_KEY_CACHE_SECONDS: "3600" }));
  url = await hooks.listen();
});
afterAll(async () => {
  await hooks.close();
  await server.close();
});

const CREATE = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  __typename ... on CreateWebhookEndpointSuccess { secret endpoint { id url eventTypes enabled } }
  ... on ValidationError { fields { field message reason } } } }`;
const OPTIONS = { allowPrivate: true, scheduleSeconds: [0.05, 0.05, 0.05], timeoutMs: 500, batch: 20, encryptionKey: testEncryptionKey };

const upsert = (id: string, name: string) =>
  server.graphql(`mutation($id: ID!, $name: String) { upsertUser(id: $id, input: { name: $name }) { __typename } }`, { id, name });

/** Runs delivery rounds until `done` holds or 10 s have passed. */
async function deliverUntil(done: () => boolean) {
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) {
    await enqueueDeliveries(server.prisma);
    if ((await sendDueDeliveries(server.prisma, OPTIONS)) === 0) await new Promise((resolve) => setTimeout(resolve, 60));
  }
}

async function createEndpoint(input: object = {}) {
  const created = (await gql(CREATE, { input: { url, ...input } })).data.createWebhookEndpoint;
  expect(created.__typename).toBe("CreateWebhookEndpointSuccess");
  return created as { secret: string; endpoint: { id: string } };
}

async function disable(id: string) {
  await gql(`mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false }) { __typename } }`, { id });
}

describe("endpoints", () => {
  test("the secret is shown on creation and rotation only; listing, updating and deleting", async () => {
    const { secret, endpoint } = await createEndpoint({ eventTypes: ["USER_CREATED", "USER_CREATED"], description: "crm" });
    expect(secret).toMatch(/^whsec_/);
    expect(endpoint).toMatchObject({ url, eventTypes: ["USER_CREATED"], enabled: true });
    const listed = await gql(`{ webhookEndpoints { id description } }`);
    expect(listed.data.webhookEndpoints).toContainEqual({ id: endpoint.id, description: "crm" });
    expect(JSON.stringify(listed)).not.toContain(secret);
    const rotated = await gql(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { ... on RotateWebhookSecretSuccess { secret } } }`, {
      id: endpoint.id,
    });
    expect(rotated.data.rotateWebhookSecret.secret).not.toBe(secret);
    const updated = await gql(
      `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { eventTypes: [] }) {
      ... on UpdateWebhookEndpointSuccess { endpoint { eventTypes } } } }`,
      { id: endpoint.id },
    );
    expect(updated.data.updateWebhookEndpoint.endpoint.eventTypes).toEqual([]);
    const deleted = `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }`;
    expect((await gql(deleted, { id: endpoint.id })).data.deleteWebhookEndpoint.__typename).toBe("DeleteWebhookEndpointSuccess");
    expect((await gql(deleted, { id: endpoint.id })).data.deleteWebhookEndpoint.__typename).toBe("NotFoundError");
    expect((await gql(deleted, { id: "not-a-uuid" })).data.deleteWebhookEndpoint.__typename).toBe("NotFoundError");
  });

  test("SSRF: only https on public addresses, unless WEBHOOK_ALLOW_PRIVATE_URLS", async () => {
    for (const bad of [
      "http://example.com/hook",
      "https://127.0.0.1/hook",
      "https://10.1.2.3/hook",
      "https://169.254.169.254/latest",
      "https://[::1]/hook",
      "https://localhost/hook",
      "https://user:pw@example.com/",
      "ftp://example.com/",
      "not a url",
      "",
    ]) {
      const result = await server.graphql(CREATE, { input: { url: bad } });
      expect(result.data.createWebhookEndpoint, bad).toMatchObject({ __typename: "ValidationError", fields: [{ field: "url" }] });
    }
    const ok = await server.graphql(CREATE, { input: { url: "https://hooks.example.com/directory" } });
    expect(ok.data.createWebhookEndpoint.__typename).toBe("CreateWebhookEndpointSuccess");
    await disable(ok.data.createWebhookEndpoint.endpoint.id);
    // A public-looking name that resolves to loopback is refused when connecting.
    const refused = await postJson("https://localhost:9/hook", "{}", {}, 1000, false);
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/not a public address/) });
  });

  test("tenancy: another project neither sees nor changes an endpoint, nor reads its deliveries", async () => {
    const { endpoint } = await createEndpoint();
    const other = await server.createProject("hooks-other");
    const listed = await gql(`{ webhookEndpoints { id } }`, {}, { key: other.secretKey });
    expect(listed.data.webhookEndpoints).toEqual([]);
    const update = await gql(
      `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false }) { __typename } }`,
      { id: endpoint.id },
      {
        key: other.secretKey,
      },
    );
    expect(update.data.updateWebhookEndpoint.__typename).toBe("NotFoundError");
    const deliveries = await gql(
      `query($id: ID!) { webhookDeliveries(endpointId: $id) { nodes { id } } }`,
      { id: endpoint.id },
      { key: other.secretKey },
    );
    expect(deliveries.data.webhookDeliveries).toBeNull();
    await disable(endpoint.id);
  });
});

describe("deliveries", () => {
  test("signed the Standard Webhooks way, verified by the library; one per event, in order", async () => {
    const { secret, endpoint } = await createEndpoint();
    hooks.received.length = 0;
    for (const name of ["one", "two", "three"]) await upsert("hook-ada", name);
    await deliverUntil(() => hooks.received.length >= 3);
    const verifier = new Webhook(secret);
    const payloads = hooks.received.map(
      ({ body, headers }) => verifier.verify(body, headers as Record<string, string>) as Record<string, any>,
    );
    expect(payloads.map((payload) => [payload.type, payload.data.userId, payload.data.version])).toEqual([
      ["USER_CREATED", "hook-ada", 1],
      ["USER_UPDATED", "hook-ada", 2],
      ["USER_UPDATED", "hook-ada", 3],
    ]);
    expect(hooks.received[0]!.headers["webhook-id"]).toBe(payloads[0]!.data.id);
    const tampered = { ...hooks.received[0]!.headers, "webhook-signature": "v1,AAAA" } as unknown as Record<string, string>;
    expect(() => verifier.verify(hooks.received[0]!.body, tampered)).toThrow();
    const listed = await gql(
      `query($id: ID!) { webhookDeliveries(endpointId: $id, first: 2) { nodes { status attempts } pageInfo { hasNextPage } } }`,
      {
        id: endpoint.id,
      },
    );
    expect(listed.data.webhookDeliveries).toEqual({
      nodes: [
        { status: "SUCCEEDED", attempts: 1 },
        { status: "SUCCEEDED", attempts: 1 },
      ],
      pageInfo: { hasNextPage: true },
    });
    await disable(endpoint.id);
  });

  test("retried after 500s and timeouts, a user's later events waiting behind its earlier one", async () => {
    const { endpoint } = await createEndpoint();
    hooks.received.length = 0;
    let calls = 0;
    hooks.answerWith(() => {
      calls++;
      return calls === 1 ? 500 : calls === 2 ? "hang" : 200;
    });
    await upsert("hook-grace", "first");
    await upsert("hook-grace", "second");
    await deliverUntil(() => hooks.received.filter((got) => got.body.includes("hook-grace")).length >= 4);
    hooks.answerWith(() => 200);
    const versions = hooks.received.map((got) => JSON.parse(got.body).data.version);
    // 500, timeout, then success of the first; the second only after it.
    expect(versions).toEqual([1, 1, 1, 2]);
    const listed = await gql(`query($id: ID!) { webhookDeliveries(endpointId: $id) { nodes { status attempts lastStatusCode } } }`, {
      id: endpoint.id,
    });
    expect(listed.data.webhookDeliveries.nodes).toEqual([
      { status: "SUCCEEDED", attempts: 1, lastStatusCode: 200 },
      { status: "SUCCEEDED", attempts: 3, lastStatusCode: 200 },
    ]);
    await disable(endpoint.id);
  });

  test("a delivery out of attempts fails, retryWebhookDelivery sends it again; an endpoint failing 5 days is disabled", async () => {
    const { endpoint } = await createEndpoint();
    hooks.answerWith(() => 503);
    await upsert("hook-linus", "x");
    const statusOf = async () => (await server.prisma.webhookDelivery.findFirst({ where: { endpointId: endpoint.id } }))?.status;
    const deadline = Date.now() + 10_000;
    while ((await statusOf()) !== "FAILED" && Date.now() < deadline) {
      await enqueueDeliveries(server.prisma);
      await sendDueDeliveries(server.prisma, OPTIONS);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    const delivery = await server.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } });
    expect(delivery).toMatchObject({ status: "FAILED", attempts: 4, lastStatusCode: 503 });
    hooks.answerWith(() => 200);
    const retried = await gql(
      `mutation($id: ID!) { retryWebhookDelivery(id: $id) { ... on RetryWebhookDeliverySuccess { delivery { status } } } }`,
      {
        id: delivery.id,
      },
    );
    expect(retried.data.retryWebhookDelivery.delivery.status).toBe("PENDING");
    await sendDueDeliveries(server.prisma, OPTIONS);
    expect(await statusOf()).toBe("SUCCEEDED");

    hooks.answerWith(() => 500);
    await server.prisma.webhookEndpoint.update({
      where: { id: endpoint.id },
      data: { failingSince: new Date(Date.now() - 6 * 86_400_000) },
    });
    await upsert("hook-linus", "y");
    await enqueueDeliveries(server.prisma);
    await sendDueDeliveries(server.prisma, OPTIONS);
    hooks.answerWith(() => 200);
    const listed = await gql(`{ webhookEndpoints { id enabled disabledReason } }`);
    const disabled = listed.data.webhookEndpoints.find((one: { id: string }) => one.id === endpoint.id);
    expect(disabled).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/5 days/) });
  });

  test("two workers at once deliver each event once; a crashed worker's lease runs out and another delivers", async () => {
    const { endpoint } = await createEndpoint();
    hooks.received.length = 0;
    for (let i = 0; i < 12; i++) await upsert(`hook-many-${i}`, "n");
    const signals = inProcessSignals();
    // A generous timeout: on a busy machine a slow answer would be sent again (at least once), which this test does not count.
    const workers = [1, 2].map(() =>
      startWebhookWorker(server.prisma, createLogger("silent"), signals, { ...OPTIONS, timeoutMs: 10_000, pollMs: 50 }),
    );
    const deadline = Date.now() + 10_000;
    while (hooks.received.length < 12 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await Promise.all(workers.map((worker) => worker.stop()));
    const ids = hooks.received.map((got) => got.headers["webhook-id"]);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);

    // A worker that leased a delivery and died: its lease runs out, then the delivery goes out.
    hooks.received.length = 0;
    await upsert("hook-crash", "n");
    await enqueueDeliveries(server.prisma);
    await server.prisma.webhookDelivery.updateMany({
      where: { endpointId: endpoint.id, status: "PENDING" },
      data: { leasedUntil: new Date(Date.now() + 60_000), attempts: 1 },
    });
    expect(await sendDueDeliveries(server.prisma, OPTIONS)).toBe(0);
    await server.prisma.webhookDelivery.updateMany({
      where: { endpointId: endpoint.id, status: "PENDING" },
      data: { leasedUntil: new Date(Date.now() - 1) },
    });
    expect(await sendDueDeliveries(server.prisma, OPTIONS)).toBe(1);
    expect(hooks.received).toHaveLength(1);
    await disable(endpoint.id);
  });
});

describe("signing secrets at rest", () => {
  const storedSecret = async (id: string) => (await server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } })).secret;

  test("stored encrypted, bound to the endpoint; deliveries are signed with the secret handed out, also after rotation", async () => {
    const { secret, endpoint } = await createEndpoint();
    const stored = await storedSecret(endpoint.id);
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain(secret.slice("whsec_".length));
    const rotated = (
      await gql(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { ... on RotateWebhookSecretSuccess { secret } } }`, {
        id: endpoint.id,
      })
    ).data.rotateWebhookSecret.secret as string;
    const storedAfter = await storedSecret(endpoint.id);
    expect(storedAfter).toMatch(/^v1\./);
    expect(storedAfter).not.toBe(stored);
    expect(storedAfter).not.toContain(rotated.slice("whsec_".length));
    // Copied onto another endpoint, the stored value does not decrypt: it is bound to its own.
    const other = await createEndpoint();
    await server.prisma.webhookEndpoint.update({ where: { id: other.endpoint.id }, data: { secret: storedAfter } });

    hooks.received.length = 0;
    await upsert("hook-at-rest", "n");
    await deliverUntil(() => hooks.received.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hooks.received).toHaveLength(1);
    expect(() => new Webhook(rotated).verify(hooks.received[0]!.body, hooks.received[0]!.headers as Record<string, string>)).not.toThrow();
    const copied = await server.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId: other.endpoint.id } });
    expect(copied.status).not.toBe("SUCCEEDED");
    expect(copied.lastError).toMatch(/could not be decrypted/);
    await disable(endpoint.id);
    await disable(other.endpoint.id);
  });

  test("a secret stored in clear before secrets were encrypted still signs; a gateway with another key sends nothing and says why", async () => {
    const { endpoint } = await createEndpoint();
    const legacy = `whsec_${Buffer.alloc(24, 7).toString("base64")}`;
    await server.prisma.webhookEndpoint.update({ where: { id: endpoint.id }, data: { secret: legacy } });
    hooks.received.length = 0;
    await upsert("hook-legacy", "n");
    await deliverUntil(() => hooks.received.length >= 1);
    expect(() => new Webhook(legacy).verify(hooks.received[0]!.body, hooks.received[0]!.headers as Record<string, string>)).not.toThrow();

    const rotated = await gql(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { __typename } }`, { id: endpoint.id });
    expect(rotated.data.rotateWebhookSecret.__typename).toBe("RotateWebhookSecretSuccess");
    hooks.received.length = 0;
    await upsert("hook-legacy", "m");
    await enqueueDeliveries(server.prisma);
    const otherKey = () => Promise.resolve(randomBytes(32));
    expect(await sendDueDeliveries(server.prisma, { ...OPTIONS, encryptionKey: otherKey })).toBe(1);
    expect(hooks.received).toHaveLength(0);
    const refused = await server.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id, status: "PENDING" } });
    expect(refused.lastError).toMatch(/could not be decrypted with this gateway's key/);
    // With the right key, the retry goes out.
    await deliverUntil(() => hooks.received.length >= 1);
    expect(hooks.received).toHaveLength(1);
    await disable(endpoint.id);
  });

  test("on PostgreSQL without DIRECTORY_ENCRYPTION_KEY, creating an endpoint says what to set and stores nothing", async () => {
    const { graphql: withoutKey } = await server.startInstance({
      DIRECTORY_ENCRYPTION_KEY: undefined,
      DATABASE_URL: "postgres://127.0.0.1:1/none",
      WEBHOOK_ALLOW_PRIVATE_URLS: "true",
      SECRET_KEY_CACHE_SECONDS: "3600",
    });
    const before = await server.prisma.webhookEndpoint.count();
    const response = await withoutKey(CREATE, { input: { url } });
    expect(response.status).toBe(503);
    expect(response.errors?.[0]?.extensions.code).toBe("ENCRYPTION_KEY_MISSING");
    expect(response.errors?.[0]?.message).toContain("DIRECTORY_ENCRYPTION_KEY");
    expect(await server.prisma.webhookEndpoint.count()).toBe(before);
  });
});
