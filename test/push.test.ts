import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { loopbackCredentials } from "./support/loopback-credentials.ts";
import { apnsAccount, fcmAccount, startApnsFake, startFcmFake, startWebPushFake, vapidAccount } from "./support/push-fakes.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// sendPush and configureChannel through GraphQL, with the real APNs, FCM and
// Web Push clients talking TLS to loopback fakes that check what the real
// services check (provider token signatures and claims, bearer tokens, VAPID)
// and decrypt Web Push payloads.

const ENCRYPTION_KEY = randomBytes(32).toString("base64");
let server: TestServer;
let graphql: TestServer["graphql"];
let apnsKey: ReturnType<typeof apnsAccount>;
let fcmKey: ReturnType<typeof fcmAccount>;
let vapid: ReturnType<typeof vapidAccount>;
let apns: Awaited<ReturnType<typeof startApnsFake>>;
let apnsSandbox: Awaited<ReturnType<typeof startApnsFake>>;
let fcm: Awaited<ReturnType<typeof startFcmFake>>;
let webPush: Awaited<ReturnType<typeof startWebPushFake>>;
const channelIds: Record<"APNS" | "FCM" | "WEB_PUSH", string> = { APNS: "", FCM: "", WEB_PUSH: "" };
let pushEnv: Record<string, string>;

const CONFIGURE = /* GraphQL */ `
  mutation Configure($id: ID!, $credentials: JSONObject!) {
    configureChannel(id: $id, credentials: $credentials) {
      __typename
      ... on ConfigureChannelSuccess { channel { id name configured credentialsFingerprint } }
      ... on ValidationError { fields { field reason message } }
      ... on NotFoundError { resource }
    }
  }`;
const SEND = /* GraphQL */ `
  mutation Send($input: SendPushInput!, $options: SendPushOptions) {
    sendPush(input: $input, options: $options) {
      __typename
      ... on SendPushSuccess {
        sentCount failedCount skippedCount replayed
        deliveries { id user { id } channel { name } provider tokenSuffix status reason providerMessageId errorCode attempts createdAt }
      }
      ... on ValidationError { fields { field reason message } }
    }
  }`;

type Delivery = {
  id: string;
  user: { id: string };
  channel: { name: string } | null;
  provider: string | null;
  tokenSuffix: string | null;
  status: string;
  reason: string | null;
  providerMessageId: string | null;
  errorCode: string | null;
  attempts: number;
};
type Sent = { sentCount: number; failedCount: number; skippedCount: number; replayed: boolean; deliveries: Delivery[] };

async function send(input: Record<string, unknown>, options?: Record<string, unknown>, key?: string): Promise<Sent> {
  const response = await graphql(SEND, { input, options }, key ? { key } : {});
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  if (response.data.sendPush.__typename !== "SendPushSuccess") throw new Error(JSON.stringify(response.data.sendPush));
  return response.data.sendPush;
}
const notification = { title: "Hello", body: "World" };

async function upsertUser(id: string, input: Record<string, unknown>, key?: string) {
  const response = await graphql(
    `mutation U($id: ID!, $input: UpsertUserInput!) { upsertUser(id: $id, input: $input) { __typename ... on ValidationError { fields { field message } } } }`,
    { id, input },
    key ? { key } : {},
  );
  expect(response.data?.upsertUser.__typename, JSON.stringify(response)).toBe("UpsertUserSuccess");
}
async function versionOf(id: string) {
  return (await server.prisma.user.findUniqueOrThrow({ where: { projectId_id: { projectId: server.projectId, id } } })).version;
}
async function createChannel(name: string, provider: string, key?: string): Promise<string> {
  const response = await graphql(
    `mutation C($input: CreateChannelInput!) { createChannel(input: $input) { ... on CreateChannelSuccess { channel { id } } } }`,
    { input: { name, provider } },
    key ? { key } : {},
  );
  return response.data.createChannel.channel.id;
}

