import type pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { type GraphQLResponse, startTestServer, type TestServer } from "./support/test-server.ts";

// A single upsert that leaves push tokens alone reads the user without a lock
// and writes it only if nobody else did meanwhile; otherwise it takes the
// locked way. These tests put another writer between its read and its write.

const onPostgres = inject("testDatabase").kind === "postgres";
const SKIPPED = onPostgres ? "" : " — skipped: PGlite runs one transaction at a time";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.prisma.organization.create({ data: { projectId: server.projectId, id: "opt-org", name: "Org" } });
});
afterAll(() => server.close());

const UPSERT = /* GraphQL */ `
  mutation Upsert($id: ID!, $input: UpsertUserInput!, $options: UpsertOptions) {
    upsertUser(id: $id, input: $input, options: $options) {
      __typename
      ... on UpsertUserSuccess { created user { version properties organization { id } } }
      ... on NotFoundError { resource id }
    }
  }
`;
const USER = /* GraphQL */ `query User($id: ID!) { user(id: $id) { version name properties } }`;
const EVENTS = /* GraphQL */ `query Events($userId: ID!) { events(first: 100, filter: { userId: $userId }) { nodes { type changedFields } } }`;

const upsert = (id: string, input: object) => server.graphql(UPSERT, { id, input });

/** Runs `sql` in a transaction of its own that holds its locks until `commit` is called. */
async function heldTransaction(sql: string, values: unknown[]) {
  const client = await (server.db.pool as unknown as pg.Pool).connect();
  await client.query("BEGIN");
  await client.query(sql, values);
  return async () => {
    await client.query("COMMIT");
    client.release();
  };
}

/** Lets an upsert sent meanwhile reach its write and wait there on the held lock. */
const untilBlocked = () => new Promise((resolve) => setTimeout(resolve, 300));

