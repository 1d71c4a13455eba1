import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type GraphQLResponse, startTestServer, type TestServer } from "./support/test-server.ts";

// Workflows and preference sets, through the GraphQL endpoint.

let server: TestServer;
let publishableKey: string;
beforeAll(async () => {
  server = await startTestServer();
  publishableKey = await server.createPublishableKey();
  await server.graphql(`mutation {
    a: createOrganization(input: { id: "acme", name: "Acme" }) { __typename }
    b: createOrganization(input: { id: "acme-eu", name: "Acme EU", parentId: "acme" }) { __typename }
    c: createOrganization(input: { id: "globex", name: "Globex" }) { __typename }
  }`);
  await server.prisma.user.createMany({
    data: ["ada", "grace", "linus", "alan"].map((id, index) => ({
      projectId: server.projectId,
      id,
      organizationId: index < 2 ? "acme-eu" : "globex",
    })),
  });
});
afterAll(() => server.close());

const INVALID = /* GraphQL */ `__typename ... on ValidationError { fields { field reason } }`;
const NOT_FOUND = /* GraphQL */ `__typename ... on NotFoundError { resource id }`;
const CONFLICT = /* GraphQL */ `... on VersionConflictError { currentVersion }`;
const ERRORS = `${INVALID} ${NOT_FOUND} ${CONFLICT}`;
const SET_FIELDS = /* GraphQL */ `
  id version updatedAt commercialSubscribed
  channelTypes { channelType enabled }
  channels { channel { name } enabled }
  categories { key enabled channelTypes { channelType enabled } conditions { variable operator argument } }
  workflows { key enabled channelTypes { channelType enabled } conditions { variable operator argument } }
  quietHours { start end weekdays channelTypes }
`;
const SET = /* GraphQL */ `
  mutation Set($userId: ID!, $setId: ID, $input: PreferenceSetInput!, $options: SetPreferencesOptions) {
    setPreferences(userId: $userId, setId: $setId, input: $input, options: $options) {
      ${ERRORS} ... on SetPreferencesSuccess { preferenceSet { ${SET_FIELDS} } }
    }
  }
`;
const READ = /* GraphQL */ `
  query Read($id: ID!, $setId: ID) { user(id: $id) { preferences(setId: $setId) { ${SET_FIELDS} } preferenceSets { id } } }
`;
const set = async (userId: string, input: object, extra: object = {}, options = {}) =>
  (await server.graphql(SET, { userId, input, ...extra }, options)).data?.setPreferences;

describe("workflows", () => {
  const DEFINE = /* GraphQL */ `
    mutation Define($input: DefineWorkflowInput!) {
      defineWorkflow(input: $input) { ${INVALID} ... on DefineWorkflowSuccess { workflow { key name categories critical commercial } } }
    }
  `;

  test("defineWorkflow upserts by key, keeping the fields left out; workflows lists them by key", async () => {
    const created = await server.graphql(DEFINE, {
      input: { key: "w-digest", name: "Digest", categories: ["news", "news", "weekly"], commercial: true },
    });
    expect(created.data.defineWorkflow).toEqual({
      __typename: "DefineWorkflowSuccess",
      workflow: { key: "w-digest", name: "Digest", categories: ["news", "weekly"], critical: false, commercial: true },
    });
    const updated = await server.graphql(DEFINE, { input: { key: "w-digest", critical: true } });
    expect(updated.data.defineWorkflow.workflow).toEqual({
      key: "w-digest",
      name: "Digest",
      categories: ["news", "weekly"],
      critical: true,
      commercial: true,
    });
    await server.graphql(DEFINE, { input: { key: "w-alpha" } });
    const listed = await server.graphql(`{ workflows { key } }`);
    expect(listed.data.workflows.map((workflow: { key: string }) => workflow.key)).toEqual(["w-alpha", "w-digest"]);
  });

  test("bad keys are reported together; deleteWorkflow removes one and NotFoundError the second time", async () => {
    const bad = await server.graphql(DEFINE, { input: { key: " spaced", categories: ["ok", "no way"] } });
    expect(bad.data.defineWorkflow).toEqual({
      __typename: "ValidationError",
      fields: [
        { field: "key", reason: "invalid" },
        { field: "categories.1", reason: "invalid" },
      ],
    });
    const DELETE = `mutation D($key: ID!) { deleteWorkflow(key: $key) { ${NOT_FOUND} ... on DeleteWorkflowSuccess { key } } }`;
    expect((await server.graphql(DELETE, { key: "w-alpha" })).data.deleteWorkflow).toEqual({
      __typename: "DeleteWorkflowSuccess",
      key: "w-alpha",
    });
    expect((await server.graphql(DELETE, { key: "w-alpha" })).data.deleteWorkflow).toMatchObject({
      __typename: "NotFoundError",
      resource: "workflow",
    });
  });

  test("another project sees none of them", async () => {
    const other = await server.createProject("other-workflows");
    expect((await server.graphql(`{ workflows { key } }`, {}, { key: other.secretKey })).data.workflows).toEqual([]);
  });
});

