import type pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import type { MemberAuth } from "../src/auth/caller.ts";
import { SCOPES } from "../src/auth/keys.ts";
import { listEvents } from "../src/events/feed.ts";
import { recordDirectoryEvent } from "../src/events/record.ts";
import { pruneEvents } from "../src/events/retention.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// The change feed: an event per change, written with it; the `events` query pages it gap-free.

const onPostgres = inject("testDatabase").kind === "postgres";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.graphql(`mutation {
    a: createOrganization(input: { id: "acme", name: "Acme" }) { __typename }
    b: createOrganization(input: { id: "globex", name: "Globex" }) { __typename }
  }`);
});
afterAll(() => server.close());

const EVENT_FIELDS = "id cursor type userId organizationId channelId changedFields version actor { kind id }";
const FEED = `query Feed($first: Int, $after: String, $filter: DirectoryEventFilter) {
  events(first: $first, after: $after, filter: $filter) { nodes { ${EVENT_FIELDS} } pageInfo { endCursor hasNextPage } }
}`;

/** The events after `after`, all pages of them. */
async function eventsAfter(after: string | null, filter: object = {}, key?: string) {
  const events: Record<string, any>[] = [];
  let cursor = after;
  for (;;) {
    const response = await server.graphql(FEED, { first: 100, after: cursor, filter }, key ? { key } : {});
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    events.push(...response.data.events.nodes);
    if (!response.data.events.pageInfo.hasNextPage) return events;
    cursor = response.data.events.pageInfo.endCursor;
  }
}

/** The cursor of the last event so far. */
async function head(): Promise<string | null> {
  const all = await eventsAfter(null);
  return all.at(-1)?.cursor ?? null;
}

/** The events that `run` caused. */
async function eventsOf(run: () => Promise<unknown>) {
  const start = await head();
  await run();
  return eventsAfter(start);
}

const upsert = (id: string, input: object) =>
  server.graphql(`mutation($id: ID!, $input: UpsertUserInput!) { upsertUser(id: $id, input: $input) { __typename } }`, { id, input });