describe("single upserts without locks", () => {
  test("an upsert of a known user costs two statements: its read and its write with the user's event", async () => {
    await upsert("opt-count", { name: "Before" });
    const statements = await server.recordStatements(async () => {
      const response = await upsert("opt-count", { name: "After", properties: { plan: "pro" } });
      expect(response.data.upsertUser).toMatchObject({ __typename: "UpsertUserSuccess", created: false, user: { version: 2 } });
    });
    expect(statements).toHaveLength(2);
    expect(statements[1]).toContain("directory_events");
    const events = (await server.graphql(EVENTS, { userId: "opt-count" })).data.events.nodes;
    expect(events.at(-1)).toEqual({ type: "USER_UPDATED", changedFields: ["name", "properties.plan"] });
  });

  test("a new user costs the same two statements, and one that changes nothing only its read", async () => {
    const created = await server.recordStatements(async () => {
      expect((await upsert("opt-new", { name: "New" })).data.upsertUser.created).toBe(true);
    });
    expect(created).toHaveLength(2);
    const unchanged = await server.recordStatements(async () => {
      const response = await server.graphql(UPSERT, { id: "opt-new", input: { name: "New" }, options: { touchLastSeen: false } });
      expect(response.data.upsertUser).toMatchObject({ created: false, user: { version: 1 } });
    });
    expect(unchanged).toHaveLength(1);
  });

  test("a missing organization is NOT_FOUND from the read alone, and nothing is written", async () => {
    const response = await upsert("opt-orphan", { organizationId: "no-such-org" });
    expect(response.data.upsertUser).toEqual({ __typename: "NotFoundError", resource: "organization", id: "no-such-org" });
    expect((await server.graphql(USER, { id: "opt-orphan" })).data.user).toBeNull();
  });

  test.skipIf(!onPostgres)(
    `a write committed between the read and the write is kept, and the upsert applies on top of it${SKIPPED}`,
    async () => {
      await upsert("opt-raced", { name: "Raced", properties: { first: 1 } });
      const commit = await heldTransaction(
        `UPDATE users SET properties = properties || '{"other": 2}', version = version + 1 WHERE project_id = $1::uuid AND id = 'opt-raced'`,
        [server.projectId],
      );
      const pending = upsert("opt-raced", { properties: { mine: 3 } });
      await untilBlocked();
      await commit();
      const response = await pending;
      expect(response.data.upsertUser).toMatchObject({ created: false, user: { version: 3, properties: { first: 1, other: 2, mine: 3 } } });
      expect((await server.graphql(USER, { id: "opt-raced" })).data.user).toMatchObject({
        version: 3,
        properties: { first: 1, other: 2, mine: 3 },
      });
    },
  );

  test.skipIf(!onPostgres)(`a user deleted between the read and the write is created anew, never brought back${SKIPPED}`, async () => {
    await upsert("opt-deleted", { name: "Old", properties: { old: true } });
    await upsert("opt-deleted", { name: "Old again" });
    const commit = await heldTransaction(`DELETE FROM users WHERE project_id = $1::uuid AND id = 'opt-deleted'`, [server.projectId]);
    const pending = upsert("opt-deleted", { properties: { new: true } });
    await untilBlocked();
    await commit();
    const response = await pending;
    expect(response.data.upsertUser).toMatchObject({ created: true, user: { version: 1, properties: { new: true } } });
    expect((await server.graphql(USER, { id: "opt-deleted" })).data.user).toEqual({ version: 1, name: null, properties: { new: true } });
  });

  test.skipIf(!onPostgres)(
    `an organization deleted between the read and the write is NOT_FOUND, and nothing is written${SKIPPED}`,
    async () => {
      await server.prisma.organization.create({ data: { projectId: server.projectId, id: "opt-doomed", name: "Doomed" } });
      const commit = await heldTransaction(`DELETE FROM organizations WHERE project_id = $1::uuid AND id = 'opt-doomed'`, [
        server.projectId,
      ]);
      const pending = upsert("opt-homeless", { organizationId: "opt-doomed" });
      await untilBlocked();
      await commit();
      const response = await pending;
      expect(response.data.upsertUser).toEqual({ __typename: "NotFoundError", resource: "organization", id: "opt-doomed" });
      expect((await server.graphql(USER, { id: "opt-homeless" })).data.user).toBeNull();
    },
  );

  test("an upsert into an organization that exists joins it", async () => {
    const response = await upsert("opt-member", { organizationId: "opt-org" });
    expect(response.data.upsertUser).toMatchObject({ created: true, user: { organization: { id: "opt-org" } } });
  });

  test("single upserts racing bulk upserts and organization moves of the same users keep every write, and none fails", async () => {
    const ids = ["opt-mixed-a", "opt-mixed-b"];
    const BULK = /* GraphQL */ `mutation Bulk($users: [BulkUpsertUserInput!]!) { upsertUsers(users: $users) { failedCount } }`;
    const singles = Array.from({ length: 60 }, (_, i) =>
      upsert(ids[i % 2]!, { properties: { [`single${i}`]: i }, organizationId: i % 3 === 0 ? "opt-org" : undefined }),
    );
    const bulks = Array.from({ length: 6 }, (_, j) =>
      server.graphql(BULK, { users: ids.map((id) => ({ id, input: { properties: { [`bulk${j}`]: j }, addTags: [`t${j}`] } })) }),
    );
    const responses = await Promise.all([...singles, ...bulks]);
    for (const response of responses.slice(0, 60)) expect(response.data.upsertUser.__typename).toBe("UpsertUserSuccess");
    for (const response of responses.slice(60)) expect(response.data.upsertUsers.failedCount).toBe(0);
    for (const [n, id] of ids.entries()) {
      const user = (await server.graphql(USER, { id })).data.user;
      const singleKeys = Array.from({ length: 30 }, (_, k) => `single${2 * k + n}`);
      const bulkKeys = Array.from({ length: 6 }, (_, j) => `bulk${j}`);
      expect(Object.keys(user.properties).sort()).toEqual([...singleKeys, ...bulkKeys].sort());
      // Every write of the user, single or bulk, made one version.
      expect(user.version).toBe(30 + 6);
    }
  });

  test("an upsert with a new idempotency key records it with the write: read, write, and the purge of expired keys", async () => {
    await upsert("opt-keyed", { name: "Before" });
    const options = { idempotencyKey: "opt-key-1" };
    let first!: GraphQLResponse;
    const statements = await server.recordStatements(async () => {
      first = await server.graphql(UPSERT, { id: "opt-keyed", input: { properties: { n: 1 } }, options });
    });
    expect(first.data.upsertUser).toMatchObject({ __typename: "UpsertUserSuccess", user: { version: 2 } });
    expect(statements).toHaveLength(3);
    expect(statements[1]).toContain("idempotency_records");
    // The replay answers the first result and writes nothing.
    const replay = await server.graphql(UPSERT, { id: "opt-keyed", input: { properties: { n: 1 } }, options });
    expect(replay.data).toEqual(first.data);
    expect((await server.graphql(USER, { id: "opt-keyed" })).data.user.version).toBe(2);
  });

  test.skipIf(!onPostgres)(
    `a key another request takes between the read and the write undoes the write: the upsert answers the key's conflict${SKIPPED}`,
    async () => {
      await upsert("opt-key-victim", { name: "Unchanged" });
      const commit = await heldTransaction(
        `INSERT INTO idempotency_records (project_id, key, operation, request_hash, response, created_at, expires_at)
         VALUES ($1::uuid, 'opt-key-2', 'upsertUser', 'another request', '{}', now(), now() + interval '1 day')`,
        [server.projectId],
      );
      const pending = server.graphql(UPSERT, {
        id: "opt-key-victim",
        input: { name: "Changed" },
        options: { idempotencyKey: "opt-key-2" },
      });
      await untilBlocked();
      await commit();
      const response = await pending;
      expect(response.data.upsertUser).toMatchObject({ __typename: "ValidationError" });
      expect((await server.graphql(USER, { id: "opt-key-victim" })).data.user).toMatchObject({ name: "Unchanged", version: 1 });
      const events = (await server.graphql(EVENTS, { userId: "opt-key-victim" })).data.events.nodes;
      expect(events.map((event: { type: string }) => event.type)).toEqual(["USER_CREATED"]);
    },
  );
});
