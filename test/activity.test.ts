import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// trackActivity, sessions and per-platform activity, through the GraphQL endpoint.

let server: TestServer;
let publishableKey: string;
beforeAll(async () => {
  server = await startTestServer();
  publishableKey = await server.createPublishableKey();
  await server.prisma.user.createMany({
    data: ["ada", "grace", "linus", "alan", "edsger", "barbara"].map((id) => ({ projectId: server.projectId, id })),
  });
});
afterAll(() => server.close());

const CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const CHROME_ANDROID =
  "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36";

const SIDE = /* GraphQL */ `platform device { manufacturer model type } os { name version } browser { name version } app { name version build } lastSeenAt sessionsCount`;
const SESSION = /* GraphQL */ `id platform userAgent device { manufacturer model type } os { name version } browser { name version } app { name version build } locale timezone country city startedAt lastSeenAt`;
const TRACK = /* GraphQL */ `
  mutation Track($userId: ID!, $input: ActivityInput!) {
    trackActivity(userId: $userId, input: $input) {
      __typename
      ... on TrackActivitySuccess { newSession session { ${SESSION} } user { id lastSeenAt sessionsCount platforms } }
      ... on ValidationError { fields { field reason } }
      ... on NotFoundError { resource id }
    }
  }
`;
const track = async (userId: string, input: object, options = {}) => {
  const response = await server.graphql(TRACK, { userId, input }, options);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data.trackActivity;
};
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe("sessions", () => {
  test("activity within the idle gap continues the session; after it, a new one starts", async () => {
    const firstAt = minutesAgo(120);
    const first = await track("ada", { platform: "WEB", userAgent: CHROME_WINDOWS, at: firstAt });
    expect(first).toMatchObject({ __typename: "TrackActivitySuccess", newSession: true, user: { sessionsCount: 1, platforms: ["WEB"] } });
    const second = await track("ada", { platform: "WEB", at: minutesAgo(100) });
    expect(second.newSession).toBe(false);
    expect(second.session.id).toBe(first.session.id);
    expect(second.session.startedAt).toBe(firstAt);
    expect(second.session.lastSeenAt).toBe(new Date(second.session.lastSeenAt).toISOString());
    expect(new Date(second.session.lastSeenAt) > new Date(second.session.startedAt)).toBe(true);
    // 31 minutes after the last activity: past the default 30.
    const third = await track("ada", { platform: "WEB", at: minutesAgo(69) });
    expect(third.newSession).toBe(true);
    expect(third.user.sessionsCount).toBe(2);
    // Another platform has sessions of its own.
    const mobile = await track("ada", { platform: "IOS", userAgent: SAFARI_IPHONE, at: minutesAgo(68) });
    expect(mobile.newSession).toBe(true);
    expect(mobile.user).toMatchObject({ sessionsCount: 3, platforms: ["WEB", "IOS"] });

    const read = await server.graphql(
      `{ user(id: "ada") { sessionsCount lastSeenAt sessions { platform startedAt } web { ${SIDE} } mobile { ${SIDE} } } }`,
    );
    const user = read.data.user;
    expect(user.sessionsCount).toBe(3);
    expect(user.sessions.map((session: { platform: string }) => session.platform)).toEqual(["IOS", "WEB", "WEB"]);
    expect(user.web).toMatchObject({
      platform: "WEB",
      sessionsCount: 2,
      browser: { name: "Chrome", version: "124.0.0.0" },
      os: { name: "Windows" },
    });
    expect(user.mobile).toMatchObject({
      platform: "IOS",
      sessionsCount: 1,
      device: { manufacturer: "Apple", model: "iPhone", type: "mobile" },
      os: { name: "iOS", version: "17.4" },
      browser: { name: "Mobile Safari" },
    });
    const limited = await server.graphql(`{ user(id: "ada") { sessions(first: 1) { platform } } }`);
    expect(limited.data.user.sessions).toEqual([{ platform: "IOS" }]);
  });

  test("a session's idle gap follows SESSION_IDLE_MINUTES", async () => {
    const { graphql } = await server.startInstance({ SESSION_IDLE_MINUTES: "5", SECRET_KEY_CACHE_SECONDS: "3600" });
    const run = async (at: string) => (await graphql(TRACK, { userId: "barbara", input: { platform: "DESKTOP", at } })).data.trackActivity;
    expect((await run(minutesAgo(20))).newSession).toBe(true);
    expect((await run(minutesAgo(16))).newSession).toBe(false);
    expect((await run(minutesAgo(10))).newSession).toBe(true);
  });

  test("user agents of a desktop browser, an iPhone and an Android phone; what is given beats what is parsed", async () => {
    const desktop = await track("grace", { platform: "WEB", userAgent: CHROME_WINDOWS });
    expect(desktop.session).toMatchObject({
      userAgent: CHROME_WINDOWS,
      device: null,
      os: { name: "Windows", version: "10" },
      browser: { name: "Chrome", version: "124.0.0.0" },
      app: null,
    });
    const android = await track("grace", {
      platform: "ANDROID",
      userAgent: CHROME_ANDROID,
      app: { name: "Directory", version: "3.2.1", build: "321" },
      locale: "de_DE",
      timezone: "europe/berlin",
      country: "de",
      city: "Berlin",
    });
    expect(android.session).toMatchObject({
      device: { manufacturer: "Samsung", model: "SM-S918B", type: "mobile" },
      os: { name: "Android", version: "14" },
      app: { name: "Directory", version: "3.2.1", build: "321" },
      locale: "de-DE",
      timezone: "Europe/Berlin",
      country: "DE",
      city: "Berlin",
    });
    const given = await track("linus", {
      platform: "IOS",
      userAgent: SAFARI_IPHONE,
      device: { model: "iPhone15,2" },
      os: { version: "17.5" },
    });
    expect(given.session).toMatchObject({
      device: { manufacturer: "Apple", model: "iPhone15,2" },
      os: { name: "iOS", version: "17.5" },
    });
    const bare = await track("linus", { platform: "DESKTOP" });
    expect(bare.session).toMatchObject({ userAgent: null, device: null, os: null, browser: null, app: null });
  });

  test("out-of-order activity never moves lastSeenAt back; activity in the future is refused", async () => {
    const latest = await track("alan", { platform: "WEB", at: minutesAgo(5) });
    const older = await track("alan", { platform: "WEB", at: minutesAgo(180) });
    expect(older.newSession).toBe(true);
    expect(older.user.lastSeenAt).toBe(latest.user.lastSeenAt);
    // Between the two sessions and within the idle gap of the older: it joins that one.
    const between = await track("alan", { platform: "WEB", at: minutesAgo(160) });
    expect(between).toMatchObject({ newSession: false, session: { id: older.session.id } });
    expect(between.user.lastSeenAt).toBe(latest.user.lastSeenAt);
    const read = await server.graphql(`{ user(id: "alan") { lastSeenAt sessionsCount sessions { id } web { lastSeenAt sessionsCount } } }`);
    expect(read.data.user).toMatchObject({
      lastSeenAt: latest.user.lastSeenAt,
      sessionsCount: 2,
      web: { lastSeenAt: latest.user.lastSeenAt, sessionsCount: 2 },
    });
    expect(read.data.user.sessions.map((session: { id: string }) => session.id)).toEqual([latest.session.id, older.session.id]);

    const future = await track("alan", { platform: "WEB", at: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future).toEqual({ __typename: "ValidationError", fields: [{ field: "at", reason: "invalid" }] });
    const ancient = await track("alan", { platform: "WEB", at: "2001-01-01T00:00:00Z" });
    expect(ancient).toEqual({ __typename: "ValidationError", fields: [{ field: "at", reason: "invalid" }] });
  });

  test("bad inputs are validation errors, every one at once; an unknown user is not found", async () => {
    const bad = await track("ada", {
      platform: "WEB",
      userAgent: "x".repeat(1025),
      locale: "not a locale!",
      timezone: "Mars/Olympus",
      country: "XX",
      city: "Null\u0000City",
      device: { model: "" },
      app: { name: "a".repeat(101) },
    });
    expect(bad.__typename).toBe("ValidationError");
    expect(bad.fields.map((field: { field: string }) => field.field).sort()).toEqual(
      ["app.name", "city", "country", "device.model", "locale", "timezone", "userAgent"].sort(),
    );
    const nul = await track("ada\u0000", { platform: "WEB" });
    expect(nul).toEqual({ __typename: "ValidationError", fields: [{ field: "userId", reason: "invalid" }] });
    expect(await track("nobody", { platform: "WEB" })).toEqual({ __typename: "NotFoundError", resource: "user", id: "nobody" });
    const wrongType = await server.graphql(TRACK, { userId: "ada", input: { platform: "PLAYSTATION" } });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const tooMany = await server.graphql(`{ user(id: "ada") { sessions(first: 1000) { id } } }`);
    expect(tooMany.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  test("concurrent activity of one user starts one session", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => track("edsger", { platform: "ANDROID" })));
    expect(results.filter((result) => result.newSession)).toHaveLength(1);
    expect(new Set(results.map((result) => result.session.id)).size).toBe(1);
    const read = await server.graphql(`{ user(id: "edsger") { sessionsCount mobile { sessionsCount } } }`);
    expect(read.data.user).toEqual({ sessionsCount: 1, mobile: { sessionsCount: 1 } });
  });

  test("sessions past SESSION_RETENTION_DAYS are pruned; the counts stay", async () => {
    await server.prisma.user.create({ data: { projectId: server.projectId, id: "retired" } });
    await track("retired", { platform: "WEB", at: new Date(Date.now() - 80 * 86_400_000).toISOString() });
    const { graphql } = await server.startInstance({ SESSION_RETENTION_DAYS: "30", SECRET_KEY_CACHE_SECONDS: "3600" });
    await graphql(TRACK, { userId: "retired", input: { platform: "WEB" } });
    const read = await server.graphql(`{ user(id: "retired") { sessionsCount sessions { id } web { sessionsCount } } }`);
    expect(read.data.user).toMatchObject({ sessionsCount: 2, web: { sessionsCount: 2 } });
    expect(read.data.user.sessions).toHaveLength(1);
  });

  test("an activity is one statement (and a prune of every user's old sessions at most once a minute)", async () => {
    const bare = `mutation { trackActivity(userId: "grace", input: { platform: DESKTOP }) { __typename } }`;
    await server.graphql(bare);
    const statements = await server.countStatements(async () => {
      expect((await server.graphql(bare)).data.trackActivity.__typename).toBe("TrackActivitySuccess");
      await server.graphql(bare);
    });
    expect(statements).toBeGreaterThanOrEqual(2);
    expect(statements).toBeLessThanOrEqual(3);
  });

  test("a page of users with their sessions and platforms costs a fixed number of statements", async () => {
    const page = `{ users(first: 50) { nodes { id sessionsCount hasPushToken web { platform } mobile { platform } sessions(first: 3) { id } } } }`;
    const statements = await server.countStatements(() => server.graphql(page));
    expect(statements).toBeLessThanOrEqual(4);
  });
});

describe("access", () => {
  const CREATE_TOKEN = `mutation T($userId: ID!) { createUserToken(userId: $userId) { ... on CreateUserTokenSuccess { token } } }`;
  const asUser = async (userId: string) => {
    const token = (await server.graphql(CREATE_TOKEN, { userId })).data.createUserToken.token;
    return { key: null, headers: { "x-api-key": publishableKey, authorization: `Bearer ${token}` } };
  };

  test("a user token tracks its own user's activity, and no one else's", async () => {
    const ada = await asUser("ada");
    const own = await server.graphql(TRACK, { userId: "ada", input: { platform: "WEB", userAgent: CHROME_WINDOWS } }, ada);
    expect(own.data.trackActivity.__typename).toBe("TrackActivitySuccess");
    const me = await server.graphql(`{ me { sessionsCount sessions(first: 1) { platform } } }`, {}, ada);
    expect(me.data.me.sessions).toEqual([{ platform: "WEB" }]);
    const other = await server.graphql(TRACK, { userId: "grace", input: { platform: "WEB" } }, ada);
    expect(other.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  test("another project's key sees none of it", async () => {
    const other = await server.createProject("activity-other");
    const response = await server.graphql(TRACK, { userId: "ada", input: { platform: "WEB" } }, { key: other.secretKey });
    expect(response.data.trackActivity).toEqual({ __typename: "NotFoundError", resource: "user", id: "ada" });
    const read = await server.graphql(`{ users(first: 10, filter: { platform: WEB }) { nodes { id } } }`, {}, { key: other.secretKey });
    expect(read.data.users.nodes).toEqual([]);
  });
});