describe("setPreferences", () => {
  test("a user without a set reads the project's defaults at version 0", async () => {
    const response = await server.graphql(READ, { id: "linus" });
    expect(response.data.user).toEqual({
      preferences: {
        id: "default",
        version: 0,
        updatedAt: null,
        commercialSubscribed: false,
        channelTypes: [],
        channels: [],
        categories: [],
        workflows: [],
        quietHours: null,
      },
      preferenceSets: [],
    });
  });

  test("lists given merge by key, lists left out stay, an explicit enabled: null removes a rule", async () => {
    const first = await set("ada", {
      channelTypes: [
        { channelType: "SMS", enabled: false },
        { channelType: "PUSH", enabled: true },
      ],
      categories: [
        { key: "marketing", enabled: false },
        {
          key: "billing",
          channelTypes: [{ channelType: "EMAIL", enabled: true }],
          conditions: [{ variable: "data.amount", operator: "GREATER_THAN", argument: "100" }],
        },
      ],
      commercialSubscribed: true,
      quietHours: { start: "22:00", end: "07:00", weekdays: ["MONDAY", "MONDAY"], channelTypes: ["PUSH"] },
    });
    expect(first.preferenceSet).toMatchObject({ id: "default", version: 1, commercialSubscribed: true });
    const second = await set("ada", {
      channelTypes: [
        { channelType: "PUSH", enabled: null },
        { channelType: "CHAT", enabled: false },
      ],
      categories: [
        { key: "marketing", enabled: null },
        { key: "billing", enabled: false },
      ],
      workflows: [{ key: "w-digest", channelTypes: [{ channelType: "IN_APP", enabled: false }] }],
    });
    expect(second.preferenceSet).toEqual({
      id: "default",
      version: 2,
      updatedAt: expect.any(String),
      commercialSubscribed: true,
      channelTypes: [
        { channelType: "SMS", enabled: false },
        { channelType: "CHAT", enabled: false },
      ],
      channels: [],
      categories: [
        {
          key: "billing",
          enabled: false,
          channelTypes: [{ channelType: "EMAIL", enabled: true }],
          conditions: [{ variable: "data.amount", operator: "GREATER_THAN", argument: "100" }],
        },
      ],
      workflows: [{ key: "w-digest", enabled: null, channelTypes: [{ channelType: "IN_APP", enabled: false }], conditions: [] }],
      quietHours: { start: "22:00", end: "07:00", weekdays: ["MONDAY"], channelTypes: ["PUSH"] },
    });
    const read = await server.graphql(READ, { id: "ada" });
    expect(read.data.user.preferences).toEqual(second.preferenceSet);
    expect(read.data.user.preferenceSets).toEqual([{ id: "default" }]);
    const cleared = await set("ada", { quietHours: null });
    expect(cleared.preferenceSet.quietHours).toBeNull();
  });

  test("every problem is reported at once under dotted paths, and nothing is written", async () => {
    const response = await set(
      "grace",
      {
        channelTypes: [
          { channelType: "SMS", enabled: false },
          { channelType: "SMS", enabled: true },
        ],
        channels: [{ channelId: "00000000-0000-0000-0000-000000000000", enabled: false }],
        categories: [
          { key: "a", enabled: true },
          { key: "b", enabled: true },
          {
            key: "c",
            conditions: [
              { variable: "data.amount", operator: "GREATER_THAN" },
              { variable: "somewhere.else", operator: "EMPTY", argument: "x" },
            ],
          },
        ],
        workflows: [{ key: "bad key" }],
        quietHours: { start: "25:00", end: "07:00" },
      },
      { setId: "nowhere" },
    );
    expect(response).toEqual({
      __typename: "ValidationError",
      fields: [
        { field: "setId", reason: "unknown" },
        { field: "channelTypes.1.channelType", reason: "conflict" },
        { field: "channels.0.channelId", reason: "unknown" },
        { field: "categories.2.conditions.0.operator", reason: "required" },
        { field: "categories.2.conditions.1.variable", reason: "invalid" },
        { field: "categories.2.conditions.1.operator", reason: "invalid" },
        { field: "workflows.0.key", reason: "invalid" },
        { field: "quietHours.start", reason: "invalid" },
      ],
    });
    expect((await server.graphql(READ, { id: "grace" })).data.user.preferenceSets).toEqual([]);
  });

  test("expectedVersion refuses a stale change with the current version", async () => {
    const stale = await set("grace", { commercialSubscribed: true }, { options: { expectedVersion: 3 } });
    expect(stale).toEqual({ __typename: "VersionConflictError", currentVersion: 0 });
    const fresh = await set("grace", { commercialSubscribed: true }, { options: { expectedVersion: 0 } });
    expect(fresh.preferenceSet.version).toBe(1);
    expect(await set("grace", { commercialSubscribed: false }, { options: { expectedVersion: 0 } })).toEqual({
      __typename: "VersionConflictError",
      currentVersion: 1,
    });
  });

  test("channel preferences name the project's channels; an organization's id is a set of its own", async () => {
    const created = await server.graphql(
      `mutation { createChannel(input: { name: "mail", provider: EMAIL }) { ... on CreateChannelSuccess { channel { id } } } }`,
    );
    const channelId = created.data.createChannel.channel.id;
    const response = await set("linus", { channels: [{ channelId, enabled: false }] }, { setId: "globex" });
    expect(response.preferenceSet).toMatchObject({ id: "globex", channels: [{ channel: { name: "mail" }, enabled: false }] });
    const read = await server.graphql(READ, { id: "linus", setId: "globex" });
    expect(read.data.user.preferences.channels).toEqual([{ channel: { name: "mail" }, enabled: false }]);
    expect(read.data.user.preferenceSets).toEqual([{ id: "globex" }]);
    expect((await server.graphql(READ, { id: "linus" })).data.user.preferences.version).toBe(0);
  });

  test("an unknown user is a NotFoundError", async () => {
    expect(await set("nobody", { commercialSubscribed: true })).toMatchObject({
      __typename: "NotFoundError",
      resource: "user",
      id: "nobody",
    });
  });
});

