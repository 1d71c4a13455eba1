import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SCOPES, type Scope } from "../src/auth/keys.ts";
import { PasswordHasher } from "../src/auth/passwords.ts";
import { schema } from "../src/schema.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

/**
 * Every query and mutation, run with project B's credentials against project
 * A's data: A's rows must stay exactly as they were and no value only A holds
 * may come back. B owns a user with A's user id, so a lookup that forgot the
 * project would find something. Add a row for each new root field (a test
 * below fails while one is missing).
 */
type Operation = {
  field: string;
  /**
   * A secret key's scope, "userToken" for fields answered to a publishable key with a user token,
   * or "publishableKey" for sign-up and sign-in, answered to a publishable key alone.
   */
  requires: Scope | "userToken" | "publishableKey";
  document: string;
  variables?: (a: ProjectA) => Record<string, unknown>;
};

type ProjectA = { projectId: string; channelId: string; endpointId: string; deliveryId: string };

const USER_FIELDS = /* GraphQL */ `
  id email name tags properties
  organization { id name }
  channelSettings { settings channel { id name } }
  pushTokens { token }
`;
const RESULT = /* GraphQL */ `__typename ... on Error { code message }`;

/** A's member "ada" has this password, and so does B's member with the same email. */
const PASSWORD = "password of ada, in both projects";
const passwords = new PasswordHasher({ concurrency: 1, queue: 8 });
/** The token of a pending invitation of A's. */
const INVITATION_OF_A = "invitation-token-of-a";

