import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const UPSERT = /* GraphQL */ `
  mutation Upsert($id: ID!, $input: UpsertUserInput!, $options: UpsertOptions) {
    upsertUser(id: $id, input: $input, options: $options) {
      __typename
      ... on UpsertUserSuccess { created user { id name properties pushTokens { token } lastSeenAt updatedAt version } }
      ... on ValidationError { fields { field reason } }
      ... on NotFoundError { resource }
    }
  }
`;
const upsert = async (id: string, input: object, options: object, key?: string) =>
  (await server.graphql(UPSERT, { id, input, options }, key ? { key } : {})).data.upsertUser;
const stored = (id: string) => server.prisma.user.findFirstOrThrow({ where: { projectId: server.projectId, id } });
const records = () => server.prisma.idempotencyRecord.findMany({ where: { projectId: server.projectId } });

test("the same key and input replays the first result and writes nothing again", async () => {
  const input = { name: "Ida", properties: { a: 1, b: { c: 2 } } };
  const first = await upsert("ida", input, { idempotencyKey: "k-ida" });
  expect(first).toMatchObject({ __typename: "UpsertUserSuccess", created: true, user: { version: 1 } });
  await new Promise((resolve) => setTimeout(resolve, 5));
  // The same input with its keys in another order is the same request.
  const replay = await upsert("ida", { properties: { b: { c: 2 }, a: 1 }, name: "Ida" }, { idempotencyKey: "k-ida" });
  expect(replay).toEqual(first);
  expect(await stored("ida")).toMatchObject({ version: 1, lastSeenAt: new Date(first.user.lastSeenAt) });
});

test("the replay is the first result, even after other changes", async () => {
  const first = await upsert("later", { name: "First" }, { idempotencyKey: "k-later" });
  await upsert("later", { name: "Changed" }, {});
  expect(await upsert("later", { name: "First" }, { idempotencyKey: "k-later" })).toEqual(first);
  expect((await stored("later")).name).toBe("Changed");
});

test("the same key with another input, id or options is a conflict, and writes nothing", async () => {
  await upsert("con", { name: "A" }, { idempotencyKey: "k-con" });
  for (const [id, input, options] of [
    ["con", { name: "B" }, { idempotencyKey: "k-con" }],
    ["con2", { name: "A" }, { idempotencyKey: "k-con" }],
    ["con", { name: "A" }, { idempotencyKey: "k-con", touchLastSeen: false }],
  ] as const) {
    expect(await upsert(id, input, options)).toEqual({
      __typename: "ValidationError",
      fields: [{ field: "options.idempotencyKey", reason: "conflict" }],
    });
  }
  expect(await stored("con")).toMatchObject({ name: "A", version: 1 });
  expect(await server.prisma.user.count({ where: { id: "con2" } })).toBe(0);
});

test("keys are per project", async () => {
  const other = await server.createProject("idempotency-other");
  await upsert("shared-key", { name: "Ours" }, { idempotencyKey: "k-shared" });
  const theirs = await upsert("shared-key", { name: "Theirs" }, { idempotencyKey: "k-shared" }, other.secretKey);
  expect(theirs).toMatchObject({ created: true, user: { name: "Theirs" } });
});

test("a failed request does not use up its key", async () => {
  const options = { idempotencyKey: "k-org" };
  expect(await upsert("joiner", { organizationId: "later-org" }, options)).toMatchObject({ __typename: "NotFoundError" });
  await server.prisma.organization.create({ data: { projectId: server.projectId, id: "later-org", name: "Later" } });
  expect(await upsert("joiner", { organizationId: "later-org" }, options)).toMatchObject({ created: true });
});

test("concurrent requests with one key write once and all answer the same", async () => {
  const results = await Promise.all(Array.from({ length: 10 }, () => upsert("racer", { addTags: ["x"] }, { idempotencyKey: "k-race" })));
  for (const result of results) expect(result).toEqual(results[0]);
  expect(await stored("racer")).toMatchObject({ version: 1 });
});

test("after 24 hours a key is free again, and expired records are purged", async () => {
  await upsert("expiring", { name: "Old" }, { idempotencyKey: "k-expiring" });
  await upsert("other-expired", { name: "X" }, { idempotencyKey: "k-other-expired" });
  await server.prisma.idempotencyRecord.updateMany({
    where: { projectId: server.projectId, key: { in: ["k-expiring", "k-other-expired"] } },
    data: { expiresAt: new Date(Date.now() - 1000) },
  });
  const fresh = await upsert("expiring", { name: "New" }, { idempotencyKey: "k-expiring" });
  expect(fresh).toMatchObject({ created: false, user: { name: "New", version: 2 } });
  const keys = (await records()).map((record) => record.key);
  expect(keys).toContain("k-expiring");
  expect(keys).not.toContain("k-other-expired");
  const record = (await records()).find((r) => r.key === "k-expiring");
  expect(record?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 23 * 3600 * 1000);
});

test("a replay after the user was deleted still answers the first result", async () => {
  const first = await upsert("doomed", { pushTokens: [{ provider: "FCM", token: "doomed-token" }] }, { idempotencyKey: "k-doomed" });
  await server.prisma.user.deleteMany({ where: { projectId: server.projectId, id: "doomed" } });
  const replay = await upsert("doomed", { pushTokens: [{ provider: "FCM", token: "doomed-token" }] }, { idempotencyKey: "k-doomed" });
  expect(replay).toEqual({ ...first, user: { ...first.user, pushTokens: [] } });
});
