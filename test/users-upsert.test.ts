import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const USER_FIELDS = /* GraphQL */ `
  id email name tags properties slackDestination unsubscribedEmail unsubscribedTexting
  pushTokens { provider token environment device }
  webPushSubscriptions { endpoint keys }
  lastSeenAt createdAt updatedAt version
`;
const UPSERT = /* GraphQL */ `
  mutation Upsert($id: ID!, $input: UpsertUserInput!, $options: UpsertOptions) {
    upsertUser(id: $id, input: $input, options: $options) {
      __typename
      ... on UpsertUserSuccess { created user { ${USER_FIELDS} } }
      ... on Error { code message }
      ... on ValidationError { fields { field message reason } }
      ... on VersionConflictError { currentVersion }
      ... on NotFoundError { resource id }
    }
  }
`;
const USER = /* GraphQL */ `query User($id: ID!) { user(id: $id) { ${USER_FIELDS} } }`;

async function upsert(id: string, input: Record<string, unknown>, options?: Record<string, unknown>) {
  const response = await server.graphql(UPSERT, { id, input, options });
  expect(response.errors).toBeUndefined();
  return response.data.upsertUser;
}
async function upserted(id: string, input: Record<string, unknown>, options?: Record<string, unknown>) {
  const result = await upsert(id, input, options);
  expect(result.__typename).toBe("UpsertUserSuccess");
  return result.user;
}
const read = async (id: string) => (await server.graphql(USER, { id })).data.user;
const reasons = (result: { fields: { field: string; reason: string }[] }) =>
  Object.fromEntries(result.fields.map(({ field, reason }) => [field, reason]));

describe("upsertUser: omitted, null and values", () => {
  test("a field left out stays, null clears, a value replaces, for every kind of field", async () => {
    await upserted("fields", {
      email: "f@example.com",
      name: "F",
      slackDestination: "#general",
      unsubscribedEmail: true,
      unsubscribedTexting: true,
      tags: ["a"],
      properties: { plan: "pro" },
      pushTokens: [{ provider: "FCM", token: "t1" }],
      webPushSubscriptions: [{ endpoint: "https://push.example.com/1", keys: { p256dh: "BNcR", auth: "tBHI" } }],
    });
    const untouched = await upserted("fields", {});
    expect(untouched).toMatchObject({
      email: "f@example.com",
      name: "F",
      slackDestination: "#general",
      unsubscribedEmail: true,
      unsubscribedTexting: true,
      tags: ["a"],
      properties: { plan: "pro" },
      pushTokens: [{ provider: "FCM", token: "t1" }],
      webPushSubscriptions: [{ endpoint: "https://push.example.com/1" }],
    });
    const cleared = await upserted("fields", {
      email: null,
      name: null,
      slackDestination: null,
      unsubscribedEmail: null,
      unsubscribedTexting: false,
      tags: null,
      properties: null,
      pushTokens: null,
      webPushSubscriptions: null,
    });
    expect(cleared).toMatchObject({
      email: null,
      name: null,
      slackDestination: null,
      unsubscribedEmail: false,
      unsubscribedTexting: false,
      tags: [],
      properties: {},
      pushTokens: [],
      webPushSubscriptions: [],
    });
    expect(await read("fields")).toEqual(cleared);
    expect(await server.prisma.pushToken.count({ where: { userId: "fields" } })).toBe(0);
  });

  test("version grows by one per change; a call that changes nothing keeps it", async () => {
    const created = await upsert("versioned", { name: "V" });
    expect(created).toMatchObject({ created: true, user: { version: 1 } });
    const renamed = await upsert("versioned", { name: "W" }, { touchLastSeen: false });
    expect(renamed).toMatchObject({ created: false, user: { version: 2 } });
    const same = await upsert("versioned", { name: "W", tags: [] }, { touchLastSeen: false });
    expect(same).toMatchObject({ created: false, user: { version: 2, updatedAt: renamed.user.updatedAt } });
  });

  test("lastSeenAt becomes now unless touchLastSeen is false; createdAt is kept on create only", async () => {
    const before = Date.now();
    const created = await upserted("seen", { createdAt: "2020-01-02T03:04:05.678Z" });
    expect(created.createdAt).toBe("2020-01-02T03:04:05.678Z");
    expect(new Date(created.lastSeenAt).getTime()).toBeGreaterThanOrEqual(before - 1000);

    const untouched = await upserted("seen", { name: "S", createdAt: "2021-01-01T00:00:00.000Z" }, { touchLastSeen: false });
    expect(untouched).toMatchObject({ createdAt: "2020-01-02T03:04:05.678Z", lastSeenAt: created.lastSeenAt, version: 2 });

    const touched = await upserted("seen", {});
    expect(new Date(touched.lastSeenAt).getTime()).toBeGreaterThan(new Date(created.lastSeenAt).getTime());
    expect(touched.version).toBe(3);

    const quiet = await upserted("quiet", {}, { touchLastSeen: false });
    expect(quiet.lastSeenAt).toBeNull();
  });
});

