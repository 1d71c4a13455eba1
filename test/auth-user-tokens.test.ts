import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { signUserToken } from "../src/auth/user-tokens.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
let publishableKey: string;
beforeAll(async () => {
  server = await startTestServer();
  publishableKey = await server.createPublishableKey();
  await server.prisma.user.createMany({
    data: [
      { projectId: server.projectId, id: "ada", name: "Ada" },
      { projectId: server.projectId, id: "grace", name: "Grace" },
    ],
  });
});
afterAll(() => server.close());

const CREATE_TOKEN = /* GraphQL */ `
  mutation CreateToken($userId: ID!, $expiresInSeconds: Int) {
    createUserToken(userId: $userId, expiresInSeconds: $expiresInSeconds) {
      __typename
      ... on CreateUserTokenSuccess { token expiresAt }
      ... on NotFoundError { code resource id }
    }
  }
`;
const ME = /* GraphQL */ `{ me { id name } }`;

async function tokenFor(userId: string, expiresInSeconds?: number): Promise<string> {
  const response = await server.graphql(CREATE_TOKEN, { userId, expiresInSeconds });
  return response.data.createUserToken.token;
}

const incarnationOf = async (id: string) =>
  (await server.prisma.user.findUniqueOrThrow({ where: { projectId_id: { projectId: server.projectId, id } } })).incarnation;

/** Headers of a client-side request: the project's publishable key and one user's token. */
const asUser = (token: string, key = publishableKey) => ({ key: null, headers: { "x-api-key": key, authorization: `Bearer ${token}` } });

/** A refused nullable root field answers null, a non-null one nulls the whole data: either way nothing is read. */
const readNothing = (data: unknown) => data == null || Object.values(data).every((value) => value === null);

const expectError = (response: Awaited<ReturnType<TestServer["graphql"]>>, code: string, status: number) => {
  expect(response.status).toBe(status);
  expect(response.errors?.[0]?.extensions).toMatchObject({ code, status });
};

describe("createUserToken", () => {
  test("signs a token for an existing user, valid for the hour by default", async () => {
    const before = Date.now();
    const response = await server.graphql(CREATE_TOKEN, { userId: "ada" });
    const { __typename, token, expiresAt } = response.data.createUserToken;
    expect(__typename).toBe("CreateUserTokenSuccess");
    expect(token.split(".")).toHaveLength(3);
    const lifetime = new Date(expiresAt).getTime() - before;
    expect(lifetime).toBeGreaterThan(3590_000);
    expect(lifetime).toBeLessThanOrEqual(3601_000); // whole seconds, counted from the server's clock
  });

  test("honours expiresInSeconds", async () => {
    const before = Date.now();
    const response = await server.graphql(CREATE_TOKEN, { userId: "ada", expiresInSeconds: 120 });
    const lifetime = new Date(response.data.createUserToken.expiresAt).getTime() - before;
    expect(lifetime).toBeGreaterThan(110_000);
    expect(lifetime).toBeLessThanOrEqual(121_000);
  });

  test("a user that does not exist is a NotFoundError", async () => {
    const response = await server.graphql(CREATE_TOKEN, { userId: "nobody" });
    expect(response.data.createUserToken).toEqual({ __typename: "NotFoundError", code: "not_found", resource: "user", id: "nobody" });
  });

  test.each([0, 59, 7 * 24 * 3600 + 1])("a lifetime of %i seconds is BAD_USER_INPUT", async (expiresInSeconds) => {
    const response = await server.graphql(CREATE_TOKEN, { userId: "ada", expiresInSeconds });
    expectError(response, "BAD_USER_INPUT", 400);
    expect(response.errors![0]!.extensions.details).toEqual({ field: "expiresInSeconds", min: 60, max: 604800 });
  });

  test("needs the scope tokens:write", async () => {
    const { secretKey } = await server.createProject("test", ["users:read", "users:write"]);
    const response = await server.graphql(CREATE_TOKEN, { userId: "ada" }, { key: secretKey });
    expectError(response, "FORBIDDEN", 403);
    expect(response.errors![0]!.extensions.details).toEqual({ requiredScope: "tokens:write" });
  });

  test("concurrent first tokens of a project agree on one signing secret", async () => {
    const { projectId, secretKey } = await server.createProject("fresh");
    await server.prisma.user.create({ data: { projectId, id: "u" } });
    const tokens = await Promise.all(
      Array.from(
        { length: 5 },
        async () => (await server.graphql(CREATE_TOKEN, { userId: "u" }, { key: secretKey })).data.createUserToken.token,
      ),
    );
    const key = await server.createPublishableKey(projectId);
    for (const token of tokens) expect((await server.graphql(ME, {}, asUser(token, key))).data).toEqual({ me: { id: "u", name: null } });
  });
});

