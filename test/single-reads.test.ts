import { afterAll, beforeAll, expect, test } from "vitest";
import { type GraphQLResponse, startTestServer, type TestServer } from "./support/test-server.ts";

// user(id), me and organization(id) read as a page reads its users: the
// selected columns, with the organization in the same statement.

let server: TestServer;
let publishableKey: string;
beforeAll(async () => {
  server = await startTestServer();
  publishableKey = await server.createPublishableKey();
  await server.prisma.organization.create({ data: { projectId: server.projectId, id: "acme", name: "Acme" } });
  await server.prisma.user.createMany({
    data: [
      { projectId: server.projectId, id: "ada", name: "Ada", email: "ada@example.com", organizationId: "acme", tags: ["a"] },
      { projectId: server.projectId, id: "solo", name: "Solo" },
    ],
  });
  // The key is known from here on: the counts below are the reads alone.
  await server.graphql('{ user(id: "ada") { id } }');
});
afterAll(() => server.close());

const USER = /* GraphQL */ `query ($id: ID!) { user(id: $id) { id name email tags organization { id name parent { id } createdAt } } }`;

test("user(id) with its organization is one statement, and answers as before", async () => {
  let response: GraphQLResponse | undefined;
  expect(await server.countStatements(async () => (response = await server.graphql(USER, { id: "ada" })))).toBe(1);
  expect(response!.data.user).toEqual({
    id: "ada",
    name: "Ada",
    email: "ada@example.com",
    tags: ["a"],
    organization: { id: "acme", name: "Acme", parent: null, createdAt: expect.any(String) },
  });
  expect((await server.graphql(USER, { id: "solo" })).data.user).toMatchObject({ id: "solo", organization: null });
});

test("user(id) is null for an unknown id, an empty one, a long one and one of another project", async () => {
  const other = await server.createProject("other-single-reads");
  await server.graphql('mutation { upsertUser(id: "theirs", input: { name: "T" }) { __typename } }', {}, { key: other.secretKey });
  for (const id of ["nobody", "", "theirs", "x".repeat(10_000)]) {
    const response = await server.graphql(USER, { id });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ user: null });
  }
  expect((await server.graphql(USER, { id: "a\u0000b" })).errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
  expect((await server.graphql(USER, { id: { no: 1 } })).errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
});

test("user(id) with a field of every kind reads them all, still in one statement", async () => {
  const every = `query ($id: ID!) { user(id: $id) { id version createdAt status properties pushTokens { token } channelSettings { settings } emailSuppression { reason } } }`;
  let response: GraphQLResponse | undefined;
  const statements = await server.countStatements(async () => (response = await server.graphql(every, { id: "ada" })));
  expect(response!.errors).toBeUndefined();
  expect(response!.data.user).toMatchObject({ id: "ada", version: 1, status: "ACTIVE", properties: {}, pushTokens: [] });
  // The row, then one loader statement each for push tokens and channel settings.
  expect(statements).toBe(3);
});

test("organization(id) is one statement reading the organization's own columns", async () => {
  let response: GraphQLResponse | undefined;
  const query = `query ($id: ID!) { organization(id: $id) { id name parent { id } } }`;
  expect(await server.countStatements(async () => (response = await server.graphql(query, { id: "acme" })))).toBe(1);
  expect(response!.data).toEqual({ organization: { id: "acme", name: "Acme", parent: null } });
  expect((await server.graphql(query, { id: "nowhere" })).data).toEqual({ organization: null });
});

test("me reads the token's user in one statement more than { __typename }", async () => {
  const created = await server.graphql(`mutation { createUserToken(userId: "ada") { ... on CreateUserTokenSuccess { token } } }`);
  const token = created.data.createUserToken.token as string;
  const asUser = { key: null, headers: { "x-api-key": publishableKey, authorization: `Bearer ${token}` } };
  await server.graphql("{ __typename }", {}, asUser);
  const base = await server.countStatements(() => server.graphql("{ __typename }", {}, asUser));
  let response: GraphQLResponse | undefined;
  const statements = await server.countStatements(async () => {
    response = await server.graphql("{ me { id name tags } }", {}, asUser);
  });
  expect(response!.data).toEqual({ me: { id: "ada", name: "Ada", tags: ["a"] } });
  expect(statements).toBe(base + 1);
});