describe("an event per change, in the change's transaction", () => {
  test("upsertUser: USER_CREATED, then USER_UPDATED naming what changed; a no-op records nothing", async () => {
    const created = await eventsOf(() =>
      upsert("ev-ada", { email: "ada@example.com", organizationId: "acme", properties: { plan: "pro" } }),
    );
    expect(created).toMatchObject([
      {
        type: "USER_CREATED",
        userId: "ev-ada",
        organizationId: "acme",
        version: 1,
        changedFields: ["email", "organizationId", "properties.plan"],
        actor: { kind: "SECRET_KEY" },
      },
    ]);
    const updated = await eventsOf(() => upsert("ev-ada", { properties: { plan: "team", seats: 3 }, tags: ["vip"], name: "Ada" }));
    expect(updated).toMatchObject([
      { type: "USER_UPDATED", version: 2, changedFields: ["name", "properties.plan", "properties.seats", "tags"] },
    ]);
    expect(await eventsOf(() => upsert("ev-ada", { properties: { plan: "team" }, tags: ["vip"], name: "Ada" }))).toEqual([]);
  });

  test("push tokens, bulk upserts and deletion", async () => {
    const tokens = await eventsOf(() => upsert("ev-ada", { pushTokens: [{ provider: "FCM", token: "ev-token-1" }] }));
    expect(tokens).toMatchObject([{ type: "USER_UPDATED", changedFields: ["pushTokens"] }]);
    const bulk = await eventsOf(() =>
      server.graphql(`mutation { upsertUsers(users: [
        { id: "ev-b1", input: { name: "B1" } }, { id: "ev-b2", input: { name: "B2" } }, { id: "ev-ada", input: { name: "Ada" } }
      ]) { createdCount } }`),
    );
    expect(bulk.map((event) => [event.type, event.userId])).toEqual([
      ["USER_CREATED", "ev-b1"],
      ["USER_CREATED", "ev-b2"],
    ]);
    const deleted = await eventsOf(() => server.graphql(`mutation { deleteUser(id: "ev-b2") { __typename } }`));
    expect(deleted).toMatchObject([{ type: "USER_DELETED", userId: "ev-b2", version: 1 }]);
    expect(await eventsOf(() => server.graphql(`mutation { deleteUser(id: "ev-b2") { __typename } }`))).toEqual([]);
  });

  test("channel settings set and unset; setting the same settings again records nothing", async () => {
    const channel = await server.graphql(`mutation { createChannel(input: { name: "ev-mail", provider: EMAIL }) {
      ... on CreateChannelSuccess { channel { id } } } }`);
    const channelId = channel.data.createChannel.channel.id;
    const set = (settings: object) =>
      server.graphql(
        `mutation($c: ID!, $s: JSONObject!) { setChannelSettings(userId: "ev-ada", channelId: $c, settings: $s) { __typename } }`,
        {
          c: channelId,
          s: settings,
        },
      );
    const first = await eventsOf(() => set({ email: "ada@example.org" }));
    expect(first).toMatchObject([
      { type: "CHANNEL_SETTINGS_SET", userId: "ev-ada", channelId, organizationId: "acme", changedFields: ["settings.email"] },
    ]);
    expect(await eventsOf(() => set({ email: "ada@example.org" }))).toEqual([]);
    const unset = `mutation($c: ID!) { unsetChannelSettings(userId: "ev-ada", channelId: $c) { __typename } }`;
    expect(await eventsOf(() => server.graphql(unset, { c: channelId }))).toMatchObject([{ type: "CHANNEL_SETTINGS_UNSET", channelId }]);
    expect(await eventsOf(() => server.graphql(unset, { c: channelId }))).toEqual([]);
  });

  test("preferences", async () => {
    const mutation = `mutation($input: PreferenceSetInput!) { setPreferences(userId: "ev-ada", input: $input) { __typename } }`;
    const input = { channelTypes: [{ channelType: "EMAIL", enabled: false }] };
    const changed = await eventsOf(() => server.graphql(mutation, { input }));
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ type: "PREFERENCES_UPDATED", userId: "ev-ada", organizationId: "acme" });
    expect(changed[0]!.changedFields[0]).toMatch(/^default\.channelTypes/);
    expect(await eventsOf(() => server.graphql(mutation, { input }))).toEqual([]);
  });

  test("organizations: created, renamed, moved, deleted; a rename to the same name records nothing", async () => {
    const events = await eventsOf(async () => {
      await server.graphql(`mutation { createOrganization(input: { id: "ev-org", name: "Ev" }) { __typename } }`);
      await server.graphql(`mutation { renameOrganization(id: "ev-org", name: "Ev 2") { __typename } }`);
      await server.graphql(`mutation { renameOrganization(id: "ev-org", name: "Ev 2") { __typename } }`);
      await server.graphql(`mutation { moveOrganization(id: "ev-org", parentId: "acme") { __typename } }`);
      await server.graphql(`mutation { deleteOrganization(id: "ev-org") { __typename } }`);
    });
    expect(events.map(({ type, organizationId, changedFields }) => [type, organizationId, changedFields])).toEqual([
      ["ORGANIZATION_CREATED", "ev-org", ["name"]],
      ["ORGANIZATION_UPDATED", "ev-org", ["name"]],
      ["ORGANIZATION_UPDATED", "ev-org", ["parentId"]],
      ["ORGANIZATION_DELETED", "ev-org", []],
    ]);
  });

  test("member status and role", async () => {
    await upsert("ev-member", { organizationId: "acme" });
    const events = await eventsOf(async () => {
      await server.graphql(`mutation { setUserStatus(userId: "ev-member", status: SUSPENDED) { __typename } }`);
      await server.graphql(`mutation { updateUserRole(userId: "ev-member", roleId: "admin") { __typename } }`);
      await server.graphql(`mutation { updateUserRole(userId: "ev-member", roleId: "admin") { __typename } }`);
      await server.graphql(`mutation { transferUser(userId: "ev-member", organizationId: "globex") { __typename } }`);
    });
    expect(events.map(({ type, changedFields }) => [type, changedFields])).toEqual([
      ["MEMBER_STATUS_CHANGED", ["status"]],
      ["MEMBER_ROLE_CHANGED", ["roleId"]],
      ["USER_UPDATED", ["organizationId"]],
    ]);
    expect(events.at(-1)).toMatchObject({ organizationId: "globex" });
  });

  test("a failed write records nothing; a rolled back transaction takes its events along", async () => {
    const events = await eventsOf(() => upsert("ev-bad", { email: "not an email" }));
    expect(events).toEqual([]);
  });
});

