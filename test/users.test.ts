import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type GraphQLResponse, startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const UPSERT = /* GraphQL */ `
  mutation Upsert($id: ID!, $input: UpsertUserInput!) {
    upsertUser(id: $id, input: $input) {
      __typename
      ... on UpsertUserSuccess {
        created
        user { id email phoneNumber name title nickname avatarUrl locale timezone status tags properties version createdAt updatedAt }
      }
      ... on ValidationError { code message fields { field message reason } }
    }
  }
`;
const USER = /* GraphQL */ `query User($id: ID!) { user(id: $id) { id email name nickname version } }`;

describe("user(id)", () => {
  test("is null for a user that does not exist", async () => {
    const response = await server.graphql(USER, { id: "nobody" });
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ user: null });
  });

  test("costs one statement after authentication", async () => {
    await server.graphql(UPSERT, { id: "counted", input: { name: "Counted" } });
    // the key is known from the request before (auth.test.ts counts its lookup)
    expect(await server.countStatements(() => server.graphql(USER, { id: "counted" }))).toBe(1);
  });
});

describe("upsertUser, profile fields", () => {
  test("creates a user with normalised values, then updates only what the input names", async () => {
    const created = await server.graphql(UPSERT, {
      id: "ada",
      input: {
        email: "ada@example.com",
        phoneNumber: "+44 20 7946 0958",
        name: "Ada Lovelace",
        nickname: "ada",
        avatarUrl: "https://example.com/ada.png",
        locale: "en-gb",
        timezone: "europe/london",
      },
    });
    expect(created.data.upsertUser).toMatchObject({
      __typename: "UpsertUserSuccess",
      created: true,
      user: {
        id: "ada",
        email: "ada@example.com",
        phoneNumber: "+442079460958",
        name: "Ada Lovelace",
        title: null,
        locale: "en-GB",
        timezone: "Europe/London",
        status: "ACTIVE",
        tags: [],
        properties: {},
        version: 1,
      },
    });

    const updated = await server.graphql(UPSERT, { id: "ada", input: { title: "Countess", nickname: null } });
    expect(updated.data.upsertUser).toMatchObject({
      created: false,
      user: { email: "ada@example.com", name: "Ada Lovelace", title: "Countess", nickname: null, version: 2 },
    });
    const { createdAt, updatedAt } = updated.data.upsertUser.user;
    expect(new Date(updatedAt).getTime()).toBeGreaterThan(new Date(createdAt).getTime());

    const read = await server.graphql(USER, { id: "ada" });
    expect(read.data.user).toEqual({ id: "ada", email: "ada@example.com", name: "Ada Lovelace", nickname: null, version: 2 });
  });

  test("reports every invalid field at once and writes nothing", async () => {
    const response = await server.graphql(UPSERT, {
      id: "bad\u0007id",
      input: {
        email: "not-an-email",
        phoneNumber: "12345",
        name: "x".repeat(201),
        title: "line\nbreak",
        avatarUrl: "http://example.com/a.png",
        locale: "en_US_bogus!",
        timezone: "Mars/Olympus_Mons",
      },
    });
    const result = response.data.upsertUser;
    expect(result).toMatchObject({ __typename: "ValidationError", code: "validation_failed" });
    const reasons = Object.fromEntries(result.fields.map((f: { field: string; reason: string }) => [f.field, f.reason]));
    expect(reasons).toEqual({
      id: "invalid",
      email: "invalid",
      phoneNumber: "invalid",
      name: "too_long",
      title: "invalid",
      avatarUrl: "invalid",
      locale: "invalid",
      timezone: "invalid",
    });
    expect(await server.prisma.user.count({ where: { id: "bad\u0007id" } })).toBe(0);
  });

  test("rejects an id that is empty or longer than 255 characters", async () => {
    for (const id of ["", "i".repeat(256)]) {
      const response = await server.graphql(UPSERT, { id, input: {} });
      expect(response.data.upsertUser.fields).toEqual([expect.objectContaining({ field: "id" })]);
    }
  });

  test("an invalid update leaves the stored user as it was", async () => {
    await server.graphql(UPSERT, { id: "grace", input: { email: "grace@example.com" } });
    const response = await server.graphql(UPSERT, { id: "grace", input: { name: "Grace", email: "broken" } });
    expect(response.data.upsertUser.__typename).toBe("ValidationError");
    const read = await server.graphql(USER, { id: "grace" });
    expect(read.data.user).toMatchObject({ email: "grace@example.com", name: null, version: 1 });
  });
});

describe("User.pushTokens is batched", () => {
  test("a page of 1000 users with their push tokens costs two statements, the tokens one", async () => {
    const batch = await server.createProject("push-tokens-batch");
    const ids = Array.from({ length: 1000 }, (_, i) => `tokens-${String(i).padStart(4, "0")}`);
    await server.prisma.user.createMany({ data: ids.map((id) => ({ projectId: batch.projectId, id })) });
    await server.prisma.pushToken.createMany({
      data: ids.flatMap((userId) => [
        { projectId: batch.projectId, userId, provider: "FCM" as const, token: `${userId}-b`, position: 0 },
        { projectId: batch.projectId, userId, provider: "APNS" as const, token: `${userId}-a`, position: 1 },
      ]),
    });
    const page = (first: number) => `{ users(first: ${first}, orderBy: { field: ID }) { nodes { id pushTokens { provider token } } } }`;
    // The key is looked up once and then known.
    await server.graphql(page(1), {}, { key: batch.secretKey });

    let response!: GraphQLResponse;
    const statements = await server.recordStatements(async () => {
      response = await server.graphql(page(1000), {}, { key: batch.secretKey });
    });

    expect(response.errors).toBeUndefined();
    expect(response.data.users.nodes).toEqual(
      ids.map((id) => ({
        id,
        pushTokens: [
          { provider: "FCM", token: `${id}-b` },
          { provider: "APNS", token: `${id}-a` },
        ],
      })),
    );
    expect(statements).toHaveLength(2); // the page, then every user's tokens
    // Looked up by user id in the tokens' own index, not through the users table again.
    const [tokens] = statements.filter((sql) => sql.includes("push_tokens"));
    expect(tokens).not.toContain('"users"');
  });
});
