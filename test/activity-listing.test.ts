import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// The activity filters and order of users and userPage, with keyset paging.

let server: TestServer;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
const TRACK = `mutation T($userId: ID!, $input: ActivityInput!) { trackActivity(userId: $userId, input: $input) { __typename } }`;
const UPSERT = `mutation U($id: ID!, $input: UpsertUserInput!) { upsertUser(id: $id, input: $input, options: { touchLastSeen: false }) { __typename } }`;
const SUBSCRIPTION = {
  endpoint: "https://push.example.com/s1",
  keys: { p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQ", auth: "tBHItJI5svbpez7KI4CCXg" },
};

beforeAll(async () => {
  server = await startTestServer();
  for (const id of ["u1", "u2", "u3", "u4", "u5", "u6"]) await server.graphql(UPSERT, { id, input: {} });
  // Sessions: u1 3 (web), u2 2 (iOS), u3 1 (Android), u4 2 (web, iOS), u5 1 (desktop), u6 none.
  const activity: [string, string, number][] = [
    ["u1", "WEB", 30],
    ["u1", "WEB", 20],
    ["u1", "WEB", 10],
    ["u2", "IOS", 25],
    ["u2", "IOS", 5],
    ["u3", "ANDROID", 2],
    ["u4", "WEB", 40],
    ["u4", "IOS", 1],
    ["u5", "DESKTOP", 50],
  ];
  for (const [userId, platform, hours] of activity) {
    const response = await server.graphql(TRACK, { userId, input: { platform, at: hoursAgo(hours) } });
    expect(response.data.trackActivity.__typename).toBe("TrackActivitySuccess");
  }
  await server.graphql(UPSERT, { id: "u1", input: { pushTokens: [{ provider: "FCM", token: "token-1" }] } });
  await server.graphql(UPSERT, { id: "u2", input: { webPushSubscriptions: [SUBSCRIPTION] } });
  await server.graphql(UPSERT, { id: "u3", input: { pushTokens: [{ provider: "APNS", token: "token-3" }] } });
});
afterAll(() => server.close());

const ids = async (filter: object, orderBy?: object) => {
  const response = await server.graphql(
    `query Q($filter: UserFilter, $orderBy: UserOrder) { users(first: 100, filter: $filter, orderBy: $orderBy) { totalCount nodes { id } } }`,
    {
      filter,
      orderBy,
    },
  );
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  expect(response.data.users.totalCount).toBe(response.data.users.nodes.length);
  return response.data.users.nodes.map((node: { id: string }) => node.id);
};

test("hasPushToken follows push tokens and web push subscriptions, whoever writes them", async () => {
  expect(await ids({ hasPushToken: true })).toEqual(["u1", "u2", "u3"]);
  expect(await ids({ hasPushToken: false })).toEqual(["u4", "u5", "u6"]);
  // A token set on another user leaves its holder; a list cleared leaves none.
  await server.graphql(UPSERT, { id: "u4", input: { pushTokens: [{ provider: "APNS", token: "token-3" }] } });
  await server.graphql(UPSERT, { id: "u2", input: { webPushSubscriptions: null } });
  expect(await ids({ hasPushToken: true })).toEqual(["u1", "u4"]);
  const read = await server.graphql(`{ a: user(id: "u3") { hasPushToken } b: user(id: "u4") { hasPushToken pushTokens { token } } }`);
  expect(read.data).toEqual({ a: { hasPushToken: false }, b: { hasPushToken: true, pushTokens: [{ token: "token-3" }] } });
  // The upsert's own answer says it too.
  const answered = await server.graphql(
    `mutation { upsertUser(id: "u5", input: { webPushSubscriptions: [{ endpoint: "https://push.example.com/5", keys: { p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQ", auth: "tBHItJI5svbpez7KI4CCXg" } }] }, options: { touchLastSeen: false }) { ... on UpsertUserSuccess { user { hasPushToken } } } }`,
  );
  expect(answered.data.upsertUser.user.hasPushToken).toBe(true);
  await server.graphql(UPSERT, { id: "u5", input: { webPushSubscriptions: [] } });
  await server.graphql(UPSERT, { id: "u4", input: { pushTokens: [] } });
  await server.graphql(UPSERT, { id: "u3", input: { pushTokens: [{ provider: "APNS", token: "token-3" }] } });
  await server.graphql(UPSERT, { id: "u2", input: { webPushSubscriptions: [SUBSCRIPTION] } });
  expect(await ids({ hasPushToken: true })).toEqual(["u1", "u2", "u3"]);
});

test("platform and lastSeenAfter / lastSeenBefore", async () => {
  expect(await ids({ platform: "IOS" })).toEqual(["u2", "u4"]);
  expect(await ids({ platform: "DESKTOP" })).toEqual(["u5"]);
  expect(await ids({ lastSeenAfter: hoursAgo(6) })).toEqual(["u2", "u3", "u4"]);
  expect(await ids({ lastSeenBefore: hoursAgo(6) })).toEqual(["u1", "u5"]);
  expect(await ids({ lastSeenAfter: hoursAgo(60), lastSeenBefore: hoursAgo(3) })).toEqual(["u1", "u2", "u5"]);
  expect(await ids({ hasPushToken: true, lastSeenAfter: hoursAgo(6) }, { field: "LAST_SEEN_AT", direction: "DESC" })).toEqual(["u3", "u2"]);
  expect(await ids({ platform: "WEB", hasPushToken: false })).toEqual(["u4"]);
});

test("SESSIONS_COUNT orders users, ties by id, and pages by keyset both ways", async () => {
  // Descending, ties too are in descending id order: the order reversed.
  expect(await ids({}, { field: "SESSIONS_COUNT", direction: "DESC" })).toEqual(["u1", "u4", "u2", "u5", "u3", "u6"]);
  const PAGE = `query P($after: String, $before: String, $first: Int, $last: Int) {
    users(first: $first, after: $after, last: $last, before: $before, orderBy: { field: SESSIONS_COUNT }) {
      nodes { id sessionsCount } pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
    }
  }`;
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await server.graphql(PAGE, { first: 2, after })).data.users;
    seen.push(...page.nodes.map((node: { id: string }) => node.id));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  expect(seen).toEqual(["u6", "u3", "u5", "u2", "u4", "u1"]);
  const last = (await server.graphql(PAGE, { last: 2 })).data.users;
  expect(last.nodes.map((node: { id: string }) => node.id)).toEqual(["u4", "u1"]);
  const before = (await server.graphql(PAGE, { last: 2, before: last.pageInfo.startCursor })).data.users;
  expect(before.nodes.map((node: { id: string }) => node.id)).toEqual(["u5", "u2"]);
  // A cursor of another order is refused.
  const other = await server.graphql(`query ($after: String) { users(first: 2, after: $after) { nodes { id } } }`, { after });
  expect(other.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  const numbered = await server.graphql(
    `{ userPage(page: 1, size: 2, filter: { hasPushToken: true }, orderBy: { field: SESSIONS_COUNT, direction: DESC }) { totalCount items { id } } }`,
  );
  expect(numbered.data.userPage).toEqual({ totalCount: 3, items: [{ id: "u3" }] });
});

test("a filter of the wrong type is BAD_USER_INPUT", async () => {
  const response = await server.graphql(`{ users(filter: { platform: MAINFRAME, lastSeenAfter: "yesterday" }) { totalCount } }`);
  expect(response.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
});