describe("upsertUser: properties", () => {
  test("deep-merge at every depth; null removes a key; arrays and scalars replace; an emptied object stays", async () => {
    await upserted("props", {
      properties: { plan: "pro", seats: 3, address: { city: "Paris", geo: { lat: 1, lng: 2 } }, list: [1, 2], gone: 1 },
    });
    const merged = await upserted("props", {
      properties: { seats: null, address: { geo: { lat: 5, lng: null }, zip: "75001" }, list: [3], gone: { now: "object" } },
    });
    expect(merged.properties).toEqual({
      plan: "pro",
      address: { city: "Paris", zip: "75001", geo: { lat: 5 } },
      list: [3],
      gone: { now: "object" },
    });
    const emptied = await upserted("props", { properties: { address: { city: null, zip: null, geo: null } } });
    expect(emptied.properties.address).toEqual({});
  });

  test("a new object's own nulls are dropped, not stored", async () => {
    const user = await upserted("props-new", { properties: { a: { b: null, c: 1 }, d: null } });
    expect(user.properties).toEqual({ a: { c: 1 } });
  });

  test("propertiesOnce writes only top-level keys the user lacks and properties does not name", async () => {
    await upserted("once", { properties: { first: "kept" } });
    const user = await upserted("once", {
      properties: { named: "by properties" },
      propertiesOnce: { first: "ignored", named: "ignored", fresh: { x: 1 } },
    });
    expect(user.properties).toEqual({ first: "kept", named: "by properties", fresh: { x: 1 } });
    const again = await upserted("once", { propertiesOnce: { fresh: { x: 2 } } }, { touchLastSeen: false });
    expect(again.properties.fresh).toEqual({ x: 1 });
    expect(again.version).toBe(user.version);
  });

  test("more than 64 KiB of properties, in the input or once merged, is too_long", async () => {
    const big = "x".repeat(40 * 1024);
    const direct = await upsert("props-big", { properties: { big: "x".repeat(65 * 1024) } });
    expect(reasons(direct)).toEqual({ properties: "too_long" });
    await upserted("props-big", { properties: { one: big } });
    const merged = await upsert("props-big", { properties: { two: big } });
    expect(reasons(merged)).toEqual({ properties: "too_long" });
    expect((await read("props-big")).properties).toEqual({ one: big });
  });
});