// Sign-up, invitation and sign-in documents select no email: the answer may echo the one the request sent.
const OPERATIONS: Operation[] = [
  // Queries
  { field: "user", requires: "users:read", document: `{ user(id: "ada") { ${USER_FIELDS} } }` },
  {
    field: "users",
    requires: "users:read",
    document: `{ users(first: 10, filter: { query: "ada" }) { totalCount nodes { ${USER_FIELDS} } } }`,
  },
  { field: "userPage", requires: "users:read", document: `{ userPage(size: 10) { totalCount items { ${USER_FIELDS} } } }` },
  {
    field: "organization",
    requires: "organizations:read",
    document: `{ organization(id: "org-a") { id name children { id name } } }`,
  },
  {
    field: "organizations",
    requires: "organizations:read",
    document: `{ organizations(first: 10) { totalCount nodes { id name } } }`,
  },
  { field: "channels", requires: "channels:read", document: `{ channels { id name provider } }` },
  { field: "roles", requires: "users:read", document: `{ roles { id name permissions } }` },
  // User.organization needs organizations:read, which no user token holds.
  {
    field: "me",
    requires: "userToken",
    document: `{ me { id email name tags properties channelSettings { settings channel { id name } } pushTokens { token } preferences { categories { key } } } }`,
  },
  { field: "workflows", requires: "channels:read", document: `{ workflows { key name categories } }` },
  { field: "defaultPreferences", requires: "users:read", document: `{ defaultPreferences { id categories { key } } }` },
  {
    field: "resolveRecipients",
    requires: "users:read",
    document: `{ resolveRecipients(workflow: "digest", filter: {}) { nodes { user { id name } channels { destination reason } } } }`,
  },
  {
    field: "pushDeliveries",
    requires: "push:read",
    document: `{ pushDeliveries(userId: "ada") { totalCount nodes { id user { id name } tokenSuffix errorCode } } }`,
  },

  // Mutations
  {
    field: "upsertUser",
    requires: "users:write",
    document: `mutation { upsertUser(id: "ada", input: { name: "Renamed by B" }) {
      ${RESULT} ... on UpsertUserSuccess { created user { ${USER_FIELDS} } } } }`,
  },
  {
    field: "upsertUsers",
    requires: "users:write",
    document: `mutation { upsertUsers(users: [{ id: "ada", input: { nickname: "B" } }, { id: "new", input: {} }]) {
      createdCount updatedCount failedCount results { ${RESULT} ... on UpsertUserSuccess { user { ${USER_FIELDS} } } } } }`,
  },
  { field: "deleteUser", requires: "users:write", document: `mutation { deleteUser(id: "ada") { ${RESULT} } }` },
  {
    field: "setEmailSuppression",
    requires: "users:write",
    document: `mutation { setEmailSuppression(userId: "ada", reason: COMPLAINT) {
      ${RESULT} ... on SetEmailSuppressionSuccess { user { ${USER_FIELDS} } } } }`,
  },
  {
    field: "clearEmailSuppression",
    requires: "users:write",
    document: `mutation { clearEmailSuppression(userId: "ada") {
      ${RESULT} ... on ClearEmailSuppressionSuccess { user { ${USER_FIELDS} } } } }`,
  },
  {
    field: "defineWorkflow",
    requires: "channels:write",
    document: `mutation { defineWorkflow(input: { key: "digest", name: "Renamed by B" }) { ${RESULT} ... on DefineWorkflowSuccess { workflow { key name categories } } } }`,
  },
  { field: "deleteWorkflow", requires: "channels:write", document: `mutation { deleteWorkflow(key: "digest") { ${RESULT} } }` },
  {
    field: "setPreferences",
    requires: "users:write",
    document: `mutation { setPreferences(userId: "ada", input: { commercialSubscribed: true }) {
      ${RESULT} ... on SetPreferencesSuccess { preferenceSet { categories { key } } } } }`,
  },
  {
    field: "trackActivity",
    requires: "users:write",
    document: `mutation { trackActivity(userId: "ada", input: { platform: WEB }) {
      ${RESULT} ... on TrackActivitySuccess { newSession session { id } user { ${USER_FIELDS} sessionsCount sessions { id } web { sessionsCount } } } } }`,
  },
  {
    field: "updateUiSettings",
    requires: "users:write",
    document: `mutation { updateUiSettings(userId: "ada", input: { darkMode: true }) {
      ${RESULT} ... on UpdateUiSettingsSuccess { user { ${USER_FIELDS} uiSettings { darkMode } } } } }`,
  },
  {
    field: "setPreferencesForUsers",
    requires: "users:write",
    document: `mutation { setPreferencesForUsers(userIds: ["ada"], input: { commercialSubscribed: true }) {
      ${RESULT} ... on SetPreferencesForUsersSuccess { preferenceSets { categories { key } } } } }`,
  },
  {
    field: "setDefaultPreferences",
    requires: "users:write",
    document: `mutation { setDefaultPreferences(input: { commercialSubscribed: true }) {
      ${RESULT} ... on SetDefaultPreferencesSuccess { preferenceSet { categories { key } } } } }`,
  },
  {
    field: "createOrganization",
    requires: "organizations:write",
    document: `mutation { createOrganization(input: { id: "org-b", name: "Org of B", parentId: "org-a" }) { ${RESULT} } }`,
  },
  {
    field: "renameOrganization",
    requires: "organizations:write",
    document: `mutation { renameOrganization(id: "org-a", name: "Renamed by B") { ${RESULT} } }`,
  },
  {
    field: "moveOrganization",
    requires: "organizations:write",
    document: `mutation { moveOrganization(id: "org-a-child", parentId: null) { ${RESULT} } }`,
  },
  {
    field: "deleteOrganization",
    requires: "organizations:write",
    document: `mutation { deleteOrganization(id: "org-a") { ${RESULT} } }`,
  },
  {
    field: "createChannel",
    requires: "channels:write",
    document: `mutation { createChannel(input: { name: "Channel of B", provider: EMAIL }) {
      ${RESULT} ... on CreateChannelSuccess { channel { id name } } } }`,
  },
  {
    field: "renameChannel",
    requires: "channels:write",
    document: `mutation ($channelId: ID!) { renameChannel(id: $channelId, name: "Renamed by B") { ${RESULT} } }`,
    variables: (a) => ({ channelId: a.channelId }),
  },
  {
    field: "configureChannel",
    requires: "channels:write",
    document: `mutation ($channelId: ID!) { configureChannel(id: $channelId, credentials: {}) { ${RESULT} } }`,
    variables: (a) => ({ channelId: a.channelId }),
  },
  {
    field: "sendPush",
    requires: "push:send",
    document: `mutation { sendPush(input: { userIds: ["ada"], notification: { title: "From B" } }, options: { idempotencyKey: "key-of-a" }) {
      ${RESULT} ... on SendPushSuccess { sentCount deliveries { user { id name } tokenSuffix errorCode } } } }`,
  },
  {
    field: "deleteChannel",
    requires: "channels:write",
    document: `mutation ($channelId: ID!) { deleteChannel(id: $channelId) { ${RESULT} } }`,
    variables: (a) => ({ channelId: a.channelId }),
  },
  {
    field: "setChannelSettings",
    requires: "users:write",
    document: `mutation ($channelId: ID!) {
      setChannelSettings(userId: "ada", channelId: $channelId, settings: { email: "b@project-b.example" }) { ${RESULT} } }`,
    variables: (a) => ({ channelId: a.channelId }),
  },
  {
    field: "unsetChannelSettings",
    requires: "users:write",
    document: `mutation ($channelId: ID!) { unsetChannelSettings(userId: "ada", channelId: $channelId) { ${RESULT} } }`,
    variables: (a) => ({ channelId: a.channelId }),
  },
  {
    field: "createUserToken",
    requires: "tokens:write",
    document: `mutation { createUserToken(userId: "ada") { ${RESULT} ... on CreateUserTokenSuccess { token } } }`,
  },
  {
    field: "createRole",
    requires: "roles:write",
    document: `mutation { createRole(input: { id: "role-a", name: "Role of B", permissions: [] }) { ${RESULT} } }`,
  },
  { field: "deleteRole", requires: "roles:write", document: `mutation { deleteRole(id: "role-a") { ${RESULT} } }` },
  {
    field: "inviteUser",
    requires: "members:write",
    document: `mutation { inviteUser(input: { email: "ada@project-a.example" }) {
      ${RESULT} ... on InviteUserSuccess { user { id name status tags properties } } } }`,
  },
  {
    field: "transferUser",
    requires: "members:write",
    document: `mutation { transferUser(userId: "ada", organizationId: "org-a", roleId: "role-a") { ${RESULT} } }`,
  },
  {
    field: "updateUserRole",
    requires: "members:write",
    document: `mutation { updateUserRole(userId: "ada", roleId: "role-a") { ${RESULT} } }`,
  },
  {
    field: "setUserStatus",
    requires: "members:write",
    document: `mutation { setUserStatus(userId: "ada", status: SUSPENDED) { ${RESULT} ... on SetUserStatusSuccess { user { id name } } } }`,
  },
  {
    field: "registerUser",
    requires: "publishableKey",
    document: `mutation { registerUser(input: { email: "ada@project-a.example", password: "${PASSWORD}" }) {
      ${RESULT} ... on RegisterUserSuccess { user { id name tags } } } }`,
  },
  {
    field: "acceptInvitation",
    requires: "publishableKey",
    document: `mutation { acceptInvitation(token: "${INVITATION_OF_A}", password: "${PASSWORD}") { ${RESULT} } }`,
  },
  {
    field: "signIn",
    requires: "publishableKey",
    document: `mutation { signIn(email: "ada@project-a.example", password: "${PASSWORD}") { ${RESULT} ... on SignInSuccess { user { id name tags } } } }`,
  },
  // The change feed and webhooks
  {
    field: "events",
    requires: "events:read",
    document: `{ events(first: 10) { nodes { id userId changedFields user { ${USER_FIELDS} } } } }`,
  },
  { field: "webhookEndpoints", requires: "webhooks:write", document: `{ webhookEndpoints { id url description } }` },
  {
    field: "webhookDeliveries",
    requires: "webhooks:write",
    document: `query($id: ID!) { webhookDeliveries(endpointId: $id) { nodes { id eventId } } }`,
    variables: (a) => ({ id: a.endpointId }),
  },
  {
    field: "createWebhookEndpoint",
    requires: "webhooks:write",
    document: `mutation { createWebhookEndpoint(input: { url: "https://hooks.example.com/b" }) { ${RESULT} } }`,
  },
  {
    field: "updateWebhookEndpoint",
    requires: "webhooks:write",
    document: `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false }) { ${RESULT} } }`,
    variables: (a) => ({ id: a.endpointId }),
  },
  {
    field: "deleteWebhookEndpoint",
    requires: "webhooks:write",
    document: `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { ${RESULT} } }`,
    variables: (a) => ({ id: a.endpointId }),
  },
  {
    field: "rotateWebhookSecret",
    requires: "webhooks:write",
    document: `mutation($id: ID!) { rotateWebhookSecret(id: $id) { ${RESULT} } }`,
    variables: (a) => ({ id: a.endpointId }),
  },
  {
    field: "retryWebhookDelivery",
    requires: "webhooks:write",
    document: `mutation($id: ID!) { retryWebhookDelivery(id: $id) { ${RESULT} } }`,
    variables: (a) => ({ id: a.deliveryId }),
  },
];

