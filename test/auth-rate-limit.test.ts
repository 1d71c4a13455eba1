import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { unreachable } from "./support/redis.ts";
import { type GraphQLResponse, startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.prisma.user.createMany({
    data: [
      { projectId: server.projectId, id: "ada" },
      { projectId: server.projectId, id: "grace" },
    ],
  });
});
afterAll(() => server.close());

const QUERY = '{ user(id: "ada") { id } }';
const LIMIT = { RATE_LIMIT_PER_MINUTE: "3" };

function expectRateLimited(response: GraphQLResponse, limit: number) {
  expect(response.status).toBe(429);
  const [error] = response.errors!;
  expect(error!.extensions).toMatchObject({ code: "RATE_LIMITED", status: 429, details: { limit, window: 60 } });
  const { retryAfter } = error!.extensions.details;
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(response.headers.get("retry-after")).toBe(String(retryAfter));
  expect(response.headers.get("x-request-id")).toBe(error!.extensions.requestId);
}

async function send(graphql: TestServer["graphql"], count: number, options?: Parameters<TestServer["graphql"]>[2]) {
  const responses: GraphQLResponse[] = [];
  for (let i = 0; i < count; i++) responses.push(await graphql(QUERY, {}, options));
  return responses;
}

describe("rate limit per key, in memory", () => {
  test("RATE_LIMIT_PER_MINUTE requests pass; the next is 429 RATE_LIMITED with Retry-After", async () => {
    const { graphql } = await server.startInstance(LIMIT);
    for (const response of await send(graphql, 3)) expect(response.status).toBe(200);
    expectRateLimited(await graphql(QUERY), 3);
  });

  test("each key has its own budget", async () => {
    const { graphql } = await server.startInstance(LIMIT);
    await send(graphql, 4);
    const other = await server.createProject("test");
    expect((await graphql(QUERY, {}, { key: other.secretKey })).status).toBe(200);
  });

  test("each user token has its own budget under one publishable key", async () => {
    const { graphql } = await server.startInstance(LIMIT);
    const publishableKey = await server.createPublishableKey();
    const asUser = async (userId: string) => {
      const created = await server.graphql(`mutation { createUserToken(userId: "${userId}") { ... on CreateUserTokenSuccess { token } } }`);
      return { key: null, headers: { "x-api-key": publishableKey, authorization: `Bearer ${created.data.createUserToken.token}` } };
    };
    const ada = await asUser("ada");
    for (const response of await send(graphql, 3, ada)) expect(response.status).toBe(403); // counted, though refused
    expectRateLimited(await graphql("{ me { id } }", {}, ada), 3);
    expect((await graphql("{ me { id } }", {}, await asUser("grace"))).data).toEqual({ me: { id: "grace" } });
  });

  test("requests without valid credentials are refused before they cost anything", async () => {
    const { graphql } = await server.startInstance(LIMIT);
    await send(graphql, 5, { key: "sk_unknown" });
    for (const response of await send(graphql, 3)) expect(response.status).toBe(200);
  });

  test("with REDIS_URL unreachable, each process still limits in memory", async () => {
    const { graphql } = await server.startInstance({ ...LIMIT, REDIS_URL: "redis://127.0.0.1:1" });
    for (const response of await send(graphql, 3)) expect(response.status).toBe(200);
    expectRateLimited(await graphql(QUERY), 3);
  });
});

const redisUrl = process.env.REDIS_URL;
const redisMissing = redisUrl ? await unreachable(redisUrl) : "REDIS_URL is not set";

describe.skipIf(redisMissing)(
  `rate limit shared through Redis${redisMissing ? ` — skipped: ${redisMissing}; .ci/run starts Redis and sets it` : ""}`,
  () => {
    test("two gateway instances enforce one limit per key", async () => {
      const env = { ...LIMIT, REDIS_URL: redisUrl! };
      const first = await server.startInstance(env);
      const second = await server.startInstance(env);
      const { secretKey } = await server.createProject("test"); // a new key: a budget of its own in Redis
      expect((await first.graphql(QUERY, {}, { key: secretKey })).status).toBe(200);
      expect((await second.graphql(QUERY, {}, { key: secretKey })).status).toBe(200);
      expect((await first.graphql(QUERY, {}, { key: secretKey })).status).toBe(200);
      expectRateLimited(await second.graphql(QUERY, {}, { key: secretKey }), 3);
      expectRateLimited(await first.graphql(QUERY, {}, { key: secretKey }), 3);
    });
  },
);
