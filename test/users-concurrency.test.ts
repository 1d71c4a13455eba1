import { afterAll, beforeAll, expect, test } from "vitest";
import { type TestServer, startTestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const UPSERT = /* GraphQL */ `
  mutation Upsert($id: ID!, $input: UpsertUserInput!) {
    upsertUser(id: $id, input: $input) {
      __typename
      ... on UpsertUserSuccess { created user { version } }
    }
  }
`;
const BULK = /* GraphQL */ `
  mutation Bulk($users: [BulkUpsertUserInput!]!) {
    upsertUsers(users: $users) { failedCount }
  }
`;
const USER = /* GraphQL */ `query User($id: ID!) { user(id: $id) { tags properties version } }`;

const WRITERS = Array.from({ length: 100 }, (_, i) => i);

async function hundredWriters(id: string) {
  const responses = await Promise.all(
    WRITERS.map((i) => server.graphql(UPSERT, { id, input: { properties: { [`key${i}`]: i }, addTags: [`tag${i}`] } })),
  );
  for (const response of responses) expect(response.data?.upsertUser.__typename).toBe("UpsertUserSuccess");
  const user = (await server.graphql(USER, { id })).data.user;
  expect(Object.keys(user.properties).sort()).toEqual(WRITERS.map((i) => `key${i}`).sort());
  expect([...user.tags].sort()).toEqual(WRITERS.map((i) => `tag${i}`).sort());
  return { responses, user };
}

test("100 parallel upserts of one user, each adding a property key and a tag, keep all of them", async () => {
  await server.graphql(UPSERT, { id: "crowded", input: { properties: {} } });
  const { user } = await hundredWriters("crowded");
  expect(user.version).toBe(101);
});

test("100 parallel upserts of a user that does not exist yet create it once and keep every write", async () => {
  const { responses, user } = await hundredWriters("stampede");
  expect(responses.filter((response) => response.data.upsertUser.created)).toHaveLength(1);
  expect(user.version).toBe(100);
});

test("bulk upserts sharing users, in opposite orders, neither deadlock nor lose writes", async () => {
  const ids = Array.from({ length: 50 }, (_, i) => `shared-${String(i).padStart(2, "0")}`);
  const batch = (n: number, order: string[]) =>
    server.graphql(BULK, { users: order.map((id) => ({ id, input: { properties: { [`batch${n}`]: true } } })) });
  const responses = await Promise.all(
    Array.from({ length: 6 }, (_, n) => batch(n, n % 2 === 0 ? ids : [...ids].reverse())),
  );
  for (const response of responses) expect(response.data?.upsertUsers.failedCount).toBe(0);
  const users = await server.prisma.user.findMany({ where: { id: { in: ids } } });
  expect(users).toHaveLength(50);
  for (const user of users) expect(Object.keys(user.properties as object)).toHaveLength(6);
});

test("two users taking each other's push tokens at once, again and again, all succeed and each token has one owner", async () => {
  const token = (name: string) => ({ provider: "FCM", token: `device-of-${name}` });
  await server.graphql(UPSERT, { id: "swap-a", input: { pushTokens: [token("a")] } });
  await server.graphql(UPSERT, { id: "swap-b", input: { pushTokens: [token("b")] } });
  for (let round = 0; round < 10; round++) {
    const responses = await Promise.all([
      server.graphql(UPSERT, { id: "swap-a", input: { pushTokens: [token("b")] } }),
      server.graphql(UPSERT, { id: "swap-b", input: { pushTokens: [token("a")] } }),
    ]);
    for (const response of responses) {
      expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      expect(response.data.upsertUser.__typename).toBe("UpsertUserSuccess");
    }
  }
  const owners = await server.prisma.pushToken.findMany({ where: { projectId: server.projectId, token: { startsWith: "device-of-" } } });
  expect(owners).toHaveLength(2);
});
