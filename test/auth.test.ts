import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { revokeApiKey } from "../src/auth/api-keys.ts";
import { ensureDefaultProject } from "../src/auth/default-project.ts";
import { generateKey, hashKey, keyPrefix, SCOPES } from "../src/auth/keys.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const USER = /* GraphQL */ `query User($id: ID!) { user(id: $id) { id name } }`;
const UPSERT = /* GraphQL */ `
  mutation Upsert($id: ID!, $input: UpsertUserInput!) {
    upsertUser(id: $id, input: $input) { __typename ... on UpsertUserSuccess { created user { id name } } }
  }
`;

describe("secret keys", () => {
  test.each([
    ["no credentials", null],
    ["an unknown key", generateKey("SECRET")],
    ["a key that is not a secret key", "pk_abc"],
    ["a malformed header", "sk_"],
  ])("%s: 401 UNAUTHENTICATED with the request id", async (_case, key) => {
    const response = await server.graphql(USER, { id: "x" }, { key });
    expect(response.status).toBe(401);
    expect(response.data).toBeUndefined();
    const [error] = response.errors!;
    expect(error!.extensions).toEqual({
      code: "UNAUTHENTICATED",
      status: 401,
      requestId: response.headers.get("x-request-id"),
    });
  });

  test("keys are stored only as hashes", async () => {
    const stored = await server.prisma.apiKey.findMany();
    expect(stored.length).toBeGreaterThan(0);
    for (const key of stored) {
      expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(key.hash).not.toContain(server.secretKey);
      expect(server.secretKey.startsWith(key.prefix)).toBe(true);
    }
  });

  const revokeInDatabase = (project: string) =>
    server.prisma.apiKey.updateMany({ where: { project: { name: project } }, data: { revokedAt: new Date() } });

  test("a key revoked in this process stops working at once", async () => {
    const { secretKey } = await server.createProject("revoked");
    expect((await server.graphql(USER, { id: "x" }, { key: secretKey })).status).toBe(200);
    const key = await server.prisma.apiKey.findFirstOrThrow({ where: { project: { name: "revoked" } } });
    expect(await revokeApiKey(server.prisma, key.id)).toBe("revoked");
    expect((await server.graphql(USER, { id: "x" }, { key: secretKey })).status).toBe(401);
  });

  test("a key revoked by another process stops working once the gateway's cache lets it go", async () => {
    const gateway = await server.startInstance({ SECRET_KEY_CACHE_SECONDS: "1" });
    const { secretKey } = await server.createProject("revoked-elsewhere");
    expect((await gateway.graphql(USER, { id: "x" }, { key: secretKey })).status).toBe(200);
    await revokeInDatabase("revoked-elsewhere");
    expect((await gateway.graphql(USER, { id: "x" }, { key: secretKey })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await gateway.graphql(USER, { id: "x" }, { key: secretKey })).status).toBe(401);
  });

  test("a known key costs no statement; with SECRET_KEY_CACHE_SECONDS=0 every request looks it up", async () => {
    const { secretKey } = await server.createProject("looked-up");
    const request = (gateway: { graphql: typeof server.graphql }) =>
      server.countStatements(() => gateway.graphql(USER, { id: "x" }, { key: secretKey }));
    expect(await request(server)).toBe(2); // the key, then the user
    expect(await request(server)).toBe(1);

    const uncached = await server.startInstance({ SECRET_KEY_CACHE_SECONDS: "0" });
    expect(await request(uncached)).toBe(2);
    expect(await request(uncached)).toBe(2);
    await revokeInDatabase("looked-up");
    expect((await uncached.graphql(USER, { id: "x" }, { key: secretKey })).status).toBe(401);
  });

  test("an unknown key is looked up on every request, not remembered as refused", async () => {
    const secretKey = generateKey("SECRET");
    expect((await server.graphql(USER, { id: "x" }, { key: secretKey })).status).toBe(401);
    const project = await server.prisma.project.findUniqueOrThrow({ where: { name: "test" } });
    await server.prisma.apiKey.create({
      data: { projectId: project.id, kind: "SECRET", hash: hashKey(secretKey), prefix: keyPrefix(secretKey), scopes: [...SCOPES] },
    });
    expect((await server.graphql(USER, { id: "x" }, { key: secretKey })).status).toBe(200);
  });

  test("DIRECTORY_SECRET_KEY becomes a key of the project default, registered once", async () => {
    const secretKey = generateKey("SECRET");
    await ensureDefaultProject(server.prisma, { secretKey, createDevelopmentKey: true });
    await ensureDefaultProject(server.prisma, { secretKey, createDevelopmentKey: true });
    const keys = await server.prisma.apiKey.findMany({ where: { project: { name: "default" } } });
    expect(keys).toHaveLength(1);
    await server.graphql(UPSERT, { id: "in-default", input: { name: "D" } }, { key: secretKey });
    const defaultProject = await server.prisma.project.findUniqueOrThrow({ where: { name: "default" } });
    expect(await server.prisma.user.count({ where: { projectId: defaultProject.id, id: "in-default" } })).toBe(1);
  });

  test("a development key is made only while the project has none", async () => {
    await server.prisma.project.deleteMany({ where: { name: "default" } });
    const first = await ensureDefaultProject(server.prisma, { secretKey: undefined, createDevelopmentKey: true });
    expect(first.developmentKey).toMatch(/^sk_[0-9A-Za-z]{40,}$/);
    expect((await server.graphql(USER, { id: "x" }, { key: first.developmentKey })).status).toBe(200);
    const second = await ensureDefaultProject(server.prisma, { secretKey: undefined, createDevelopmentKey: true });
    expect(second.developmentKey).toBeUndefined();
  });
});