describe("upsertUser: tags", () => {
  test("tags replace; addTags and removeTags edit; trimmed, unique, in order of first appearance", async () => {
    const replaced = await upserted("tagged", { tags: [" b ", "a", "b", "c"] });
    expect(replaced.tags).toEqual(["b", "a", "c"]);
    const edited = await upserted("tagged", { addTags: ["d", "a", " e"], removeTags: ["b", "zz"] });
    expect(edited.tags).toEqual(["a", "c", "d", "e"]);
  });

  test("tags with addTags or removeTags is a conflict", async () => {
    const result = await upsert("tag-conflict", { tags: ["a"], removeTags: ["b"] });
    expect(result.__typename).toBe("ValidationError");
    expect(reasons(result)).toEqual({ tags: "conflict" });
  });

  test("each tag has 1–64 characters; a user has at most 100", async () => {
    const bad = await upsert("tag-bad", { tags: ["ok", "  ", "x".repeat(65)] });
    expect(reasons(bad)).toEqual({ "tags.1": "invalid", "tags.2": "too_long" });
    const many = Array.from({ length: 101 }, (_, i) => `t${i}`);
    expect(reasons(await upsert("tag-bad", { tags: many }))).toEqual({ tags: "too_many" });
    await upserted("tag-full", { tags: many.slice(0, 100) });
    expect(reasons(await upsert("tag-full", { addTags: ["one-more"] }))).toEqual({ addTags: "too_many" });
  });
});

describe("upsertUser: channels of the user", () => {
  test("push tokens replace the list in order, duplicates merged", async () => {
    const user = await upserted("pusher", {
      pushTokens: [
        { provider: "APNS", token: "apns-1", environment: "SANDBOX" },
        { provider: "FCM", token: "fcm-1", device: { model: "Pixel" } },
        { provider: "APNS", token: "apns-1", device: { model: "iPhone" } },
      ],
    });
    expect(user.pushTokens).toEqual([
      { provider: "APNS", token: "apns-1", environment: "SANDBOX", device: { model: "iPhone" } },
      { provider: "FCM", token: "fcm-1", environment: null, device: { model: "Pixel" } },
    ]);
    const reordered = await upserted("pusher", {
      pushTokens: [
        { provider: "FCM", token: "fcm-1" },
        { provider: "FCM", token: "fcm-2" },
      ],
    });
    expect(reordered.pushTokens.map((t: { token: string }) => t.token)).toEqual(["fcm-1", "fcm-2"]);
    expect((await read("pusher")).pushTokens).toEqual(reordered.pushTokens);
  });

  test("a token another user holds moves to this one, and that user changes too", async () => {
    await upserted("old-owner", {
      pushTokens: [
        { provider: "FCM", token: "shared" },
        { provider: "FCM", token: "mine" },
      ],
    });
    const newOwner = await upserted("new-owner", { pushTokens: [{ provider: "FCM", token: "shared" }] });
    expect(newOwner.pushTokens).toMatchObject([{ token: "shared" }]);
    const oldOwner = await read("old-owner");
    expect(oldOwner.pushTokens).toMatchObject([{ token: "mine" }]);
    expect(oldOwner.version).toBe(2);
  });

  test("push tokens, web push subscriptions and slackDestination are validated at their paths", async () => {
    const result = await upsert("channels-bad", {
      pushTokens: [
        { provider: "FCM", token: "ok" },
        { provider: "FCM", token: " " },
        { provider: "APNS", token: "x".repeat(4097) },
      ],
      webPushSubscriptions: [
        { endpoint: "http://push.example.com", keys: { p256dh: "BNcR", auth: "not base64!" } },
        { endpoint: "https://push.example.com", keys: { p256dh: "BNcR", extra: "x" } },
      ],
      slackDestination: "General Channel",
    });
    expect(reasons(result)).toEqual({
      "pushTokens.1.token": "invalid",
      "pushTokens.2.token": "too_long",
      "webPushSubscriptions.0.endpoint": "invalid",
      "webPushSubscriptions.0.keys.auth": "invalid",
      "webPushSubscriptions.1.keys.auth": "required",
      "webPushSubscriptions.1.keys.extra": "unknown",
      slackDestination: "invalid",
    });
  });

  test("slackDestination takes its five forms", async () => {
    for (const destination of ["general", "#general", "C0123ABCDE", "U0123ABCDE", "@ada.lovelace"]) {
      expect((await upserted("slacker", { slackDestination: destination })).slackDestination).toBe(destination);
    }
  });
});