describe("a publishable key with a user token", () => {
  test("reads me", async () => {
    const response = await server.graphql(ME, {}, asUser(await tokenFor("ada")));
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ me: { id: "ada", name: "Ada" } });
  });

  test.each([
    ["user(id) of another user", '{ user(id: "grace") { id } }'],
    ["user(id) of itself", '{ user(id: "ada") { id } }'],
    ["createUserToken", 'mutation { createUserToken(userId: "ada") { __typename } }'],
  ])("is FORBIDDEN for %s", async (_case, query) => {
    const response = await server.graphql(query, {}, asUser(await tokenFor("ada")));
    expectError(response, "FORBIDDEN", 403);
    expect(response.data).toSatisfy(readNothing);
  });

  test("a secret key cannot ask for me: it is FORBIDDEN, not a user", async () => {
    expectError(await server.graphql(ME), "FORBIDDEN", 403);
  });
});

describe("a user token stops working when its user is deleted", () => {
  const DELETE = "mutation ($id: ID!) { deleteUser(id: $id) { __typename } }";
  const SELF_UPSERT = `mutation ($id: ID!) { upsertUser(id: $id, input: { name: "Back again" }) { __typename } }`;
  const userExists = async (id: string) => (await server.prisma.user.count({ where: { projectId: server.projectId, id } })) === 1;

  test("and cannot re-create the user through a self-upsert", async () => {
    await server.prisma.user.create({ data: { projectId: server.projectId, id: "leaving" } });
    const token = asUser(await tokenFor("leaving"));
    expect((await server.graphql(SELF_UPSERT, { id: "leaving" }, token)).data.upsertUser.__typename).toBe("UpsertUserSuccess");
    expect((await server.graphql(DELETE, { id: "leaving" })).data.deleteUser.__typename).toBe("DeleteUserSuccess");

    expectError(await server.graphql(ME, {}, token), "UNAUTHENTICATED", 401);
    expectError(await server.graphql(SELF_UPSERT, { id: "leaving" }, token), "UNAUTHENTICATED", 401);
    expect(await userExists("leaving")).toBe(false);
  });

  test("even once a user with the same id is created again; the new user's tokens work", async () => {
    await server.prisma.user.create({ data: { projectId: server.projectId, id: "returning" } });
    const oldToken = asUser(await tokenFor("returning"));
    await server.graphql(DELETE, { id: "returning" });
    const upsert = await server.graphql('mutation { upsertUser(id: "returning", input: {}) { __typename } }');
    expect(upsert.data.upsertUser.__typename).toBe("UpsertUserSuccess");

    expectError(await server.graphql(ME, {}, oldToken), "UNAUTHENTICATED", 401);
    expect((await server.graphql(ME, {}, asUser(await tokenFor("returning")))).data).toEqual({ me: { id: "returning", name: null } });
  });

  test("a member's access token likewise", async () => {
    const credentials = { email: "leaving-member@example.com", password: "a long enough password" };
    const app = { key: null, headers: { "x-api-key": publishableKey } };
    const registered = await server.graphql(
      `mutation ($input: RegisterUserInput!) { registerUser(input: $input) { ... on RegisterUserSuccess { user { id } } } }`,
      { input: credentials },
      app,
    );
    const memberId = registered.data.registerUser.user.id;
    const signedIn = await server.graphql(
      `mutation ($email: String!, $password: String!) { signIn(email: $email, password: $password) { ... on SignInSuccess { accessToken } } }`,
      credentials,
      app,
    );
    const member = { key: signedIn.data.signIn.accessToken as string };
    expect((await server.graphql("{ me { id } }", {}, member)).data).toEqual({ me: { id: memberId } });

    await server.graphql(DELETE, { id: memberId });
    await server.graphql(`mutation ($id: ID!) { upsertUser(id: $id, input: {}) { __typename } }`, { id: memberId });
    expectError(await server.graphql("{ me { id } }", {}, member), "UNAUTHENTICATED", 401);
  });
});