beforeAll(async () => {
  server = await startTestServer();
  const tls = loopbackCredentials();
  apnsKey = apnsAccount();
  fcmKey = fcmAccount();
  vapid = vapidAccount();
  [apns, apnsSandbox, fcm, webPush] = await Promise.all([
    startApnsFake(tls, apnsKey),
    startApnsFake(tls, apnsKey),
    startFcmFake(tls, fcmKey),
    startWebPushFake(tls, vapid),
  ]);
  pushEnv = {
    DIRECTORY_ENCRYPTION_KEY: ENCRYPTION_KEY,
    PUSH_APNS_PRODUCTION_URL: apns.url,
    PUSH_APNS_SANDBOX_URL: apnsSandbox.url,
    PUSH_FCM_URL: fcm.url,
    PUSH_ATTEMPT_TIMEOUT_MS: "2000",
    PUSH_DEADLINE_MS: "8000",
    ANONYMOUS_RATE_LIMIT_PER_MINUTE: "100000",
    SECRET_KEY_CACHE_SECONDS: "3600",
  };
  graphql = (await server.startInstance(pushEnv)).graphql;
  channelIds.APNS = await createChannel("ios", "APNS");
  channelIds.FCM = await createChannel("android", "FCM");
  channelIds.WEB_PUSH = await createChannel("browsers", "WEB_PUSH");
  for (const [provider, credentials] of [
    ["APNS", apnsKey.credentials],
    ["FCM", { serviceAccount: fcmKey.serviceAccount }],
    ["WEB_PUSH", vapid],
  ] as const) {
    const response = await graphql(CONFIGURE, { id: channelIds[provider], credentials });
    expect(response.data.configureChannel.__typename, JSON.stringify(response)).toBe("ConfigureChannelSuccess");
  }
});
afterAll(async () => {
  await Promise.all([apns?.close(), apnsSandbox?.close(), fcm?.close(), webPush?.close()]);
  await server?.close();
});
beforeEach(() => {
  for (const fake of [apns, apnsSandbox, fcm, webPush]) fake.script.clear();
});

