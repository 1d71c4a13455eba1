import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// UI settings, profileOnce, the formats clients send as they are, and the name rules.

let server: TestServer;
let publishableKey: string;
beforeAll(async () => {
  server = await startTestServer();
  publishableKey = await server.createPublishableKey();
  await server.prisma.user.createMany({ data: ["ada", "grace"].map((id) => ({ projectId: server.projectId, id })) });
});
afterAll(() => server.close());

const app = () => ({ key: null, headers: { "x-api-key": publishableKey } });
const INVALID = /* GraphQL */ `__typename ... on ValidationError { fields { field reason } } ... on NotFoundError { resource id }`;

describe("UI settings", () => {
  const UPDATE = /* GraphQL */ `
    mutation Update($userId: ID, $input: UiSettingsInput!) {
      updateUiSettings(userId: $userId, input: $input) {
        ${INVALID} ... on UpdateUiSettingsSuccess { user { id version uiSettings { developerMode darkMode } } }
      }
    }
  `;
  const CREATE_TOKEN = `mutation T($userId: ID!) { createUserToken(userId: $userId) { ... on CreateUserTokenSuccess { token } } }`;
  const asUser = async (userId: string) => {
    const token = (await server.graphql(CREATE_TOKEN, { userId })).data.createUserToken.token;
    return { key: null, headers: { "x-api-key": publishableKey, authorization: `Bearer ${token}` } };
  };

  test("off by default; a secret key changes any user's, a setting left out stays, null turns it off", async () => {
    const read = await server.graphql(`{ user(id: "ada") { uiSettings { developerMode darkMode } } }`);
    expect(read.data.user.uiSettings).toEqual({ developerMode: false, darkMode: false });
    const on = (await server.graphql(UPDATE, { userId: "ada", input: { darkMode: true } })).data.updateUiSettings;
    expect(on).toMatchObject({ __typename: "UpdateUiSettingsSuccess", user: { uiSettings: { developerMode: false, darkMode: true } } });
    const both = (await server.graphql(UPDATE, { userId: "ada", input: { developerMode: true } })).data.updateUiSettings;
    expect(both.user.uiSettings).toEqual({ developerMode: true, darkMode: true });
    expect(both.user.version).toBe(on.user.version + 1);
    const same = (await server.graphql(UPDATE, { userId: "ada", input: { developerMode: true } })).data.updateUiSettings;
    expect(same.user.version).toBe(both.user.version);
    const off = (await server.graphql(UPDATE, { userId: "ada", input: { developerMode: null } })).data.updateUiSettings;
    expect(off.user.uiSettings).toEqual({ developerMode: false, darkMode: true });
    const feed = await server.graphql(
      `{ events(first: 10, filter: { userId: "ada", types: [USER_UPDATED] }) { nodes { changedFields version } } }`,
    );
    expect(feed.data.events.nodes.slice(-3)).toEqual([
      { changedFields: ["darkMode"], version: on.user.version },
      { changedFields: ["developerMode"], version: both.user.version },
      { changedFields: ["developerMode"], version: off.user.version },
    ]);
  });

  test("a secret key names the user; an unknown one is not found", async () => {
    expect((await server.graphql(UPDATE, { input: { darkMode: true } })).data.updateUiSettings).toEqual({
      __typename: "ValidationError",
      fields: [{ field: "userId", reason: "required" }],
    });
    expect((await server.graphql(UPDATE, { userId: "nobody", input: { darkMode: true } })).data.updateUiSettings).toEqual({
      __typename: "NotFoundError",
      resource: "user",
      id: "nobody",
    });
    const wrongType = await server.graphql(UPDATE, { userId: "ada", input: { darkMode: "yes" } });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  test("a user token changes its own without userId, and no one else's", async () => {
    const grace = await asUser("grace");
    const own = (await server.graphql(UPDATE, { input: { developerMode: true } }, grace)).data.updateUiSettings;
    expect(own.user).toMatchObject({ id: "grace", uiSettings: { developerMode: true, darkMode: false } });
    const named = (await server.graphql(UPDATE, { userId: "grace", input: { darkMode: true } }, grace)).data.updateUiSettings;
    expect(named.user.uiSettings).toEqual({ developerMode: true, darkMode: true });
    const other = await server.graphql(UPDATE, { userId: "ada", input: { darkMode: false } }, grace);
    expect(other.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const me = await server.graphql(`{ me { uiSettings { developerMode darkMode } } }`, {}, grace);
    expect(me.data.me.uiSettings).toEqual({ developerMode: true, darkMode: true });
  });

  test("a member changes its own without userId", async () => {
    const email = "member.ui@example.com";
    const registered = await server.graphql(
      `mutation R($input: RegisterUserInput!) { registerUser(input: $input) { ... on RegisterUserSuccess { user { id } } } }`,
      { input: { email, password: "correct horse battery", name: "Ui Member" } },
      app(),
    );
    const userId = registered.data.registerUser.user.id;
    const signedIn = await server.graphql(
      `mutation S($email: String!) { signIn(email: $email, password: "correct horse battery") { ... on SignInSuccess { accessToken } } }`,
      { email },
      app(),
    );
    const member = { key: signedIn.data.signIn.accessToken };
    const own = (await server.graphql(UPDATE, { input: { darkMode: true } }, member)).data.updateUiSettings;
    expect(own.user).toMatchObject({ id: userId, uiSettings: { developerMode: false, darkMode: true } });
    // Outside its organization: as if the user did not exist.
    const other = (await server.graphql(UPDATE, { userId: "ada", input: { darkMode: true } }, member)).data.updateUiSettings;
    expect(other).toEqual({ __typename: "NotFoundError", resource: "user", id: "ada" });
  });

  test("another project's key does not reach this project's users", async () => {
    const other = await server.createProject("ui-other");
    const response = await server.graphql(UPDATE, { userId: "ada", input: { darkMode: true } }, { key: other.secretKey });
    expect(response.data.updateUiSettings).toEqual({ __typename: "NotFoundError", resource: "user", id: "ada" });
  });
});

describe("profileOnce", () => {
  const UPSERT = /* GraphQL */ `
    mutation U($id: ID!, $input: UpsertUserInput!) {
      upsertUser(id: $id, input: $input) {
        ${INVALID} ... on UpsertUserSuccess { user { name email phoneNumber avatarUrl locale timezone title nickname } }
      }
    }
  `;
  const upsert = async (id: string, input: object) => (await server.graphql(UPSERT, { id, input })).data.upsertUser;

  test("writes each profile field only where the user has none, validated as the input's", async () => {
    const first = await upsert("once", {
      name: "Grace Hopper",
      profileOnce: { name: "Someone Else", email: "grace@example.com", locale: "en_US", phoneNumber: "+1 202-555-0143" },
    });
    expect(first.user).toMatchObject({ name: "Grace Hopper", email: "grace@example.com", locale: "en-US", phoneNumber: "+12025550143" });
    const second = await upsert("once", {
      profileOnce: { email: "other@example.com", title: "Rear Admiral", nickname: "Amazing Grace", timezone: "America/New_York" },
    });
    expect(second.user).toMatchObject({
      email: "grace@example.com",
      title: "Rear Admiral",
      nickname: "Amazing Grace",
      timezone: "America/New_York",
    });
    // A value cleared in the same input is none: profileOnce fills it.
    const third = await upsert("once", { title: null, profileOnce: { title: "Commodore", avatarUrl: "https://example.com/g.png" } });
    expect(third.user).toMatchObject({ title: "Commodore", avatarUrl: "https://example.com/g.png" });
    const bad = await upsert("once", { profileOnce: { email: "not an address", avatarUrl: "http://insecure" } });
    expect(bad.__typename).toBe("ValidationError");
    expect(bad.fields.map((field: { field: string }) => field.field).sort()).toEqual(["profileOnce.avatarUrl", "profileOnce.email"]);
  });
});

describe("formats clients send as they are", () => {
  test("a browser's PushSubscription.toJSON(), with expirationTime, round-trips", async () => {
    const subscriptions = [
      {
        endpoint: "https://fcm.googleapis.com/fcm/send/abc",
        expirationTime: 1767225600000,
        keys: { p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQ", auth: "tBHItJI5svbpez7KI4CCXg" },
      },
      {
        endpoint: "https://updates.push.services.mozilla.com/wpush/v2/def",
        expirationTime: null,
        keys: { p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQ", auth: "tBHItJI5svbpez7KI4CCXg" },
      },
    ];
    const response = await server.graphql(
      `mutation U($input: UpsertUserInput!) { upsertUser(id: "browser", input: $input) { ${INVALID} ... on UpsertUserSuccess { user { webPushSubscriptions { endpoint expirationTime keys } } } } }`,
      { input: { webPushSubscriptions: subscriptions } },
    );
    expect(response.data.upsertUser.user.webPushSubscriptions).toEqual(subscriptions);
    const read = await server.graphql(`{ user(id: "browser") { webPushSubscriptions { endpoint expirationTime keys } } }`);
    expect(read.data.user.webPushSubscriptions).toEqual(subscriptions);
    const bad = await server.graphql(`mutation U($input: UpsertUserInput!) { upsertUser(id: "browser", input: $input) { ${INVALID} } }`, {
      input: { webPushSubscriptions: [{ ...subscriptions[0], expirationTime: -5 }] },
    });
    expect(bad.data.upsertUser).toEqual({
      __typename: "ValidationError",
      fields: [{ field: "webPushSubscriptions.0.expirationTime", reason: "invalid" }],
    });
  });

  test.each([
    ["en_US", "en-US"],
    ["zh_Hant_TW", "zh-Hant-TW"],
    ["pt_br", "pt-BR"],
    ["de_DE.UTF-8", "de-DE"],
    ["en-us", "en-US"],
  ])("the locale %s is stored as %s", async (given, stored) => {
    const response = await server.graphql(
      `mutation U($locale: String) { upsertUser(id: "localized", input: { locale: $locale }) { ... on UpsertUserSuccess { user { locale } } } }`,
      {
        locale: given,
      },
    );
    expect(response.data.upsertUser.user.locale).toBe(stored);
  });

  test("a locale that is no language tag, in either notation, is refused", async () => {
    for (const locale of ["english_please", "en__US", "_US"]) {
      const response = await server.graphql(
        `mutation U($locale: String) { upsertUser(id: "localized", input: { locale: $locale }) { ${INVALID} } }`,
        { locale },
      );
      expect(response.data.upsertUser, locale).toEqual({ __typename: "ValidationError", fields: [{ field: "locale", reason: "invalid" }] });
    }
  });

  test("ChannelSettings.user is readable", async () => {
    const channel = await server.graphql(
      `mutation { createChannel(input: { name: "mail", provider: EMAIL }) { ... on CreateChannelSuccess { channel { id } } } }`,
    );
    const channelId = channel.data.createChannel.channel.id;
    const set = await server.graphql(
      `mutation S($channelId: ID!) { setChannelSettings(userId: "ada", channelId: $channelId, settings: { email: "ada@example.com" }) {
        __typename ... on SetChannelSettingsSuccess { channelSettings { user { id } } } } }`,
      { channelId },
    );
    expect(set.data.setChannelSettings.channelSettings.user).toEqual({ id: "ada" });
    const read = await server.graphql(`{ user(id: "ada") { channelSettings { user { id uiSettings { darkMode } } } } }`);
    expect(read.data.user.channelSettings).toEqual([{ user: { id: "ada", uiSettings: { darkMode: true } } }]);
  });
});

describe("names a dashboard displays", () => {
  const CREATE = `mutation C($name: String!) { createOrganization(input: { name: $name }) { ${INVALID} ... on CreateOrganizationSuccess { organization { id name } } } }`;

  test("organization names: letters, digits, spaces, dots, hyphens and apostrophes, on create and on rename", async () => {
    const good = await server.graphql(CREATE, { name: "O'Reilly-Media 2. Zürich" });
    expect(good.data.createOrganization.organization.name).toBe("O'Reilly-Media 2. Zürich");
    for (const name of ["Acme & Sons", "<script>", "a/b", "Tabs\tHere", "Emoji 🚀"]) {
      const response = await server.graphql(CREATE, { name });
      expect(response.data.createOrganization, name).toEqual({
        __typename: "ValidationError",
        fields: [{ field: "name", reason: "invalid" }],
      });
    }
    const id = good.data.createOrganization.organization.id;
    const rename = await server.graphql(`mutation R($id: ID!) { renameOrganization(id: $id, name: "Acme, Inc") { ${INVALID} } }`, { id });
    expect(rename.data.renameOrganization).toEqual({ __typename: "ValidationError", fields: [{ field: "name", reason: "invalid" }] });
  });

  test("registration: the organization name follows the rule, and a default one made from an email does too", async () => {
    const REGISTER = `mutation R($input: RegisterUserInput!) { registerUser(input: $input) { __typename ... on ValidationError { fields { field reason } } ... on RegisterUserSuccess { organization { name } } } }`;
    const bad = await server.graphql(
      REGISTER,
      { input: { email: "a.b@example.com", password: "correct horse battery", organizationName: "A/B" } },
      app(),
    );
    expect(bad.data?.registerUser, JSON.stringify(bad.errors)).toEqual({
      __typename: "ValidationError",
      fields: [{ field: "organizationName", reason: "invalid" }],
    });
    const made = await server.graphql(
      REGISTER,
      { input: { email: "first_last+tag@example.com", password: "correct horse battery" } },
      app(),
    );
    expect(made.data.registerUser.organization.name).toBe("first last tag's organization");
  });

  test("invited names: no /, \\, < or >", async () => {
    const INVITE = `mutation I($name: String) { inviteUser(input: { email: "invitee@example.com", name: $name }) { ${INVALID} ... on InviteUserSuccess { user { name } } } }`;
    for (const name of ["a/b", "a\\b", "<b>", "x>y"]) {
      const response = await server.graphql(INVITE, { name });
      expect(response.data.inviteUser, name).toEqual({ __typename: "ValidationError", fields: [{ field: "name", reason: "invalid" }] });
    }
    const good = await server.graphql(INVITE, { name: "José O'Neil & Co." });
    expect(good.data.inviteUser.user.name).toBe("José O'Neil & Co.");
  });
});