describe("rejected credentials are UNAUTHENTICATED", () => {
  test("a publishable key alone reads nothing", async () => {
    expectError(await server.graphql(ME, {}, { key: null, headers: { "x-api-key": publishableKey } }), "UNAUTHENTICATED", 401);
    expectError(await server.graphql('{ user(id: "ada") { id } }', {}, { key: publishableKey }), "UNAUTHENTICATED", 401);
  });

  test("a user token without a publishable key", async () => {
    expectError(await server.graphql(ME, {}, { key: await tokenFor("ada") }), "UNAUTHENTICATED", 401);
  });

  test("a secret key in x-api-key", async () => {
    expectError(await server.graphql(ME, {}, asUser(await tokenFor("ada"), server.secretKey)), "UNAUTHENTICATED", 401);
  });

  test("an expired token", async () => {
    const { tokenSigningSecret } = await server.prisma.project.findUniqueOrThrow({ where: { id: server.projectId } });
    const token = await signUserToken(tokenSigningSecret!, {
      projectId: server.projectId,
      userId: "ada",
      incarnation: await incarnationOf("ada"),
      issuedAt: new Date(Date.now() - 7200_000),
      expiresAt: new Date(Date.now() - 1000),
    });
    expectError(await server.graphql(ME, {}, asUser(token)), "UNAUTHENTICATED", 401);
  });

  test("a forged token: altered claims, or signed with another secret", async () => {
    const token = await tokenFor("ada");
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const altered = Buffer.from(JSON.stringify({ ...claims, sub: "grace" })).toString("base64url");
    expectError(await server.graphql(ME, {}, asUser(`${header}.${altered}.${signature}`)), "UNAUTHENTICATED", 401);

    const foreign = await signUserToken(Buffer.alloc(32, 7).toString("base64url"), {
      projectId: server.projectId,
      userId: "ada",
      incarnation: await incarnationOf("ada"),
      issuedAt: new Date(),
      expiresAt: new Date(Date.now() + 60_000),
    });
    expectError(await server.graphql(ME, {}, asUser(foreign)), "UNAUTHENTICATED", 401);
    expectError(await server.graphql(ME, {}, asUser("not-a-jwt")), "UNAUTHENTICATED", 401);
  });

  test("another project's token with this project's publishable key", async () => {
    const other = await server.createProject("other-project");
    await server.prisma.user.create({ data: { projectId: other.projectId, id: "ada" } });
    const response = await server.graphql(CREATE_TOKEN, { userId: "ada" }, { key: other.secretKey });
    const otherToken = response.data.createUserToken.token;
    expectError(await server.graphql(ME, {}, asUser(otherToken)), "UNAUTHENTICATED", 401);
    // …and this project's token with the other project's publishable key.
    const otherKey = await server.createPublishableKey(other.projectId);
    expectError(await server.graphql(ME, {}, asUser(await tokenFor("ada"), otherKey)), "UNAUTHENTICATED", 401);
  });

  test("a revoked publishable key stops working at once", async () => {
    const key = await server.createPublishableKey();
    const token = await tokenFor("ada");
    expect((await server.graphql(ME, {}, asUser(token, key))).status).toBe(200);
    await server.prisma.apiKey.updateMany({ where: { prefix: key.slice(0, 11) }, data: { revokedAt: new Date() } });
    expectError(await server.graphql(ME, {}, asUser(token, key)), "UNAUTHENTICATED", 401);
  });
});

describe("a user token changes its own user and channel settings, no one else's", () => {
  const UPSERT = `mutation ($id: ID!) { upsertUser(id: $id, input: { nickname: "self-service" }) {
    __typename ... on UpsertUserSuccess { user { id nickname } } } }`;
  const SET = `mutation ($userId: ID!, $channelId: ID!) {
    setChannelSettings(userId: $userId, channelId: $channelId, settings: { email: "ada@example.com" }) { __typename } }`;
  const UNSET = `mutation ($userId: ID!, $channelId: ID!) { unsetChannelSettings(userId: $userId, channelId: $channelId) { __typename } }`;

  test("upserts its own id only", async () => {
    const ada = asUser(await tokenFor("ada"));
    expect((await server.graphql(UPSERT, { id: "ada" }, ada)).data.upsertUser).toEqual({
      __typename: "UpsertUserSuccess",
      user: { id: "ada", nickname: "self-service" },
    });
    expectError(await server.graphql(UPSERT, { id: "grace" }, ada), "FORBIDDEN", 403);
    expect(
      (await server.prisma.user.findUniqueOrThrow({ where: { projectId_id: { projectId: server.projectId, id: "grace" } } })).nickname,
    ).toBeNull();
  });

  test("sets and unsets its own channel settings only", async () => {
    const channel = await server.prisma.channel.create({ data: { projectId: server.projectId, name: "Email", provider: "EMAIL" } });
    const ada = asUser(await tokenFor("ada"));
    const own = { userId: "ada", channelId: channel.id };
    expect((await server.graphql(SET, own, ada)).data.setChannelSettings.__typename).toBe("SetChannelSettingsSuccess");
    expectError(await server.graphql(SET, { ...own, userId: "grace" }, ada), "FORBIDDEN", 403);
    expectError(await server.graphql(UNSET, { ...own, userId: "grace" }, ada), "FORBIDDEN", 403);
    expect((await server.graphql(UNSET, own, ada)).data.unsetChannelSettings.__typename).toBe("UnsetChannelSettingsSuccess");
  });
});