describe("the feed", () => {
  test("is gap-free under 20 concurrent writers: paging while they commit sees every event exactly once, in order", async () => {
    const start = await head();
    const seen: Record<string, any>[] = [];
    let cursor = start;
    let writing = true;
    const reader = (async () => {
      while (writing || seen.length < 200) {
        const response = await server.graphql(FEED, { first: 7, after: cursor });
        const { nodes, pageInfo } = response.data.events;
        seen.push(...nodes);
        if (pageInfo.endCursor) cursor = pageInfo.endCursor;
        if (!writing && nodes.length === 0) break;
      }
    })();
    await Promise.all(
      Array.from({ length: 20 }, async (_, writer) => {
        for (let i = 0; i < 10; i++) await upsert(`ev-w${writer}-${i}`, { name: `W ${writer} ${i}` });
      }),
    );
    writing = false;
    await reader;
    const ids = seen.map((event) => event.userId);
    expect(new Set(ids).size).toBe(200);
    expect(ids).toHaveLength(200);
    expect(seen.map((event) => event.id)).toEqual((await eventsAfter(start)).map((event) => event.id));
  });

  test.skipIf(!onPostgres)(
    `a writer that commits after later writers neither holds them up nor is skipped by a reader that paged past them${onPostgres ? "" : " — skipped: PGlite runs one transaction at a time"}`,
    async () => {
      const start = await head();
      let commit!: () => void;
      const committing = new Promise<void>((resolve) => {
        commit = resolve;
      });
      let written!: () => void;
      const recorded = new Promise<void>((resolve) => {
        written = resolve;
      });
      const slow = server.prisma.$transaction(async (tx) => {
        await recordDirectoryEvent(tx, { kind: "system", projectId: server.projectId }, { type: "USER_UPDATED", userId: "ev-slow" });
        written();
        await committing;
      });
      await recorded;
      await upsert("ev-fast", { name: "Fast" });
      const before = await eventsAfter(start);
      expect(before.map((event) => event.userId)).toEqual(["ev-fast"]);
      commit();
      await slow;
      const after = await eventsAfter(before.at(-1)!.cursor);
      expect(after.map((event) => event.userId)).toEqual(["ev-slow"]);
    },
  );

  test.skipIf(!onPostgres)(
    `a sequencer killed while numbering (its process gone, its transaction open) loses nothing: the next reader numbers the same events, gap-free${onPostgres ? "" : " — skipped: PGlite has no second session to kill"}`,
    async () => {
      const other = await server.createProject("ev-killed");
      await server.prisma.$executeRaw`
        INSERT INTO directory_events (project_id, type, user_id, actor_kind)
        SELECT ${other.projectId}::uuid, 'USER_UPDATED', 'killed-' || n, 'SYSTEM' FROM generate_series(1, 5) n`;
      // A session numbering them under the project's counter lock, and killed before it commits.
      const numbering = await (server.db.pool as unknown as pg.Pool).connect();
      numbering.on("error", () => {});
      const [{ pid }] = (await numbering.query("SELECT pg_backend_pid() AS pid")).rows as [{ pid: number }];
      await numbering.query("BEGIN");
      const [{ numbered }] = (await numbering.query("SELECT numbered FROM number_directory_events($1::uuid)", [other.projectId])).rows as [
        { numbered: number },
      ];
      expect(numbered).toBe(5);
      // A reader meanwhile waits on that lock; the kill (as of a process gone mid-write) rolls the numbering back.
      const reading = server.graphql(FEED, { first: 100 }, { key: other.secretKey });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await server.prisma.$queryRaw`SELECT pg_terminate_backend(${pid}::int)`;
      numbering.release(true);
      const read = await reading;
      expect(read.data.events.nodes.map((event: { userId: string }) => event.userId)).toEqual([1, 2, 3, 4, 5].map((n) => `killed-${n}`));
      await server.prisma.$executeRaw`
        INSERT INTO directory_events (project_id, type, user_id, actor_kind) VALUES (${other.projectId}::uuid, 'USER_UPDATED', 'killed-6', 'SYSTEM')`;
      const next = await server.graphql(FEED, { first: 100, after: read.data.events.pageInfo.endCursor }, { key: other.secretKey });
      expect(next.data.events.nodes.map((event: { userId: string }) => event.userId)).toEqual(["killed-6"]);
      const seqs = await server.prisma.$queryRaw<{ seq: bigint }[]>`
        SELECT seq FROM directory_events WHERE project_id = ${other.projectId}::uuid ORDER BY seq`;
      expect(seqs.map(({ seq }) => Number(seq))).toEqual([1, 2, 3, 4, 5, 6]);
    },
  );

  test("a backlog larger than the sequencer's batch (10,000) is numbered whole, in the order it was written", async () => {
    const other = await server.createProject("ev-backlog");
    await server.prisma.$executeRaw`
      INSERT INTO directory_events (project_id, type, user_id, actor_kind)
      SELECT ${other.projectId}::uuid, 'USER_UPDATED', 'backlog-' || lpad(n::text, 5, '0'), 'SYSTEM' FROM generate_series(1, 10050) n`;
    const events: Record<string, any>[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const response: Record<string, any> = await server.graphql(FEED, { first: 1000, after: cursor }, { key: other.secretKey });
      events.push(...response.data.events.nodes);
      if (!response.data.events.pageInfo.hasNextPage) break;
      cursor = response.data.events.pageInfo.endCursor;
    }
    expect(events).toHaveLength(10050);
    expect(events.map((event) => event.userId)).toEqual(events.map((event) => event.userId).sort());
  });

  test("filters by type, user, organization and time; refuses a forged cursor and more than 1000", async () => {
    const byUser = await eventsAfter(null, { userId: "ev-ada" });
    expect(byUser.length).toBeGreaterThan(3);
    expect(byUser.every((event) => event.userId === "ev-ada")).toBe(true);
    const created = await eventsAfter(null, { types: ["USER_CREATED"], organizationId: "acme" });
    expect(created.every((event) => event.type === "USER_CREATED" && event.organizationId === "acme")).toBe(true);
    expect(await eventsAfter(null, { since: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    const forged = await server.graphql(FEED, { after: "eyJ4Ijp9.AAAA" });
    expect(forged.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const tooMany = await server.graphql(FEED, { first: 1001 });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  test("a member sees the events of its organizations; another project sees none", async () => {
    const member: MemberAuth = {
      kind: "member",
      projectId: server.projectId,
      cursorSecret: "x",
      userId: "ev-member",
      organizationId: "globex",
      permissions: SCOPES,
      organizationIds: ["globex"],
    };
    await upsert("ev-globex", { organizationId: "globex" });
    const page = await listEvents(server.prisma, member, { first: 1000 });
    expect(page.nodes.length).toBeGreaterThan(0);
    expect(page.nodes.every((event) => event.organizationId === "globex")).toBe(true);
    const other = await server.createProject("ev-other");
    expect(await eventsAfter(null, {}, other.secretKey)).toEqual([]);
  });

  test("a user token reads its own user's events only", async () => {
    const token = await server.graphql(`mutation { createUserToken(userId: "ev-ada") { ... on CreateUserTokenSuccess { token } } }`);
    const publishableKey = await server.createPublishableKey();
    const response = await server.graphql(
      FEED,
      { first: 1000 },
      {
        key: null,
        headers: { "x-api-key": publishableKey, authorization: `Bearer ${token.data.createUserToken.token}` },
      },
    );
    const nodes = response.data.events.nodes;
    expect(nodes.length).toBeGreaterThan(3);
    expect(nodes.every((event: { userId: string }) => event.userId === "ev-ada")).toBe(true);
  });
});

test("retention deletes the events older than EVENT_RETENTION_DAYS, and only those", async () => {
  const total = await server.prisma.directoryEvent.count();
  await server.prisma.directoryEvent.updateMany({
    where: { userId: "ev-b1" },
    data: { occurredAt: new Date(Date.now() - 31 * 86_400_000) },
  });
  const old = await server.prisma.directoryEvent.count({ where: { userId: "ev-b1" } });
  expect(await pruneEvents(server.prisma, 30)).toBe(old);
  expect(await server.prisma.directoryEvent.count()).toBe(total - old);
});
