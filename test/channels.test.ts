import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type GraphQLResponse, startTestServer, type TestServer } from "./support/test-server.ts";

// Black-box tests of channels and channel settings, through the GraphQL endpoint.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const VALIDATION_ERROR = /* GraphQL */ `... on ValidationError { code fields { field message reason } }`;
const NOT_FOUND_ERROR = /* GraphQL */ `... on NotFoundError { code resource id }`;
const CREATE_CHANNEL = /* GraphQL */ `
  mutation Create($input: CreateChannelInput!) {
    createChannel(input: $input) {
      __typename
      ... on CreateChannelSuccess { channel { id name provider createdAt } }
      ${VALIDATION_ERROR}
    }
  }
`;
const RENAME_CHANNEL = /* GraphQL */ `
  mutation Rename($id: ID!, $name: String!) {
    renameChannel(id: $id, name: $name) {
      __typename
      ... on RenameChannelSuccess { channel { id name provider } }
      ${VALIDATION_ERROR}
      ${NOT_FOUND_ERROR}
    }
  }
`;
const DELETE_CHANNEL = /* GraphQL */ `
  mutation Delete($id: ID!) {
    deleteChannel(id: $id) { __typename ... on DeleteChannelSuccess { id } ${NOT_FOUND_ERROR} }
  }
`;
const CHANNELS = /* GraphQL */ `query { channels { id name provider } }`;
const SET_SETTINGS = /* GraphQL */ `
  mutation Set($userId: ID!, $channelId: ID!, $settings: JSONObject!) {
    setChannelSettings(userId: $userId, channelId: $channelId, settings: $settings) {
      __typename
      ... on SetChannelSettingsSuccess {
        created
        channelSettings { provider settings createdAt updatedAt channel { id name provider } }
      }
      ${VALIDATION_ERROR}
      ${NOT_FOUND_ERROR}
    }
  }
`;
const UNSET_SETTINGS = /* GraphQL */ `
  mutation Unset($userId: ID!, $channelId: ID!) {
    unsetChannelSettings(userId: $userId, channelId: $channelId) {
      __typename
      ... on UnsetChannelSettingsSuccess { channelId }
      ${NOT_FOUND_ERROR}
    }
  }
`;
const USER_SETTINGS = /* GraphQL */ `
  query Settings($id: ID!) { user(id: $id) { channelSettings { provider settings channel { name } } } }
`;

const NOWHERE = "00000000-0000-4000-8000-000000000000";
let channelCount = 0;

async function createChannel(provider: string, name = `${provider.toLowerCase()}-${++channelCount}`) {
  const response = await server.graphql(CREATE_CHANNEL, { input: { name, provider } });
  expect(response.data.createChannel.__typename).toBe("CreateChannelSuccess");
  return response.data.createChannel.channel as { id: string; name: string; provider: string };
}

/** Users are the users tests' subject; here they are only something to hang settings on. */
async function createUser(id: string, projectId = server.projectId) {
  await server.prisma.user.create({ data: { projectId, id } });
}

async function setSettings(userId: string, channelId: string, settings: unknown) {
  return (await server.graphql(SET_SETTINGS, { userId, channelId, settings })).data.setChannelSettings;
}

async function settingsOf(userId: string) {
  return (await server.graphql(USER_SETTINGS, { id: userId })).data.user.channelSettings;
}

/** The problems of a ValidationError as `field → reason`. */
function reasons(result: { __typename: string; fields: { field: string; reason: string }[] }) {
  expect(result.__typename).toBe("ValidationError");
  return Object.fromEntries(result.fields.map(({ field, reason }) => [field, reason]));
}