describe("default preferences", () => {
  const SET_DEFAULTS = /* GraphQL */ `
    mutation D($input: PreferenceSetInput!, $options: SetPreferencesOptions) {
      setDefaultPreferences(input: $input, options: $options) { ${INVALID} ${CONFLICT} ... on SetDefaultPreferencesSuccess { preferenceSet { version commercialSubscribed channelTypes { channelType enabled } } } }
    }
  `;

  test("users without a set read them, and a first setPreferences starts from them", async () => {
    const defaults = await server.graphql(SET_DEFAULTS, {
      input: { channelTypes: [{ channelType: "SMS", enabled: false }], commercialSubscribed: true },
    });
    expect(defaults.data.setDefaultPreferences.preferenceSet).toEqual({
      version: 1,
      commercialSubscribed: true,
      channelTypes: [{ channelType: "SMS", enabled: false }],
    });
    const read = await server.graphql(
      `{ defaultPreferences { version commercialSubscribed } user(id: "alan") { preferences { version commercialSubscribed channelTypes { channelType enabled } } } }`,
    );
    expect(read.data).toEqual({
      defaultPreferences: { version: 1, commercialSubscribed: true },
      user: { preferences: { version: 0, commercialSubscribed: true, channelTypes: [{ channelType: "SMS", enabled: false }] } },
    });
    const own = await set("alan", { channelTypes: [{ channelType: "EMAIL", enabled: false }] });
    expect(own.preferenceSet).toMatchObject({
      version: 1,
      commercialSubscribed: true,
      channelTypes: [
        { channelType: "SMS", enabled: false },
        { channelType: "EMAIL", enabled: false },
      ],
    });
    const stale = await server.graphql(SET_DEFAULTS, { input: {}, options: { expectedVersion: 0 } });
    expect(stale.data.setDefaultPreferences).toEqual({ __typename: "VersionConflictError", currentVersion: 1 });
  });
});

