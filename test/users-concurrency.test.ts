import { setTimeout } from "node:timers/promises";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { inTransaction } from "../src/db/direct-reads.ts";
import { isUpsertError, upsertBatch } from "../src/users/write/upsert-batch.ts";
import { parseUpsert } from "../src/users/write/upsert-input.ts";
import { keyCaller } from "./support/callers.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

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
  const responses = await Promise.all(Array.from({ length: 6 }, (_, n) => batch(n, n % 2 === 0 ? ids : [...ids].reverse())));
  for (const response of responses) expect(response.data?.upsertUsers.failedCount).toBe(0);
  const users = await server.prisma.user.findMany({ where: { id: { in: ids } } });
  expect(users).toHaveLength(50);
  for (const user of users) expect(Object.keys(user.properties as object)).toHaveLength(6);
});

/**
 * `rounds` times (an even number), two users each take the push token the
 * other holds, both at once; `take(id, token)` makes that token the user's
 * only one and checks that it succeeded. Each ends with its own token again.
 */
async function swapTokens(ids: readonly [string, string], rounds: number, take: (id: string, token: string) => Promise<void>) {
  const [a, b] = ids;
  const device = (id: string) => `device-of-${id}`;
  await Promise.all([take(a, device(a)), take(b, device(b))]);
  for (let round = 0; round < rounds; round++) {
    const swapped = round % 2 === 0;
    await Promise.all([take(a, device(swapped ? b : a)), take(b, device(swapped ? a : b))]);
  }
  const tokens = await server.prisma.pushToken.findMany({ where: { projectId: server.projectId, userId: { in: [...ids] } } });
  expect(tokens.map(({ userId, token }) => [userId, token]).sort()).toEqual([
    [a, device(a)],
    [b, device(b)],
  ]);
}

test("two users taking each other's push tokens at once, again and again, all succeed", async () => {
  await swapTokens(["swap-a", "swap-b"], 50, async (id, token) => {
    const response = await server.graphql(UPSERT, { id, input: { pushTokens: [{ provider: "FCM", token }] } });
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    expect(response.data.upsertUser.__typename).toBe("UpsertUserSuccess");
  });
});

test("an upsert locks the users whose push tokens it takes in id order, so swapping tokens cannot deadlock", async () => {
  // upsertBatch in a bare transaction: the mutations retry a transaction
  // PostgreSQL aborted for a deadlock, which would hide one here.
  await swapTokens(["bare-a", "bare-b"], 50, async (id, token) => {
    const upsert = parseUpsert(id, { pushTokens: [{ provider: "APNS", token }] });
    const [outcome] = await inTransaction(server.prisma, (tx) => upsertBatch(tx, keyCaller(server.projectId), [upsert], new Date()));
    expect(isUpsertError(outcome)).toBe(false);
  });
});

const onPostgres = inject("testDatabase").kind === "postgres";

test.skipIf(!onPostgres)(
  `a token that moves while its holder is being locked: the locks are taken again, its new holder among them${onPostgres ? "" : " — skipped: PGlite runs one transaction at a time"}`,
  async () => {
    const token = { provider: "FCM", token: "contested-device" };
    for (const id of ["moving-a", "moving-c", "moving-d"]) await server.graphql(UPSERT, { id, input: {} });
    await server.graphql(UPSERT, { id: "moving-c", input: { pushTokens: [token] } });
    const statements: string[] = [];
    const record = (event: { query: string }) => statements.push(event.query);
    server.db.onStatement(record);

    // Another writer holds the token's holder, and hands the token on once the upsert waits for it.
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    let handOn!: () => void;
    const handedOn = new Promise<void>((resolve) => (handOn = resolve));
    const writer = server.prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM users WHERE project_id = ${server.projectId}::uuid AND id = 'moving-c' FOR UPDATE`;
        holding();
        await handedOn;
        await tx.$executeRaw`UPDATE push_tokens SET user_id = 'moving-d'
          WHERE project_id = ${server.projectId}::uuid AND token = ${token.token}`;
      },
      { timeout: 30_000 },
    );
    await held;
    const upsert = server.graphql(UPSERT, { id: "moving-a", input: { pushTokens: [token] } });
    await untilSomeoneWaitsForALock();
    handOn();
    await writer;

    const response = await upsert;
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    expect(response.data.upsertUser.__typename).toBe("UpsertUserSuccess");
    expect(statements.filter((sql) => sql.includes("ROLLBACK TO SAVEPOINT"))).toHaveLength(1);
    const holder = await server.prisma.pushToken.findMany({ where: { projectId: server.projectId, token: token.token } });
    expect(holder.map(({ userId }) => userId)).toEqual(["moving-a"]);
    // The user it was taken from changed, as any user a token is taken from does.
    expect((await server.graphql(USER, { id: "moving-d" })).data.user.version).toBe(2);
  },
);

async function untilSomeoneWaitsForALock() {
  for (;;) {
    const [row] = await server.prisma.$queryRaw<{ waiting: number }[]>`
      SELECT count(*)::int AS waiting FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    if (row!.waiting > 0) return;
    await setTimeout(10);
  }
}