describe("channels", () => {
  test("createChannel gives a UUID id; channels lists the project's channels by name", async () => {
    const zeta = await createChannel("SMS", "zeta");
    const alpha = await createChannel("EMAIL", "  alpha ");
    expect(zeta.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(alpha).toMatchObject({ name: "alpha", provider: "EMAIL" });

    const { channels } = (await server.graphql(CHANNELS)).data;
    const names = channels.map((channel: { name: string }) => channel.name);
    expect(names).toEqual([...names].sort());
    expect(channels).toEqual(expect.arrayContaining([alpha, zeta].map(({ id, name, provider }) => ({ id, name, provider }))));
  });

  test("a name must be 1–200 characters without control characters, and free in the project", async () => {
    await createChannel("APNS", "taken");
    for (const [name, reason] of [
      ["   ", "invalid"],
      ["n".repeat(201), "too_long"],
      ["tab\there", "invalid"],
      ["taken", "conflict"],
    ]) {
      const response = await server.graphql(CREATE_CHANNEL, { input: { name, provider: "APNS" } });
      expect(reasons(response.data.createChannel)).toEqual({ name: reason });
    }
  });

  test("names and channels belong to one project", async () => {
    const mine = await createChannel("SLACK", "shared-name");
    const other = await server.createProject("channels-other");
    const theirs = await server.graphql(CREATE_CHANNEL, { input: { name: "shared-name", provider: "SLACK" } }, { key: other.secretKey });
    expect(theirs.data.createChannel.__typename).toBe("CreateChannelSuccess");

    const listed = (await server.graphql(CHANNELS, {}, { key: other.secretKey })).data.channels;
    expect(listed).toEqual([{ id: theirs.data.createChannel.channel.id, name: "shared-name", provider: "SLACK" }]);
    for (const mutation of [
      server.graphql(RENAME_CHANNEL, { id: mine.id, name: "stolen" }, { key: other.secretKey }),
      server.graphql(DELETE_CHANNEL, { id: mine.id }, { key: other.secretKey }),
    ]) {
      const result = Object.values((await mutation).data)[0];
      expect(result).toEqual({ __typename: "NotFoundError", code: "not_found", resource: "channel", id: mine.id });
    }
  });

  test("renameChannel renames; a taken name is a conflict, keeping its own name is not", async () => {
    const channel = await createChannel("FCM", "before");
    await createChannel("FCM", "occupied");
    const renamed = await server.graphql(RENAME_CHANNEL, { id: channel.id, name: "after" });
    expect(renamed.data.renameChannel).toEqual({
      __typename: "RenameChannelSuccess",
      channel: { id: channel.id, name: "after", provider: "FCM" },
    });
    const same = await server.graphql(RENAME_CHANNEL, { id: channel.id, name: "after" });
    expect(same.data.renameChannel.__typename).toBe("RenameChannelSuccess");
    const conflict = await server.graphql(RENAME_CHANNEL, { id: channel.id, name: "occupied" });
    expect(reasons(conflict.data.renameChannel)).toEqual({ name: "conflict" });
    const invalid = await server.graphql(RENAME_CHANNEL, { id: channel.id, name: "" });
    expect(reasons(invalid.data.renameChannel)).toEqual({ name: "invalid" });
  });

  test.each([NOWHERE, "not-a-uuid", "", "00000000-0000-4000-8000-00000000000Z"])(
    "an id that names no channel (%j) is a NotFoundError for rename and delete",
    async (id) => {
      const rename = await server.graphql(RENAME_CHANNEL, { id, name: "whatever" });
      expect(rename.data.renameChannel).toEqual({
        __typename: "NotFoundError",
        code: "not_found",
        resource: "channel",
        id,
      });
      const deletion = await server.graphql(DELETE_CHANNEL, { id });
      expect(deletion.data.deleteChannel).toEqual({
        __typename: "NotFoundError",
        code: "not_found",
        resource: "channel",
        id,
      });
    },
  );

  test("deleteChannel removes the channel and every user's settings for it", async () => {
    const channel = await createChannel("EMAIL");
    const kept = await createChannel("SMS");
    await createUser("deleted-channel-user");
    await setSettings("deleted-channel-user", channel.id, { email: "a@example.com" });
    await setSettings("deleted-channel-user", kept.id, { phone_number: "+14155552671" });

    const deletion = await server.graphql(DELETE_CHANNEL, { id: channel.id });
    expect(deletion.data.deleteChannel).toEqual({ __typename: "DeleteChannelSuccess", id: channel.id });
    expect(await settingsOf("deleted-channel-user")).toEqual([
      { provider: "SMS", settings: { phone_number: "+14155552671" }, channel: { name: kept.name } },
    ]);
    expect(await server.prisma.channelSettings.count({ where: { channelId: channel.id } })).toBe(0);
    const listed = (await server.graphql(CHANNELS)).data.channels.map((c: { id: string }) => c.id);
    expect(listed).not.toContain(channel.id);

    const again = await server.graphql(DELETE_CHANNEL, { id: channel.id });
    expect(again.data.deleteChannel.__typename).toBe("NotFoundError");
  });

  test("reading channels needs channels:read, changing them channels:write", async () => {
    const { secretKey } = await server.createProject("channels-scopes", ["users:read", "users:write"]);
    const read = await server.graphql(CHANNELS, {}, { key: secretKey });
    expect(read.status).toBe(403);
    expect(read.errors![0]!.extensions.code).toBe("FORBIDDEN");
    const write = await server.graphql(CREATE_CHANNEL, { input: { name: "x", provider: "SMS" } }, { key: secretKey });
    expect(write.errors![0]!.extensions.code).toBe("FORBIDDEN");
    expect(await server.prisma.channel.count({ where: { name: "x" } })).toBe(0);
  });
});

describe("setChannelSettings: validation per provider", () => {
  const channels: Record<string, { id: string }> = {};
  beforeAll(async () => {
    await createUser("validated");
    for (const provider of ["APNS", "FCM", "SLACK", "WEB_PUSH", "EMAIL", "SMS"]) {
      channels[provider] = await createChannel(provider, `validation-${provider}`);
    }
  });
  const set = (provider: string, settings: unknown) => setSettings("validated", channels[provider]!.id, settings);
  const stored = async (provider: string, settings: unknown) => {
    const result = await set(provider, settings);
    expect(result.__typename).toBe("SetChannelSettingsSuccess");
    return result.channelSettings.settings;
  };

  test.each(["APNS", "FCM"])("%s: device tokens are deduplicated, keeping their order", async (provider) => {
    expect(await stored(provider, { device_tokens: ["b", "a", "b", "c", "a"] })).toEqual({
      device_tokens: ["b", "a", "c"],
    });
    // 150 entries, 100 of them distinct: the limit counts distinct tokens.
    const hundred = Array.from({ length: 100 }, (_, i) => `token-${i}`);
    expect(await stored(provider, { device_tokens: [...hundred, ...hundred.slice(0, 50)] })).toEqual({
      device_tokens: hundred,
    });
  });

  test.each(["APNS", "FCM"])("%s: every bad token is reported at its index, with the unknown keys", async (provider) => {
    const result = await set(provider, { device_tokens: ["fine", "", "x".repeat(4097), 7], extra: true, more: 1 });
    expect(reasons(result)).toEqual({
      "settings.device_tokens.1": "invalid",
      "settings.device_tokens.2": "too_long",
      "settings.device_tokens.3": "invalid",
      "settings.extra": "unknown",
      "settings.more": "unknown",
    });
  });

  test.each([
    [{}, { "settings.device_tokens": "required" }],
    [{ device_tokens: [] }, { "settings.device_tokens": "invalid" }],
    [{ device_tokens: "abc" }, { "settings.device_tokens": "invalid" }],
    [{ device_tokens: Array.from({ length: 101 }, (_, i) => `t${i}`) }, { "settings.device_tokens": "too_many" }],
  ])("APNS: device_tokens must be a list of 1 to 100 tokens (%#)", async (settings, expected) => {
    expect(reasons(await set("APNS", settings))).toEqual(expected);
  });

  test("SLACK: a channel id (C…, G…), a user id (U…, W…) or both", async () => {
    expect(await stored("SLACK", { slack_channel_id: "C024BE91L" })).toEqual({ slack_channel_id: "C024BE91L" });
    expect(await stored("SLACK", { slack_user_id: "W012A3CDE" })).toEqual({ slack_user_id: "W012A3CDE" });
    const both = { slack_channel_id: "G0123ABCD", slack_user_id: "U024BE7LH" };
    expect(await stored("SLACK", both)).toEqual(both);

    expect(reasons(await set("SLACK", {}))).toEqual({ settings: "required" });
    expect(reasons(await set("SLACK", { slack_channel_id: "#general", slack_user_id: "C024BE91L", channel: "x" }))).toEqual({
      "settings.slack_channel_id": "invalid",
      "settings.slack_user_id": "invalid",
      "settings.channel": "unknown",
    });
  });

  test("WEB_PUSH: subscriptions with an https endpoint and base64url keys", async () => {
    const subscription = {
      endpoint: "https://fcm.googleapis.com/fcm/send/abc",
      keys: {
        p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        auth: "tBHItJI5svbpez7KI4CCXg",
      },
    };
    expect(await stored("WEB_PUSH", { subscriptions: [subscription] })).toEqual({ subscriptions: [subscription] });

    const result = await set("WEB_PUSH", {
      subscriptions: [
        subscription,
        {
          endpoint: "http://push.example.com/1",
          keys: { p256dh: "not base64url!", auth: "tBHItJI5svbpez7KI4CCXg", x: 1 },
        },
        { endpoint: "https://push.example.com/2", keys: { p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQ" } },
        { endpoint: "https://push.example.com/3", keys: { p256dh: "abc=", auth: "" }, expirationTime: -1 },
      ],
    });
    expect(reasons(result)).toEqual({
      "settings.subscriptions.1.endpoint": "invalid",
      "settings.subscriptions.1.keys.p256dh": "invalid",
      "settings.subscriptions.1.keys.x": "unknown",
      "settings.subscriptions.2.keys.auth": "required",
      "settings.subscriptions.3.keys.p256dh": "invalid",
      "settings.subscriptions.3.keys.auth": "invalid",
      // PushSubscription.toJSON() has expirationTime: a time or null.
      "settings.subscriptions.3.expirationTime": "invalid",
    });
    expect(reasons(await set("WEB_PUSH", { subscriptions: [] }))).toEqual({ "settings.subscriptions": "invalid" });
  });

  test("EMAIL: a valid address", async () => {
    expect(await stored("EMAIL", { email: " ada@example.com " })).toEqual({ email: "ada@example.com" });
    expect(reasons(await set("EMAIL", { email: "ada@" }))).toEqual({ "settings.email": "invalid" });
    expect(reasons(await set("EMAIL", { email: `${"a".repeat(250)}@example.com` }))).toEqual({
      "settings.email": "too_long",
    });
    expect(reasons(await set("EMAIL", { address: "ada@example.com" }))).toEqual({
      "settings.email": "required",
      "settings.address": "unknown",
    });
  });

  test("SMS: an E.164 number, stored normalised", async () => {
    expect(await stored("SMS", { phone_number: "+1 (415) 555-2671" })).toEqual({ phone_number: "+14155552671" });
    expect(reasons(await set("SMS", { phone_number: "555-2671" }))).toEqual({ "settings.phone_number": "invalid" });
    expect(reasons(await set("SMS", { phone_number: 14155552671 }))).toEqual({ "settings.phone_number": "invalid" });
  });

  test("invalid settings write nothing", async () => {
    await stored("EMAIL", { email: "kept@example.com" });
    await set("EMAIL", { email: "broken" });
    const email = (await settingsOf("validated")).find((s: { provider: string }) => s.provider === "EMAIL");
    expect(email.settings).toEqual({ email: "kept@example.com" });
  });
});

describe("setChannelSettings and unsetChannelSettings", () => {
  test("the first call creates the settings, the next replaces them whole", async () => {
    const channel = await createChannel("SLACK");
    await createUser("replaced");
    const first = await setSettings("replaced", channel.id, { slack_channel_id: "C111111111" });
    expect(first).toMatchObject({
      __typename: "SetChannelSettingsSuccess",
      created: true,
      channelSettings: {
        provider: "SLACK",
        settings: { slack_channel_id: "C111111111" },
        channel: { id: channel.id, name: channel.name, provider: "SLACK" },
      },
    });
    const second = await setSettings("replaced", channel.id, { slack_user_id: "U222222222" });
    expect(second).toMatchObject({ created: false, channelSettings: { settings: { slack_user_id: "U222222222" } } });
    expect(second.channelSettings.createdAt).toBe(first.channelSettings.createdAt);
    expect(new Date(second.channelSettings.updatedAt).getTime()).toBeGreaterThan(new Date(first.channelSettings.updatedAt).getTime());
    expect(await settingsOf("replaced")).toEqual([
      { provider: "SLACK", settings: { slack_user_id: "U222222222" }, channel: { name: channel.name } },
    ]);
  });

  test("a user or channel that does not exist is a NotFoundError", async () => {
    const channel = await createChannel("EMAIL");
    await createUser("found");
    const settings = { email: "found@example.com" };
    expect(await setSettings("nobody", channel.id, settings)).toEqual({
      __typename: "NotFoundError",
      code: "not_found",
      resource: "user",
      id: "nobody",
    });
    for (const channelId of [NOWHERE, "email"]) {
      expect(await setSettings("found", channelId, settings)).toEqual({
        __typename: "NotFoundError",
        code: "not_found",
        resource: "channel",
        id: channelId,
      });
    }
    const other = await server.createProject("settings-other");
    const elsewhere = await server.graphql(SET_SETTINGS, { userId: "found", channelId: channel.id, settings }, { key: other.secretKey });
    expect(elsewhere.data.setChannelSettings).toMatchObject({ __typename: "NotFoundError", resource: "channel" });
    expect(await server.prisma.channelSettings.count({ where: { userId: { in: ["nobody", "found"] } } })).toBe(0);
  });

  test("unsetChannelSettings removes the settings; settings already gone are no error", async () => {
    const channel = await createChannel("SMS");
    await createUser("unset");
    await setSettings("unset", channel.id, { phone_number: "+447946095800" });
    const unset = await server.graphql(UNSET_SETTINGS, { userId: "unset", channelId: channel.id });
    expect(unset.data.unsetChannelSettings).toEqual({
      __typename: "UnsetChannelSettingsSuccess",
      channelId: channel.id,
    });
    expect(await settingsOf("unset")).toEqual([]);
    const again = await server.graphql(UNSET_SETTINGS, { userId: "unset", channelId: channel.id });
    expect(again.data.unsetChannelSettings.__typename).toBe("UnsetChannelSettingsSuccess");
  });

  test("unsetChannelSettings: a user or channel that does not exist is a NotFoundError", async () => {
    const channel = await createChannel("SMS");
    await createUser("unset-found");
    const noUser = await server.graphql(UNSET_SETTINGS, { userId: "nobody", channelId: channel.id });
    expect(noUser.data.unsetChannelSettings).toEqual({
      __typename: "NotFoundError",
      code: "not_found",
      resource: "user",
      id: "nobody",
    });
    for (const channelId of [NOWHERE, "sms"]) {
      const noChannel = await server.graphql(UNSET_SETTINGS, { userId: "unset-found", channelId });
      expect(noChannel.data.unsetChannelSettings).toEqual({
        __typename: "NotFoundError",
        code: "not_found",
        resource: "channel",
        id: channelId,
      });
    }
  });

  test("User.channelSettings is ordered by channel name", async () => {
    await createUser("ordered");
    const names = ["m-ordered", "a-ordered", "z-ordered"];
    for (const name of names) {
      const channel = await createChannel("EMAIL", name);
      await setSettings("ordered", channel.id, { email: `${name}@example.com` });
    }
    const listed = (await settingsOf("ordered")).map((s: { channel: { name: string } }) => s.channel.name);
    expect(listed).toEqual([...names].sort());
  });

  test("writing settings needs users:write", async () => {
    const channel = await createChannel("EMAIL");
    await createUser("scoped");
    const { secretKey } = await server.createProject("settings-scopes", ["users:read", "channels:read", "channels:write"]);
    const response = await server.graphql(SET_SETTINGS, { userId: "scoped", channelId: channel.id, settings: {} }, { key: secretKey });
    expect(response.status).toBe(403);
    expect(response.errors![0]!.extensions.code).toBe("FORBIDDEN");
  });
});

describe("a device belongs to one person", () => {
  test("tokens set for a user leave every other user's settings on that channel", async () => {
    const channel = await createChannel("APNS");
    const otherChannel = await createChannel("APNS");
    for (const id of ["phone-old", "phone-shared", "phone-new"]) await createUser(id);
    await setSettings("phone-old", channel.id, { device_tokens: ["t1", "t2", "t3"] });
    await setSettings("phone-shared", channel.id, { device_tokens: ["t2"] });
    await setSettings("phone-old", otherChannel.id, { device_tokens: ["t2"] });

    await setSettings("phone-new", channel.id, { device_tokens: ["t2", "t4"] });

    const onChannel = async (userId: string) =>
      (await settingsOf(userId)).filter((s: { channel: { name: string } }) => s.channel.name === channel.name);
    expect((await onChannel("phone-old"))[0].settings).toEqual({ device_tokens: ["t1", "t3"] });
    // Left without tokens: the settings are gone.
    expect(await onChannel("phone-shared")).toEqual([]);
    expect((await onChannel("phone-new"))[0].settings).toEqual({ device_tokens: ["t2", "t4"] });
    // Another channel keeps its tokens.
    expect(await settingsOf("phone-old")).toContainEqual({
      provider: "APNS",
      settings: { device_tokens: ["t2"] },
      channel: { name: otherChannel.name },
    });
  });

  test("tokens do not move across projects", async () => {
    const channel = await createChannel("FCM");
    await createUser("mine-fcm");
    await setSettings("mine-fcm", channel.id, { device_tokens: ["cross-project"] });

    const other = await server.createProject("device-other");
    const theirs = await server.graphql(CREATE_CHANNEL, { input: { name: "fcm", provider: "FCM" } }, { key: other.secretKey });
    await createUser("theirs-fcm", other.projectId);
    const moved = await server.graphql(
      SET_SETTINGS,
      {
        userId: "theirs-fcm",
        channelId: theirs.data.createChannel.channel.id,
        settings: { device_tokens: ["cross-project"] },
      },
      { key: other.secretKey },
    );
    expect(moved.data.setChannelSettings.__typename).toBe("SetChannelSettingsSuccess");
    expect((await settingsOf("mine-fcm"))[0].settings).toEqual({ device_tokens: ["cross-project"] });
  });
});

describe("User.channelSettings is batched", () => {
  test("a page of 100 users with their settings costs one statement for the settings", async () => {
    // A project of its own, so that the page holds exactly these users.
    const batch = await server.createProject("channels-batch");
    const create = async (name: string, provider: string) =>
      (await server.graphql(CREATE_CHANNEL, { input: { name, provider } }, { key: batch.secretKey })).data.createChannel.channel;
    const channels = [await create("batch-b", "EMAIL"), await create("batch-a", "SMS")];
    const ids = Array.from({ length: 100 }, (_, i) => `batch-${String(i).padStart(3, "0")}`);
    await server.prisma.user.createMany({ data: ids.map((id) => ({ projectId: batch.projectId, id })) });
    await server.prisma.channelSettings.createMany({
      data: ids.flatMap((userId) => [
        { projectId: batch.projectId, userId, channelId: channels[0].id, settings: { email: `${userId}@example.com` } },
        { projectId: batch.projectId, userId, channelId: channels[1].id, settings: { phone_number: "+14155552671" } },
      ]),
    });
    const query = /* GraphQL */ `
      { users(first: 100, orderBy: { field: ID }) { nodes { id channelSettings { channel { name } settings } } } }
    `;

    let response!: GraphQLResponse;
    const statements = await server.recordStatements(async () => {
      response = await server.graphql(query, {}, { key: batch.secretKey });
    });

    expect(response.errors).toBeUndefined();
    expect(response.data.users.nodes).toEqual(
      ids.map((id) => ({
        id,
        channelSettings: [
          { channel: { name: "batch-a" }, settings: { phone_number: "+14155552671" } },
          { channel: { name: "batch-b" }, settings: { email: `${id}@example.com` } },
        ],
      })),
    );
    expect(statements.filter((sql) => sql.includes("channel_settings"))).toHaveLength(1);
  });
});