describe("setPreferencesForUsers", () => {
  const BULK = /* GraphQL */ `
    mutation B($userIds: [ID!]!, $input: PreferenceSetInput!) {
      setPreferencesForUsers(userIds: $userIds, input: $input) { ${INVALID} ... on SetPreferencesForUsersSuccess { preferenceSets { id version categories { key enabled } } } }
    }
  `;

  test("sets many users in one transaction, and no one when an id is unknown", async () => {
    await server.prisma.user.createMany({
      data: Array.from({ length: 300 }, (_, i) => ({ projectId: server.projectId, id: `bulk-${i}` })),
    });
    const userIds = Array.from({ length: 300 }, (_, i) => `bulk-${i}`);
    const input = { categories: [{ key: "news", enabled: false }] };
    const refused = await server.graphql(BULK, { userIds: [...userIds, "ghost-1", "ghost-2"], input });
    expect(refused.data.setPreferencesForUsers).toEqual({
      __typename: "ValidationError",
      fields: [
        { field: "userIds.300", reason: "unknown" },
        { field: "userIds.301", reason: "unknown" },
      ],
    });
    expect(await server.prisma.preferenceSet.count({ where: { userId: { startsWith: "bulk-" } } })).toBe(0);
    let response: GraphQLResponse | undefined;
    const statements = await server.countStatements(async () => {
      response = await server.graphql(BULK, { userIds, input });
    });
    const sets = response!.data.setPreferencesForUsers.preferenceSets;
    expect(sets).toHaveLength(300);
    expect(sets[299]).toEqual({ id: "default", version: 1, categories: [{ key: "news", enabled: false }] });
    // Lock, validate, read sets and defaults, write: the same for 3 users or 1000.
    expect(statements).toBeLessThanOrEqual(8);
    const tooMany = await server.graphql(BULK, { userIds: Array.from({ length: 1001 }, (_, i) => `x${i}`), input });
    expect(tooMany.data.setPreferencesForUsers).toEqual({
      __typename: "ValidationError",
      fields: [{ field: "userIds", reason: "too_many" }],
    });
  });
});

describe("reading", () => {
  test("a page of users reads its preferences in a fixed number of statements", async () => {
    const page = (first: number) =>
      server.graphql(
        `{ users(first: ${first}, orderBy: { field: ID }) { nodes { id preferences { version categories { key } channels { enabled } } preferenceSets { id channels { channel { name } enabled } } } } }`,
      );
    const few = await server.countStatements(() => page(3));
    let response: GraphQLResponse | undefined;
    const many = await server.countStatements(async () => {
      response = await page(300);
    });
    expect(response!.data.users.nodes).toHaveLength(300);
    expect(many).toBe(few);
    expect(many).toBeLessThanOrEqual(5);
  });
});