describe("tenancy", () => {
  test("one project's key neither reads nor changes another project's users", async () => {
    const other = await server.createProject("other");
    await server.graphql(UPSERT, { id: "shared-id", input: { name: "Mine" } });

    const read = await server.graphql(USER, { id: "shared-id" }, { key: other.secretKey });
    expect(read.data).toEqual({ user: null });

    const write = await server.graphql(UPSERT, { id: "shared-id", input: { name: "Theirs" } }, { key: other.secretKey });
    expect(write.data.upsertUser).toMatchObject({ created: true, user: { id: "shared-id", name: "Theirs" } });

    expect((await server.graphql(USER, { id: "shared-id" })).data.user).toEqual({ id: "shared-id", name: "Mine" });
    expect((await server.graphql(USER, { id: "shared-id" }, { key: other.secretKey })).data.user.name).toBe("Theirs");
  });
});

describe("partial results", () => {
  test("a field the key may not read is null with FORBIDDEN; the fields it may read still answer, HTTP 200", async () => {
    const { secretKey } = await server.createProject("partial", ["users:read", "users:write"]);
    await server.graphql(UPSERT, { id: "partial-user", input: { name: "Part" } }, { key: secretKey });
    const response = await server.graphql(
      `{ user(id: "partial-user") { id name } channels { id } roles { name } users(first: 1) { nodes { id organization { id } } } }`,
      {},
      { key: secretKey },
    );
    expect(response.status).toBe(200);
    expect(response.data).toEqual({
      user: { id: "partial-user", name: "Part" },
      channels: null,
      roles: expect.arrayContaining([expect.objectContaining({ name: "admin" })]),
      users: { nodes: [{ id: "partial-user", organization: null }] },
    });
    expect(response.errors).toEqual([
      expect.objectContaining({
        path: ["channels"],
        extensions: expect.objectContaining({ code: "FORBIDDEN", status: 403, details: { requiredScope: "channels:read" } }),
      }),
      expect.objectContaining({
        path: ["users", "nodes", 0, "organization"],
        extensions: expect.objectContaining({ code: "FORBIDDEN", status: 403, details: { requiredScope: "organizations:read" } }),
      }),
    ]);
  });

  test("when no field answers, the response keeps the refusal's status", async () => {
    const { secretKey } = await server.createProject("partial", ["users:read"]);
    const response = await server.graphql("{ channels { id } organizations { nodes { id } } }", {}, { key: secretKey });
    expect(response.status).toBe(403);
    expect(response.data).toEqual({ channels: null, organizations: null });
    expect(response.errors!.map((error) => error.extensions.code)).toEqual(["FORBIDDEN", "FORBIDDEN"]);
  });
});