describe("configureChannel", () => {
  test("configured channels show a fingerprint, never the credentials; the stored value is ciphertext", async () => {
    const response = await graphql(`{ channels { name provider configured credentialsFingerprint } }`);
    expect(response.data.channels).toEqual([
      { name: "android", provider: "FCM", configured: true, credentialsFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{32}$/) },
      { name: "browsers", provider: "WEB_PUSH", configured: true, credentialsFingerprint: expect.stringMatching(/^sha256:/) },
      { name: "ios", provider: "APNS", configured: true, credentialsFingerprint: expect.stringMatching(/^sha256:/) },
    ]);
    const stored = await server.prisma.channel.findUniqueOrThrow({ where: { id: channelIds.APNS } });
    expect(stored.credentials).toMatch(/^v1\./);
    expect(stored.credentials).not.toContain("TEAM123456");
    expect(JSON.stringify(response)).not.toContain("PRIVATE KEY");
  });

  test("reconfiguring replaces the credentials and the fingerprint changes; a new channel is not configured", async () => {
    const id = await createChannel("ios-2", "APNS");
    const before = await graphql(`{ channels { id configured credentialsFingerprint } }`);
    expect(before.data.channels.find((channel: { id: string }) => channel.id === id)).toMatchObject({
      configured: false,
      credentialsFingerprint: null,
    });
    const first = await graphql(CONFIGURE, { id, credentials: apnsKey.credentials });
    const second = await graphql(CONFIGURE, { id, credentials: apnsAccount().credentials });
    expect(first.data.configureChannel.channel.credentialsFingerprint).not.toBe(
      second.data.configureChannel.channel.credentialsFingerprint,
    );
    await graphql(`mutation D($id: ID!) { deleteChannel(id: $id) { __typename } }`, { id });
  });

  test("credentials are validated for the channel's provider, every problem at once", async () => {
    const apnsProblems = await graphql(CONFIGURE, {
      id: channelIds.APNS,
      credentials: { teamId: "short", keyId: "KEY1234567", privateKey: "-----BEGIN PRIVATE KEY-----\nnope", bundleId: "app", extra: 1 },
    });
    expect(
      apnsProblems.data.configureChannel.fields.map((f: { field: string; reason: string }) => `${f.field}:${f.reason}`).sort(),
    ).toEqual([
      "credentials.bundleId:invalid",
      "credentials.extra:unknown",
      "credentials.privateKey:invalid",
      "credentials.teamId:invalid",
    ]);
    // An RSA key is not an APNs key.
    const rsa = await graphql(CONFIGURE, {
      id: channelIds.APNS,
      credentials: { ...apnsKey.credentials, privateKey: fcmKey.serviceAccount.private_key },
    });
    expect(rsa.data.configureChannel.fields).toEqual([expect.objectContaining({ field: "credentials.privateKey" })]);
    const fcmProblems = await graphql(CONFIGURE, {
      id: channelIds.FCM,
      credentials: {
        serviceAccount: { ...fcmKey.serviceAccount, token_uri: "http://insecure/token", private_key: apnsKey.credentials.privateKey },
      },
    });
    expect(fcmProblems.data.configureChannel.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      "credentials.serviceAccount.private_key",
      "credentials.serviceAccount.token_uri",
    ]);
    const mismatched = await graphql(CONFIGURE, {
      id: channelIds.WEB_PUSH,
      credentials: { ...vapid, vapidPublicKey: vapidAccount().vapidPublicKey },
    });
    expect(mismatched.data.configureChannel.fields).toEqual([expect.objectContaining({ field: "credentials.vapidPublicKey" })]);
    const empty = await graphql(CONFIGURE, { id: channelIds.WEB_PUSH, credentials: {} });
    expect(empty.data.configureChannel.fields.map((f: { reason: string }) => f.reason)).toEqual(["required", "required", "required"]);
  });

  test("a channel of another provider, an unknown id or another project's channel is refused", async () => {
    const slack = await createChannel("slack", "SLACK");
    expect((await graphql(CONFIGURE, { id: slack, credentials: {} })).data.configureChannel).toMatchObject({
      __typename: "ValidationError",
      fields: [{ field: "id", reason: "invalid" }],
    });
    for (const id of ["not-a-uuid", "00000000-0000-4000-8000-000000000000"]) {
      expect((await graphql(CONFIGURE, { id, credentials: {} })).data.configureChannel).toEqual({
        __typename: "NotFoundError",
        resource: "channel",
      });
    }
    const other = await server.createProject("other-configure");
    expect(
      (await graphql(CONFIGURE, { id: channelIds.APNS, credentials: apnsKey.credentials }, { key: other.secretKey })).data.configureChannel,
    ).toEqual({
      __typename: "NotFoundError",
      resource: "channel",
    });
  });

  test("on PostgreSQL without DIRECTORY_ENCRYPTION_KEY, configureChannel says what to set", async () => {
    const { graphql: withoutKey } = await server.startInstance({
      DIRECTORY_ENCRYPTION_KEY: undefined,
      DATABASE_URL: "postgres://127.0.0.1:1/none",
      SECRET_KEY_CACHE_SECONDS: "3600",
    });
    const response = await withoutKey(CONFIGURE, { id: channelIds.APNS, credentials: apnsKey.credentials });
    expect(response.errors?.[0]?.extensions.code).toBe("ENCRYPTION_KEY_MISSING");
    expect(response.errors?.[0]?.message).toContain("DIRECTORY_ENCRYPTION_KEY");
    expect(response.status).toBe(503);
  });

  test("on the embedded default a key is made once in DATA_DIR, said so in the log, and used by later processes", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "push-key-"));
    try {
      const id = await createChannel("ios-datadir", "APNS");
      const first = await server.startInstance({
        DIRECTORY_ENCRYPTION_KEY: undefined,
        DATA_DIR: dataDir,
        SECRET_KEY_CACHE_SECONDS: "3600",
      });
      expect((await first.graphql(CONFIGURE, { id, credentials: apnsKey.credentials })).data.configureChannel.__typename).toBe(
        "ConfigureChannelSuccess",
      );
      const keyFile = join(dataDir, "encryption.key");
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      const key = await readFile(keyFile, "utf8");
      expect(server.logs.some((line) => /encrypts provider credentials/.test(line.msg) && line.path === keyFile)).toBe(true);
      const second = await server.startInstance({
        DIRECTORY_ENCRYPTION_KEY: undefined,
        DATA_DIR: dataDir,
        SECRET_KEY_CACHE_SECONDS: "3600",
      });
      expect((await second.graphql(CONFIGURE, { id, credentials: apnsKey.credentials })).data.configureChannel.__typename).toBe(
        "ConfigureChannelSuccess",
      );
      expect(await readFile(keyFile, "utf8")).toBe(key);
      await graphql(`mutation D($id: ID!) { deleteChannel(id: $id) { __typename } }`, { id });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("sendPush", () => {
  test("reaches every device of the user over each provider, with the notification as each provider wants it", async () => {
    const subscription = webPush.subscribe("ada-browser");
    await upsertUser("ada", {
      pushTokens: [
        { provider: "APNS", token: "apns-ada-phone" },
        { provider: "APNS", token: "apns-ada-dev", environment: "SANDBOX" },
        { provider: "FCM", token: "fcm-ada-tablet" },
      ],
      webPushSubscriptions: [subscription],
    });
    const sent = await send({
      userIds: ["ada"],
      notification: {
        ...notification,
        imageUrl: "https://example.com/a.png",
        data: { orderId: 42 },
        badge: 3,
        sound: "ping",
        ttlSeconds: 60,
        collapseKey: "order-42",
      },
    });
    expect(sent).toMatchObject({ sentCount: 4, failedCount: 0, skippedCount: 0, replayed: false });
    expect(sent.deliveries.map((d) => [d.provider, d.channel?.name, d.tokenSuffix, d.status, d.attempts])).toEqual([
      ["APNS", "ios", "da-phone", "SENT", 1],
      ["APNS", "ios", "-ada-dev", "SENT", 1],
      ["FCM", "android", "a-tablet", "SENT", 1],
      ["WEB_PUSH", "browsers", "-browser", "SENT", 1],
    ]);
    expect(sent.deliveries.every((d) => d.providerMessageId && d.user.id === "ada")).toBe(true);

    const apnsRequest = apns.requests.find((request) => request.token === "apns-ada-phone")!;
    expect(apnsRequest.payload).toEqual({
      orderId: 42,
      aps: { alert: { title: "Hello", body: "World" }, badge: 3, sound: "ping", "mutable-content": 1 },
      imageUrl: "https://example.com/a.png",
    });
    expect(apnsRequest.headers).toMatchObject({
      "apns-push-type": "alert",
      "apns-priority": "10",
      "apns-collapse-id": "order-42",
      "apns-topic": "com.example.app",
    });
    // SANDBOX tokens go to the sandbox host, and only there.
    expect(apnsSandbox.requests.map((request) => request.token)).toEqual(["apns-ada-dev"]);
    expect(apns.requests.map((request) => request.token)).not.toContain("apns-ada-dev");
    expect(fcm.requests.find((request) => request.token === "fcm-ada-tablet")!.message).toEqual({
      token: "fcm-ada-tablet",
      notification: { title: "Hello", body: "World", image: "https://example.com/a.png" },
      data: { orderId: "42" },
      android: { priority: "HIGH", ttl: "60s", collapse_key: "order-42", notification: { sound: "ping" } },
    });
    expect(webPush.received.find((delivery) => delivery.id === "ada-browser")).toMatchObject({
      payload: { title: "Hello", body: "World", image: "https://example.com/a.png", data: { orderId: 42 }, badge: 3 },
      headers: { ttl: "60", topic: "order-42", urgency: "high" },
    });
  });

  test("provider tokens are reused, not made per request: one APNs JWT, one OAuth2 access token, one VAPID JWT", async () => {
    await upsertUser("reuse", {
      pushTokens: [
        { provider: "APNS", token: "apns-reuse" },
        { provider: "FCM", token: "fcm-reuse" },
      ],
      webPushSubscriptions: [webPush.subscribe()],
    });
    for (let i = 0; i < 3; i++) expect((await send({ userIds: ["reuse"], notification })).sentCount).toBe(3);
    expect(apns.providerTokens.size).toBe(1);
    expect(fcm.tokenRequests()).toBe(1);
    expect(webPush.vapidTokens.size).toBe(1);
  });

  test("an access token the endpoint no longer takes is renewed and the send retried", async () => {
    await upsertUser("renew", { pushTokens: [{ provider: "FCM", token: "fcm-renew" }] });
    const before = fcm.tokenRequests();
    fcm.expireAccessTokens();
    const sent = await send({ userIds: ["renew"], notification });
    expect(sent.deliveries[0]).toMatchObject({ status: "SENT", attempts: 2 });
    expect(fcm.tokenRequests()).toBe(before + 1);
  });

  test("each stale-token answer removes the token or subscription from the user, whose version grows", async () => {
    const gone = webPush.subscribe("gone-410");
    const missing = webPush.subscribe("gone-404");
    const kept = webPush.subscribe("kept");
    await upsertUser("stale", {
      pushTokens: [
        { provider: "APNS", token: "apns-unregistered" },
        { provider: "APNS", token: "apns-bad-device" },
        { provider: "FCM", token: "fcm-unregistered" },
        { provider: "FCM", token: "fcm-invalid" },
        { provider: "FCM", token: "fcm-kept" },
      ],
      webPushSubscriptions: [gone, missing, kept],
    });
    apns.script.set("apns-unregistered", { status: 410, body: { reason: "Unregistered", timestamp: Date.now() } });
    apns.script.set("apns-bad-device", { status: 400, body: { reason: "BadDeviceToken" } });
    fcm.script.set("fcm-unregistered", {
      status: 404,
      body: {
        error: {
          code: 404,
          status: "NOT_FOUND",
          details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "UNREGISTERED" }],
        },
      },
    });
    fcm.script.set("fcm-invalid", {
      status: 400,
      body: {
        error: {
          code: 400,
          status: "INVALID_ARGUMENT",
          message: "The registration token is not a valid FCM registration token",
          details: [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field: "message.token" }] }],
        },
      },
    });
    webPush.script.set("gone-410", { status: 410 });
    webPush.script.set("gone-404", { status: 404 });
    const version = await versionOf("stale");
    const sent = await send({ userIds: ["stale"], notification });
    expect(sent.deliveries.map((d) => `${d.tokenSuffix}:${d.status}:${d.errorCode}`)).toEqual(
      [
        "gistered:TOKEN_REMOVED:Unregistered",
        "d-device:TOKEN_REMOVED:BadDeviceToken",
        "gistered:TOKEN_REMOVED:UNREGISTERED",
        "-invalid:TOKEN_REMOVED:INVALID_ARGUMENT",
        "fcm-kept:SENT:null",
        "gone-410:TOKEN_REMOVED:HTTP_410",
        "gone-404:TOKEN_REMOVED:HTTP_404",
        "und/kept:SENT:null".slice(-"und/kept:SENT:null".length),
      ].map((line, index) => (index === 7 ? `${kept.endpoint.slice(-8)}:SENT:null` : line)),
    );
    expect(sent).toMatchObject({ sentCount: 2, failedCount: 6 });
    const user = await graphql(`{ user(id: "stale") { version pushTokens { token } webPushSubscriptions { endpoint } } }`);
    expect(user.data.user).toEqual({
      version: version + 1,
      pushTokens: [{ token: "fcm-kept" }],
      webPushSubscriptions: [{ endpoint: kept.endpoint }],
    });
    const feed = await graphql(
      `{ events(first: 10, filter: { userId: "stale", types: [PUSH_TOKEN_REMOVED] }) { nodes { changedFields version actor { kind id } } } }`,
    );
    expect(feed.data.events.nodes).toEqual([
      { changedFields: ["pushTokens", "webPushSubscriptions"], version: version + 1, actor: { kind: "SYSTEM", id: null } },
    ]);
  });

  test("a payload error is not a stale token: INVALID_ARGUMENT about something else fails without removing it", async () => {
    await upsertUser("payload", { pushTokens: [{ provider: "FCM", token: "fcm-payload" }] });
    fcm.script.set("fcm-payload", {
      status: 400,
      body: { error: { code: 400, status: "INVALID_ARGUMENT", message: "Invalid data payload key" } },
    });
    const version = await versionOf("payload");
    const sent = await send({ userIds: ["payload"], notification });
    expect(sent.deliveries[0]).toMatchObject({ status: "FAILED", errorCode: "INVALID_ARGUMENT", attempts: 1 });
    expect(await versionOf("payload")).toBe(version);
  });

  test("tokens in channel settings are pruned too; settings left empty are deleted", async () => {
    await upsertUser("settings-holder", {});
    const set = (channelId: string, settings: unknown) =>
      graphql(
        `mutation S($c: ID!, $s: JSONObject!) { setChannelSettings(userId: "settings-holder", channelId: $c, settings: $s) { __typename } }`,
        { c: channelId, s: settings },
      );
    await set(channelIds.APNS, { device_tokens: ["settings-gone", "settings-kept"] });
    await set(channelIds.WEB_PUSH, { subscriptions: [webPush.subscribe("settings-sub")] });
    apns.script.set("settings-gone", { status: 410, body: { reason: "Unregistered" } });
    webPush.script.set("settings-sub", { status: 410 });
    const version = await versionOf("settings-holder");
    const sent = await send({ userIds: ["settings-holder"], notification });
    expect(sent.deliveries.map((d) => `${d.channel?.name}:${d.status}`)).toEqual([
      "browsers:TOKEN_REMOVED",
      "ios:TOKEN_REMOVED",
      "ios:SENT",
    ]);
    const user = await graphql(`{ user(id: "settings-holder") { version channelSettings { channel { name } settings } } }`);
    expect(user.data.user).toEqual({
      version: version + 1,
      channelSettings: [{ channel: { name: "ios" }, settings: { device_tokens: ["settings-kept"] } }],
    });
    const feed = await graphql(
      `{ events(first: 10, filter: { userId: "settings-holder", types: [PUSH_TOKEN_REMOVED] }) { nodes { changedFields } } }`,
    );
    expect(feed.data.events.nodes).toEqual([
      { changedFields: [`channelSettings.${channelIds.APNS}`, `channelSettings.${channelIds.WEB_PUSH}`].sort() },
    ]);
  });

  test("429 with Retry-After waits as long as asked, then succeeds", async () => {
    await upsertUser("limited", {
      pushTokens: [
        { provider: "APNS", token: "apns-limited" },
        { provider: "FCM", token: "fcm-limited" },
      ],
    });
    apns.script.set("apns-limited", { status: 429, body: { reason: "TooManyRequests" }, headers: { "retry-after": "1" } });
    fcm.script.set("fcm-limited", { status: 429, body: { error: { status: "RESOURCE_EXHAUSTED" } }, headers: { "retry-after": "1" } });
    const started = Date.now();
    const sent = await send({ userIds: ["limited"], notification });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(sent.deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ["SENT", 2],
      ["SENT", 2],
    ]);
  });

  test("5xx answers are retried with backoff; three failures are FAILED with the provider's code", async () => {
    const subscription = webPush.subscribe("flaky-browser");
    await upsertUser("flaky", {
      pushTokens: [
        { provider: "APNS", token: "apns-flaky" },
        { provider: "FCM", token: "fcm-down" },
      ],
      webPushSubscriptions: [subscription],
    });
    apns.script.set("apns-flaky", { status: 500, body: { reason: "InternalServerError" } });
    webPush.script.set("flaky-browser", { status: 502 }, { status: 503 });
    const unavailable = { status: 503, body: { error: { status: "UNAVAILABLE" } } };
    fcm.script.set("fcm-down", unavailable, unavailable, unavailable);
    const sent = await send({ userIds: ["flaky"], notification });
    expect(sent.deliveries.map((d) => [d.status, d.attempts, d.errorCode])).toEqual([
      ["SENT", 2, null],
      ["FAILED", 3, "UNAVAILABLE"],
      ["SENT", 3, null],
    ]);
    expect(await graphql(`{ user(id: "flaky") { pushTokens { token } } }`)).toMatchObject({
      data: { user: { pushTokens: [{ token: "apns-flaky" }, { token: "fcm-down" }] } },
    });
  });

  test("a provider that does not answer times out per attempt; a Retry-After past the deadline is not waited for", async () => {
    await upsertUser("slow", {
      pushTokens: [
        { provider: "APNS", token: "apns-hang" },
        { provider: "FCM", token: "fcm-later" },
      ],
    });
    apns.script.set("apns-hang", { status: 0, hang: true }, { status: 0, hang: true }, { status: 0, hang: true });
    fcm.script.set("fcm-later", { status: 429, body: { error: { status: "QUOTA_EXCEEDED" } }, headers: { "retry-after": "3600" } });
    const started = Date.now();
    const sent = await send({ userIds: ["slow"], notification });
    expect(Date.now() - started).toBeLessThan(8000);
    expect(sent.deliveries.map((d) => [d.status, d.attempts, d.errorCode])).toEqual([
      ["FAILED", 3, "TIMEOUT"],
      ["FAILED", 1, "QUOTA_EXCEEDED"],
    ]);
  });

  test("other requests are served while a send waits on providers", async () => {
    await upsertUser("waiting", { pushTokens: [{ provider: "APNS", token: "apns-wait" }] });
    apns.script.set("apns-wait", { status: 429, headers: { "retry-after": "1" }, body: { reason: "TooManyRequests" } });
    const sending = send({ userIds: ["waiting"], notification });
    const started = Date.now();
    expect((await graphql(`{ user(id: "waiting") { id } }`)).data.user.id).toBe("waiting");
    expect(Date.now() - started).toBeLessThan(500);
    expect((await sending).sentCount).toBe(1);
  });

  test("the same idempotency key replays the first result and sends nothing again; another request with it is refused", async () => {
    await upsertUser("once", { pushTokens: [{ provider: "APNS", token: "apns-once" }] });
    const input = { userIds: ["once"], notification };
    const options = { idempotencyKey: "push-once-1" };
    const [first, concurrent] = await Promise.all([send(input, options), send(input, options)]);
    const again = await send(input, options);
    expect(first.deliveries.map((d) => d.id)).toEqual(again.deliveries.map((d) => d.id));
    expect(concurrent.deliveries.map((d) => d.id)).toEqual(first.deliveries.map((d) => d.id));
    expect([first.replayed, concurrent.replayed].sort()).toEqual([false, true]);
    expect(again).toMatchObject({ replayed: true, sentCount: 1 });
    expect(apns.requests.filter((request) => request.token === "apns-once")).toHaveLength(1);
    const other = await graphql(SEND, { input: { ...input, notification: { title: "Other" } }, options });
    expect(other.data.sendPush).toEqual({
      __typename: "ValidationError",
      fields: [expect.objectContaining({ field: "options.idempotencyKey", reason: "conflict" })],
    });
  });

  test("a send refused before it ran frees its idempotency key", async () => {
    const options = { idempotencyKey: "push-retry-after-error" };
    const refused = await graphql(SEND, { input: { userIds: ["nobody-yet"], notification }, options });
    expect(refused.data.sendPush.__typename).toBe("ValidationError");
    await upsertUser("nobody-yet", { pushTokens: [{ provider: "APNS", token: "apns-nobody" }] });
    expect((await send({ userIds: ["nobody-yet"], notification }, options)).sentCount).toBe(1);
  });

  test("with a workflow, preferences decide: refused destinations are SKIPPED with their DecisionReason, nothing is sent", async () => {
    await graphql(`mutation { defineWorkflow(input: { key: "news", categories: ["marketing"] }) { __typename } }`);
    await upsertUser("opted-out", { pushTokens: [{ provider: "APNS", token: "apns-opted-out" }] });
    await upsertUser("opted-in", { pushTokens: [{ provider: "FCM", token: "fcm-opted-in" }] });
    await upsertUser("no-device", { email: "no-device@example.com" });
    await graphql(
      `mutation { setPreferences(userId: "opted-out", input: { channelTypes: [{ channelType: PUSH, enabled: false }] }) { __typename } }`,
    );
    const sent = await send({ userIds: ["opted-out", "opted-in", "no-device"], notification, workflow: "news" });
    expect(sent.deliveries.map((d) => `${d.user.id}:${d.provider}:${d.status}:${d.reason}`)).toEqual([
      "no-device:null:SKIPPED:NO_DESTINATION",
      "opted-out:APNS:SKIPPED:OPTED_OUT_CHANNEL_TYPE",
      "opted-in:FCM:SENT:null",
    ]);
    expect(sent).toMatchObject({ sentCount: 1, skippedCount: 2 });
    expect(apns.requests.map((request) => request.token)).not.toContain("apns-opted-out");
    const unknown = await graphql(SEND, { input: { userIds: ["opted-in"], notification, workflow: "nope" } });
    expect(unknown.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
  });

  test("inputs are validated before anything is sent", async () => {
    const problems = async (input: Record<string, unknown>) => {
      const response = await graphql(SEND, { input });
      return response.data.sendPush.fields.map((f: { field: string; reason: string }) => `${f.field}:${f.reason}`);
    };
    expect(await problems({ userIds: [], notification })).toEqual(["userIds:invalid"]);
    expect(await problems({ userIds: Array.from({ length: 1001 }, (_, i) => `u${i}`), notification })).toEqual(["userIds:too_many"]);
    expect(await problems({ userIds: ["ada"], notification: { title: "" } })).toEqual(["notification.title:invalid"]);
    expect(await problems({ userIds: ["ada"], notification: { title: "a\u0000b" } })).toEqual(["notification.title:invalid"]);
    expect(
      await problems({
        userIds: ["ada"],
        notification: {
          title: "x",
          imageUrl: "http://x",
          data: { big: "x".repeat(3000) },
          ttlSeconds: -1,
          collapseKey: "no spaces",
          badge: -1,
        },
      }),
    ).toEqual([
      "notification.imageUrl:invalid",
      "notification.data:invalid",
      "notification.badge:invalid",
      "notification.ttlSeconds:invalid",
      "notification.collapseKey:invalid",
    ]);
    expect(await problems({ userIds: ["ada", "ghost", "ada", "phantom"], notification })).toEqual([
      "userIds.1:invalid",
      "userIds.2:invalid",
    ]);
  });
});