describe("access", () => {
  const CREATE_TOKEN = `mutation T($userId: ID!) { createUserToken(userId: $userId) { ... on CreateUserTokenSuccess { token } } }`;
  const asUser = async (userId: string) => {
    const token = (await server.graphql(CREATE_TOKEN, { userId })).data.createUserToken.token;
    return { key: null, headers: { "x-api-key": publishableKey, authorization: `Bearer ${token}` } };
  };

  test("a user token reads and sets its own user's preferences, and no one else's", async () => {
    const ada = await asUser("ada");
    const own = await server.graphql(SET, { userId: "ada", input: { categories: [{ key: "social", enabled: false }] } }, ada);
    expect(own.data.setPreferences.__typename).toBe("SetPreferencesSuccess");
    const me = await server.graphql(`{ me { preferences { categories { key enabled } } } }`, {}, ada);
    expect(me.data.me.preferences.categories).toContainEqual({ key: "social", enabled: false });
    const other = await server.graphql(SET, { userId: "grace", input: { commercialSubscribed: true } }, ada);
    expect(other.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    const bulk = await server.graphql(`mutation { setPreferencesForUsers(userIds: ["ada"], input: {}) { __typename } }`, {}, ada);
    expect(bulk.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
  });

  test("a member sets preferences within its organization subtree only", async () => {
    const email = "prefs.admin@example.com";
    const app = { key: null, headers: { "x-api-key": publishableKey } };
    const registered = await server.graphql(
      `mutation R($input: RegisterUserInput!) { registerUser(input: $input) { ... on RegisterUserSuccess { organization { id } } } }`,
      { input: { email, password: "correct horse battery", name: "Prefs Admin" } },
      app,
    );
    const signIn = await server.graphql(
      `mutation { signIn(email: "${email}", password: "correct horse battery") { ... on SignInSuccess { accessToken } } }`,
      {},
      app,
    );
    const { accessToken } = signIn.data.signIn;
    const organizationId = registered.data.registerUser.organization.id;
    await server.prisma.user.create({ data: { projectId: server.projectId, id: "colleague", organizationId } });
    const member = { key: accessToken };
    const inside = await server.graphql(SET, { userId: "colleague", input: { commercialSubscribed: true } }, member);
    expect(inside.data.setPreferences.__typename).toBe("SetPreferencesSuccess");
    const ownOrganization = await server.graphql(SET, { userId: "colleague", setId: organizationId, input: {} }, member);
    expect(ownOrganization.data.setPreferences.preferenceSet.id).toBe(organizationId);
    const otherOrganization = await server.graphql(SET, { userId: "colleague", setId: "globex", input: {} }, member);
    expect(otherOrganization.data.setPreferences).toEqual({
      __typename: "ValidationError",
      fields: [{ field: "setId", reason: "unknown" }],
    });
    const outside = await server.graphql(SET, { userId: "ada", input: { commercialSubscribed: true } }, member);
    expect(outside.data.setPreferences).toMatchObject({ __typename: "NotFoundError", id: "ada" });
    const bulk = await server.graphql(
      `mutation { setPreferencesForUsers(userIds: ["colleague", "ada"], input: {}) { ${INVALID} } }`,
      {},
      member,
    );
    expect(bulk.data.setPreferencesForUsers).toEqual({
      __typename: "ValidationError",
      fields: [{ field: "userIds.1", reason: "unknown" }],
    });
  });

  test("another project's key cannot reach the users", async () => {
    const other = await server.createProject("other-preferences");
    const response = await server.graphql(SET, { userId: "ada", input: { commercialSubscribed: true } }, { key: other.secretKey });
    expect(response.data.setPreferences).toMatchObject({ __typename: "NotFoundError", id: "ada" });
  });
});

describe("channel deletion", () => {
  test("deleting a channel removes its preferences from every set and the defaults in the same transaction", async () => {
    const created = await server.graphql(
      `mutation { createChannel(input: { name: "push-gone", provider: FCM }) { ... on CreateChannelSuccess { channel { id } } } }`,
    );
    const channelId = created.data.createChannel.channel.id;
    const kept = (
      await server.graphql(
        `mutation { createChannel(input: { name: "push-kept", provider: FCM }) { ... on CreateChannelSuccess { channel { id } } } }`,
      )
    ).data.createChannel.channel.id;
    const channels = [
      { channelId, enabled: false },
      { channelId: kept, enabled: true },
    ];
    await server.prisma.user.createMany({
      data: ["chan-a", "chan-b"].map((id) => ({ projectId: server.projectId, id, organizationId: "acme" })),
    });
    await set("chan-a", { channels });
    await set("chan-b", { channels }, { setId: "acme" });
    await server.graphql(`mutation D($input: PreferenceSetInput!) { setDefaultPreferences(input: $input) { __typename } }`, {
      input: { channels },
    });
    const deleted = await server.graphql(`mutation D($id: ID!) { deleteChannel(id: $id) { __typename } }`, { id: channelId });
    expect(deleted.errors).toBeUndefined();
    const stored = [
      ...(await server.prisma.preferenceSet.findMany({ where: { projectId: server.projectId, userId: { startsWith: "chan-" } } })),
      ...(await server.prisma.defaultPreferenceSet.findMany({ where: { projectId: server.projectId } })),
    ].map((row) => Object.keys((row.document as { channels: object }).channels));
    expect(stored).toEqual([[kept], [kept], [kept]]);
    const read = await server.graphql(READ, { id: "chan-a" });
    expect(read.data.user.preferences.channels).toEqual([{ channel: { name: "push-kept" }, enabled: true }]);
    // A set naming the deleted channel afterwards is refused, not stored.
    expect(await set("chan-a", { channels: [{ channelId, enabled: true }] })).toMatchObject({
      __typename: "ValidationError",
      fields: [{ field: "channels.0.channelId", reason: "unknown" }],
    });
  });
});
