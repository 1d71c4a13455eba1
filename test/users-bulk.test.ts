import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const BULK = /* GraphQL */ `
  mutation Bulk($users: [BulkUpsertUserInput!]!) {
    upsertUsers(users: $users) {
      createdCount updatedCount failedCount
      results {
        __typename
        ... on UpsertUserSuccess { created user { id name tags properties version } }
        ... on ValidationError { fields { field reason } }
        ... on NotFoundError { resource id }
      }
    }
  }
`;
type Item = { id: string; input: Record<string, unknown> };
const bulk = (users: Item[]) => server.graphql(BULK, { users });
const users = (count: number, input: (i: number) => Record<string, unknown>, prefix = "bulk") =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${String(i).padStart(4, "0")}`, input: input(i) }));

test("more than 1000 users is a BAD_USER_INPUT request error and writes nothing", async () => {
  const response = await bulk(users(1001, () => ({}), "too-many"));
  expect(response.status).toBe(400);
  expect(response.data).toBeNull();
  expect(response.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", details: { limit: 1000 } });
  expect(await server.prisma.user.count({ where: { id: { startsWith: "too-many" } } })).toBe(0);
});

test("one result per input, in order; a bad input fails alone and the rest are written", async () => {
  await server.prisma.organization.create({ data: { projectId: server.projectId, id: "bulk-org", name: "Bulk" } });
  await bulk([{ id: "mixed-existing", input: { name: "Before" } }]);
  const response = await bulk([
    { id: "mixed-new", input: { name: "New", organizationId: "bulk-org" } },
    { id: "mixed-bad", input: { email: "broken", tags: ["", "ok"] } },
    { id: "mixed-existing", input: { name: "After" } },
    { id: "mixed-orphan", input: { organizationId: "no-such-org" } },
    { id: "", input: {} },
  ]);
  expect(response.data.upsertUsers).toEqual({
    createdCount: 1,
    updatedCount: 1,
    failedCount: 3,
    results: [
      { __typename: "UpsertUserSuccess", created: true, user: expect.objectContaining({ id: "mixed-new", name: "New" }) },
      {
        __typename: "ValidationError",
        fields: [
          { field: "email", reason: "invalid" },
          { field: "tags.0", reason: "invalid" },
        ],
      },
      { __typename: "UpsertUserSuccess", created: false, user: expect.objectContaining({ name: "After", version: 2 }) },
      { __typename: "NotFoundError", resource: "organization", id: "no-such-org" },
      { __typename: "ValidationError", fields: [{ field: "id", reason: "invalid" }] },
    ],
  });
  const written = await server.prisma.user.findMany({ where: { id: { startsWith: "mixed-" } }, orderBy: { id: "asc" } });
  expect(written.map((user) => user.id)).toEqual(["mixed-existing", "mixed-new"]);
});

test("text PostgreSQL cannot store and deep properties fail their own input alone, at their field", async () => {
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let level = 0; level < 2000; level++) deep = { nested: deep };
  const response = await bulk([
    { id: "storable-ok-1", input: { name: "Fine", properties: { plan: "pro" } } },
    { id: "storable-nul", input: { properties: { note: "a\u0000b" } } },
    { id: "storable-key", input: { properties: { "k\u0000": 1 } } },
    { id: "storable-surrogate", input: { name: "a\ud800b", tags: ["\udc00"] } },
    { id: "storable-deep", input: { properties: deep } },
    { id: "storable-token", input: { pushTokens: [{ provider: "APNS", token: "t\u0000" }] } },
    { id: "storable-\ud800", input: {} },
    { id: "storable-ok-2", input: { tags: ["fine"] } },
  ]);
  expect(response.status).toBe(200);
  const fields = (result: { fields?: { field: string }[] }) => result.fields?.map((problem) => problem.field);
  expect(response.data.upsertUsers.results.map(fields)).toEqual([
    undefined,
    ["properties.note"],
    ["properties.k\u0000"],
    ["name", "tags.0"],
    [`properties${".nested".repeat(32)}`],
    ["pushTokens.0.token"],
    ["id"],
    undefined,
  ]);
  expect(response.data.upsertUsers).toMatchObject({ createdCount: 2, failedCount: 6 });
  const written = await server.prisma.user.findMany({ where: { id: { startsWith: "storable-" } }, orderBy: { id: "asc" } });
  expect(written.map((user) => user.id)).toEqual(["storable-ok-1", "storable-ok-2"]);
});

test("several inputs for one user apply in order; one failing among them fails alone", async () => {
  const response = await bulk([
    { id: "twice", input: { properties: { a: 1 }, tags: ["x"] } },
    { id: "twice", input: { properties: { b: 2 }, tags: ["y"], addTags: ["z"] } },
    { id: "twice", input: { properties: { c: 3 }, addTags: ["y"] } },
  ]);
  const [first, failed, last] = response.data.upsertUsers.results;
  expect(first).toMatchObject({ created: true, user: { version: 1, tags: ["x"] } });
  expect(failed).toMatchObject({ __typename: "ValidationError", fields: [{ field: "tags", reason: "conflict" }] });
  expect(last).toMatchObject({ created: false, user: { version: 2, tags: ["x", "y"], properties: { a: 1, c: 3 } } });
});

test("1000 users cost as many statements as one, created then merged", async () => {
  const count = (batch: Item[]) =>
    server.countStatements(async () => {
      expect((await bulk(batch)).data.upsertUsers.failedCount).toBe(0);
    });
  const create = (i: number) => ({ name: `User ${i}`, email: `user${i}@example.com`, tags: ["imported"], properties: { n: i } });
  const merge = (i: number) => ({ addTags: ["merged"], properties: { m: i } });
  expect(await count(users(1000, create))).toBe(await count(users(1, create, "single")));
  expect(await count(users(1000, merge))).toBe(await count(users(1, merge, "single")));
  const sample = await server.prisma.user.findFirstOrThrow({ where: { id: "bulk-0421" } });
  expect(sample).toMatchObject({ name: "User 421", tags: ["imported", "merged"], properties: { n: 421, m: 421 }, version: 2 });
});

test("results with their users' push tokens cost as many statements for 50 users as for one", async () => {
  const query = /* GraphQL */ `
    mutation Bulk($users: [BulkUpsertUserInput!]!) {
      upsertUsers(users: $users) { results { ... on UpsertUserSuccess { user { id pushTokens { token } } } } }
    }
  `;
  const statements = async (count: number) => {
    const batch = users(count, (i) => ({ pushTokens: [{ provider: "FCM", token: `listed-${count}-${i}` }] }), `listed-${count}`);
    let response: Awaited<ReturnType<typeof bulk>> | undefined;
    const counted = await server.countStatements(async () => {
      response = await server.graphql(query, { users: batch });
    });
    expect(response?.data.upsertUsers.results[count - 1].user.pushTokens).toEqual([{ token: `listed-${count}-${count - 1}` }]);
    return counted;
  };
  expect(await statements(50)).toBe(await statements(1));
});

test("push tokens in a batch: a token claimed twice goes to the later user, one held outside moves", async () => {
  await bulk([{ id: "holder", input: { pushTokens: [{ provider: "APNS", token: "held" }] } }]);
  const response = await bulk([
    {
      id: "claimant-1",
      input: {
        pushTokens: [
          { provider: "FCM", token: "twice" },
          { provider: "FCM", token: "own-1" },
        ],
      },
    },
    {
      id: "claimant-2",
      input: {
        pushTokens: [
          { provider: "APNS", token: "held" },
          { provider: "FCM", token: "twice" },
        ],
      },
    },
  ]);
  expect(response.data.upsertUsers.failedCount).toBe(0);
  const tokens = await server.prisma.pushToken.findMany({
    where: { projectId: server.projectId, userId: { in: ["holder", "claimant-1", "claimant-2"] } },
    orderBy: [{ userId: "asc" }, { position: "asc" }],
  });
  expect(tokens.map(({ userId, token, position }) => [userId, token, position])).toEqual([
    ["claimant-1", "own-1", 0],
    ["claimant-2", "held", 0],
    ["claimant-2", "twice", 1],
  ]);
  expect(await server.prisma.user.findFirstOrThrow({ where: { id: "holder" } })).toMatchObject({ version: 2 });
});

test("an empty batch answers with no results", async () => {
  expect((await bulk([])).data.upsertUsers).toEqual({ createdCount: 0, updatedCount: 0, failedCount: 0, results: [] });
});