describe("tenancy, scopes and secrets", () => {
  test("another project neither reaches these users nor sees their deliveries; its own tokens skip without a configured channel", async () => {
    const other = await server.createProject("other-push");
    const refused = await graphql(SEND, { input: { userIds: ["ada"], notification } }, { key: other.secretKey });
    expect(refused.data.sendPush).toMatchObject({ __typename: "ValidationError", fields: [{ field: "userIds.0" }] });
    await upsertUser("ada", { pushTokens: [{ provider: "FCM", token: "fcm-other-ada" }] }, other.secretKey);
    const sent = await send({ userIds: ["ada"], notification }, undefined, other.secretKey);
    expect(sent.deliveries).toEqual([
      expect.objectContaining({ status: "SKIPPED", errorCode: "CHANNEL_NOT_CONFIGURED", channel: null, attempts: 0 }),
    ]);
    const theirs = await graphql(`{ pushDeliveries { nodes { user { id } status } } }`, {}, { key: other.secretKey });
    expect(theirs.data.pushDeliveries.nodes).toEqual([{ user: { id: "ada" }, status: "SKIPPED" }]);
    expect(fcm.requests.map((request) => request.token)).not.toContain("fcm-other-ada");
  });

  test("sendPush needs push:send and pushDeliveries push:read", async () => {
    const limited = await server.createProject("limited-push", ["users:read"]);
    const response = await graphql(SEND, { input: { userIds: ["x"], notification } }, { key: limited.secretKey });
    expect(response.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    const read = await graphql(`{ pushDeliveries { nodes { id } } }`, {}, { key: limited.secretKey });
    expect(read.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
  });

  test("pushDeliveries pages newest first, by user or for the project", async () => {
    const all = await graphql(
      `{ pushDeliveries(userId: "ada", first: 2) { totalCount nodes { id status createdAt } pageInfo { hasNextPage endCursor } } }`,
    );
    const page = all.data.pushDeliveries;
    expect(page.nodes).toHaveLength(2);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await graphql(
      `query N($after: String) { pushDeliveries(userId: "ada", first: 100, after: $after) { nodes { id createdAt } } }`,
      { after: page.pageInfo.endCursor },
    );
    const ids = [...page.nodes, ...next.data.pushDeliveries.nodes].map((node: { id: string }) => node.id);
    expect(new Set(ids).size).toBe(page.totalCount);
    const times = [...page.nodes, ...next.data.pushDeliveries.nodes].map((node: { createdAt: string }) => node.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const wrongCursor = await graphql(`query N($after: String) { pushDeliveries(userId: "bob", after: $after) { nodes { id } } }`, {
      after: page.pageInfo.endCursor,
    });
    expect(wrongCursor.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
    expect((await graphql(`{ pushDeliveries(first: 1001) { nodes { id } } }`)).errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
  });

  test("no credential, access token or key ever appears in a response or a log line", async () => {
    const logs = JSON.stringify(server.logs);
    const everything = JSON.stringify(
      await graphql(
        `{ channels { name configured credentialsFingerprint } pushDeliveries(first: 1000) { nodes { providerMessageId errorCode } } }`,
      ),
    );
    const secrets = [
      apnsKey.credentials.privateKey.split("\n")[1]!,
      fcmKey.serviceAccount.private_key.split("\n")[1]!,
      vapid.vapidPrivateKey,
      ENCRYPTION_KEY,
      "ya29.",
      "bearer ey",
    ];
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(everything).not.toContain(secret);
    }
  });
});