/** Values that exist only in project A: none may appear in an answer to project B. */
const ONLY_IN_A = [
  "ada@project-a.example",
  "Ada of A",
  "tag-of-a",
  "property-of-a",
  "Org of A",
  "Channel of A",
  "push-token-of-a",
  "settings-of-a",
  "Workflow of A",
  "category-of-a",
  "default-of-a",
  "hooks.project-a.example",
  "changed-field-of-a",
  "delivery-of-a",
];

let server: TestServer;
let a: ProjectA;
beforeAll(async () => {
  server = await startTestServer();
  a = await seedProjectA(server);
});
afterAll(() => server.close());

async function seedProjectA({ prisma, projectId }: TestServer): Promise<ProjectA> {
  await prisma.organization.create({ data: { projectId, id: "org-a", name: "Org of A" } });
  await prisma.organization.create({ data: { projectId, id: "org-a-child", name: "Org of A, child", parentId: "org-a" } });
  await prisma.user.create({
    data: {
      projectId,
      id: "ada",
      email: "ada@project-a.example",
      name: "Ada of A",
      tags: ["tag-of-a"],
      properties: { note: "property-of-a" },
      organizationId: "org-a",
      emailSuppressionReason: "BOUNCE",
      emailSuppressedAt: new Date("2026-01-01T00:00:00Z"),
      passwordHash: await passwords.hash(PASSWORD),
      roleId: "member",
    },
  });
  await prisma.role.create({ data: { projectId, id: "role-a", name: "Role of A", permissions: ["users:read"] } });
  await prisma.user.create({ data: { projectId, id: "invitee", email: "invitee@project-a.example", status: "INVITED" } });
  await prisma.invitation.create({
    data: {
      projectId,
      userId: "invitee",
      tokenHash: createHash("sha256").update(INVITATION_OF_A).digest("hex"),
      invitedBy: "key:test",
      expiresAt: new Date(Date.now() + 3600_000),
    },
  });
  await prisma.pushToken.create({ data: { projectId, userId: "ada", provider: "FCM", token: "push-token-of-a", position: 0 } });
  const channel = await prisma.channel.create({ data: { projectId, name: "Channel of A", provider: "EMAIL" } });
  await prisma.channelSettings.create({
    data: { projectId, userId: "ada", channelId: channel.id, settings: { email: "settings-of-a@project-a.example" } },
  });
  await prisma.workflow.create({ data: { projectId, key: "digest", name: "Workflow of A", categories: ["category-of-a"] } });
  await prisma.pushDelivery.create({
    data: { projectId, userId: "ada", channelId: channel.id, status: "FAILED", tokenSuffix: "of-a", errorCode: "delivery-of-a" },
  });
  const rule = { enabled: false, channelTypes: {}, conditions: [] };
  await prisma.preferenceSet.create({
    data: { projectId, userId: "ada", setId: "default", document: { categories: { "category-of-a": rule } } },
  });
  await prisma.defaultPreferenceSet.create({ data: { projectId, document: { categories: { "default-of-a": rule } } } });
  const event = await prisma.directoryEvent.create({
    data: { projectId, seq: 1, type: "USER_UPDATED", userId: "ada", actorKind: "SYSTEM", changedFields: ["changed-field-of-a"] },
  });
  const endpoint = await prisma.webhookEndpoint.create({
    data: { projectId, url: "https://hooks.project-a.example/a", description: "Endpoint of A", secret: "whsec_AAAA", cursorSeq: 1 },
  });
  const delivery = await prisma.webhookDelivery.create({
    data: { projectId, endpointId: endpoint.id, eventId: event.id, eventSeq: 1, userId: "ada", status: "FAILED" },
  });
  return { projectId, channelId: channel.id, endpointId: endpoint.id, deliveryId: delivery.id };
}