describe("upsertUser: organization, versions, errors", () => {
  test("organizationId naming no organization is NotFoundError; an existing one is set", async () => {
    const missing = await upsert("member", { organizationId: "nowhere" });
    expect(missing).toMatchObject({ __typename: "NotFoundError", code: "not_found", resource: "organization", id: "nowhere" });
    expect(await read("member")).toBeNull();
    await server.prisma.organization.create({ data: { projectId: server.projectId, id: "acme", name: "Acme" } });
    await upserted("member", { organizationId: "acme" });
    const stored = await server.prisma.user.findFirstOrThrow({ where: { id: "member" } });
    expect(stored.organizationId).toBe("acme");
    await upserted("member", { organizationId: null });
    expect((await server.prisma.user.findFirstOrThrow({ where: { id: "member" } })).organizationId).toBeNull();
  });

  test("an organization of another project is not found", async () => {
    const other = await server.createProject("other-org-project");
    await server.prisma.organization.create({ data: { projectId: other.projectId, id: "theirs", name: "Theirs" } });
    expect(await upsert("member-2", { organizationId: "theirs" })).toMatchObject({ __typename: "NotFoundError" });
  });

  test("expectedVersion that does not match is a VersionConflictError and writes nothing", async () => {
    await upserted("optimist", { name: "One" });
    const conflict = await upsert("optimist", { name: "Two", pushTokens: [{ provider: "FCM", token: "never" }] }, { expectedVersion: 7 });
    expect(conflict).toMatchObject({ __typename: "VersionConflictError", code: "version_conflict", currentVersion: 1 });
    expect(await read("optimist")).toMatchObject({ name: "One", version: 1, pushTokens: [] });
    expect(await upsert("optimist", { name: "Two" }, { expectedVersion: 1 })).toMatchObject({ user: { name: "Two", version: 2 } });
  });

  test("expectedVersion 0 creates only a user that does not exist", async () => {
    expect(await upsert("fresh", { name: "New" }, { expectedVersion: 0 })).toMatchObject({ created: true });
    expect(await upsert("fresh", { name: "Again" }, { expectedVersion: 0 })).toMatchObject({
      __typename: "VersionConflictError",
      currentVersion: 1,
    });
  });

  test("every problem of one input is reported at once, and nothing is written", async () => {
    const result = await upsert(
      "x".repeat(256),
      {
        email: "nope",
        phoneNumber: "123",
        name: "a\u0000b",
        title: "t".repeat(201),
        nickname: "\u001b",
        avatarUrl: "ftp://example.com/a.png",
        locale: "not a locale",
        timezone: "Nowhere/Special",
        organizationId: "",
        tags: ["ok", ""],
        addTags: ["x"],
        properties: { big: "x".repeat(70_000) },
        pushTokens: [{ provider: "FCM", token: "" }],
        webPushSubscriptions: [{ endpoint: "https://push.example.com", keys: {} }],
        slackDestination: "#Not Valid",
      },
      { expectedVersion: -1, idempotencyKey: "" },
    );
    expect(result).toMatchObject({ __typename: "ValidationError", code: "validation_failed" });
    expect(reasons(result)).toEqual({
      id: "too_long",
      email: "invalid",
      phoneNumber: "invalid",
      name: "invalid",
      title: "too_long",
      nickname: "invalid",
      avatarUrl: "invalid",
      locale: "invalid",
      timezone: "invalid",
      organizationId: "invalid",
      "tags.1": "invalid",
      tags: "conflict",
      properties: "too_long",
      "pushTokens.0.token": "invalid",
      "webPushSubscriptions.0.keys.p256dh": "required",
      "webPushSubscriptions.0.keys.auth": "required",
      slackDestination: "invalid",
      "options.expectedVersion": "invalid",
      "options.idempotencyKey": "invalid",
    });
    expect(await server.prisma.user.count({ where: { id: "x".repeat(256) } })).toBe(0);
  });

  test("a key without users:write is FORBIDDEN", async () => {
    const { secretKey } = await server.createProject("read-only", ["users:read"]);
    const response = await server.graphql(UPSERT, { id: "u", input: {} }, { key: secretKey });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN" });
  });
});