/** Everything project A holds, to compare before and after B's request. */
async function snapshotOfA(): Promise<unknown> {
  const where = { projectId: a.projectId };
  const { prisma } = server;
  return Promise.all([
    prisma.project.findUnique({ where: { id: a.projectId } }),
    prisma.user.findMany({ where, orderBy: { id: "asc" } }),
    prisma.pushToken.findMany({ where, orderBy: { token: "asc" } }),
    prisma.organization.findMany({ where, orderBy: { id: "asc" } }),
    prisma.channel.findMany({ where, orderBy: { id: "asc" } }),
    prisma.channelSettings.findMany({ where, orderBy: { channelId: "asc" } }),
    prisma.idempotencyRecord.findMany({ where, orderBy: { key: "asc" } }),
    prisma.role.findMany({ where, orderBy: { id: "asc" } }),
    prisma.invitation.findMany({ where, orderBy: { id: "asc" } }),
    prisma.workflow.findMany({ where, orderBy: { key: "asc" } }),
    prisma.preferenceSet.findMany({ where, orderBy: [{ userId: "asc" }, { setId: "asc" }] }),
    prisma.defaultPreferenceSet.findUnique({ where: { projectId: a.projectId } }),
    prisma.directoryEvent.findMany({ where, orderBy: { seq: "asc" } }),
    prisma.webhookEndpoint.findMany({ where, orderBy: { id: "asc" } }),
    prisma.webhookDelivery.findMany({ where, orderBy: { id: "asc" } }),
    prisma.pushDelivery.findMany({ where, orderBy: { id: "asc" } }),
  ]);
}

let projects = 0;
/** A fresh project B with its own user "ada", so one row's writes never shape the next. */
async function projectB(scopes?: readonly Scope[]) {
  const b = await server.createProject(`b-${++projects}`, scopes);
  await server.prisma.user.create({ data: { projectId: b.projectId, id: "ada", name: "Ada of B" } });
  await server.prisma.workflow.create({ data: { projectId: b.projectId, key: "digest" } });
  return b;
}

async function credentialsOfB(
  operation: Operation,
  b: Awaited<ReturnType<typeof projectB>>,
): Promise<{ key: string | null; headers?: Record<string, string> }> {
  if (operation.requires === "publishableKey") {
    await server.prisma.user.update({
      where: { projectId_id: { projectId: b.projectId, id: "ada" } },
      data: { email: "b-ada@project-b.example", passwordHash: await passwords.hash(PASSWORD) },
    });
    if (operation.field === "signIn") {
      await server.prisma.user.update({
        where: { projectId_id: { projectId: b.projectId, id: "ada" } },
        data: { email: "ada@project-a.example" },
      });
    }
    return { key: null, headers: { "x-api-key": await server.createPublishableKey(b.projectId) } };
  }
  if (operation.requires !== "userToken") return { key: b.secretKey };
  const created = await server.graphql(
    'mutation { createUserToken(userId: "ada") { ... on CreateUserTokenSuccess { token } } }',
    {},
    {
      key: b.secretKey,
    },
  );
  const publishableKey = await server.createPublishableKey(b.projectId);
  return { key: null, headers: { "x-api-key": publishableKey, authorization: `Bearer ${created.data.createUserToken.token}` } };
}

describe("tenancy: project B's credentials on project A's data", () => {
  test.each(OPERATIONS.map((operation) => [operation.field, operation] as const))(
    "%s reads and changes nothing of project A",
    async (_field, operation) => {
      const before = await snapshotOfA();
      const b = await projectB();
      const response = await server.graphql(operation.document, operation.variables?.(a) ?? {}, await credentialsOfB(operation, b));
      // B may do all of it in its own project, so an error here would hide what the request could reach.
      expect(response.errors).toBeUndefined();
      const answer = JSON.stringify(response.data);
      for (const value of ONLY_IN_A) expect(answer).not.toContain(value);
      expect(await snapshotOfA()).toEqual(before);
    },
  );

  test("every query and mutation of the schema has a row here", () => {
    const rootFields = [schema.getQueryType(), schema.getMutationType()].flatMap((type) => Object.keys(type?.getFields() ?? {}));
    expect(OPERATIONS.map((operation) => operation.field).sort()).toEqual(rootFields.sort());
  });
});

describe("scopes: each operation refuses a secret key without its scope", () => {
  const scoped = OPERATIONS.filter((operation) => operation.requires !== "userToken" && operation.requires !== "publishableKey");
  test.each(scoped.map((operation) => [operation.field, operation.requires, operation] as const))(
    "%s needs %s",
    async (field, requires, operation) => {
      const b = await projectB(SCOPES.filter((scope) => scope !== requires));
      const response = await server.graphql(operation.document, operation.variables?.(a) ?? {}, { key: b.secretKey });
      expect(response.status).toBe(403);
      expect(response.errors).toEqual([
        expect.objectContaining({
          path: [field],
          extensions: expect.objectContaining({ code: "FORBIDDEN", details: { requiredScope: requires } }),
        }),
      ]);
    },
  );
});
