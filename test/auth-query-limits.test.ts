import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../src/config.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const aliases = (count: number) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: user(id: "x") { id }`).join(" ")} }`;
// user → pushTokens → token: three levels.
const DEPTH_3 = '{ user(id: "x") { pushTokens { token } } }';
// graphql-armor counts 11 tokens here: { user ( id : "x" ) { id } } and the parser's final lookahead.
const TOKENS_11 = '{ user(id: "x") { id } }';
// cost 2 + 1.5 × (1 + 1 + 1) = 6.5 per aliased user
const COST_OF_TWO_USERS = 13;
const twoUsers = '{ a: user(id: "x") { id email name } b: user(id: "y") { id email name } }';

async function expectTooComplex(response: Awaited<ReturnType<TestServer["graphql"]>>, limit: string, max: number) {
  expect(response.status).toBe(400);
  expect(response.data).toBeUndefined();
  expect(response.errors).toHaveLength(1);
  expect(response.errors![0]!.extensions).toEqual({
    code: "QUERY_TOO_COMPLEX",
    status: 400,
    details: { limit, max },
    requestId: response.headers.get("x-request-id"),
  });
}

describe("query limits, checked before execution", () => {
  test("defaults: depth 12, 30 aliases, 2000 tokens, cost 100000, bodies of 25 MB", () => {
    expect(loadConfig({}).graphql).toEqual({
      introspection: true,
      maxDepth: 12,
      maxAliases: 30,
      maxTokens: 2000,
      maxCost: 100_000,
      maxBodyBytes: 25_000_000,
    });
  });

  test("the default alias limit refuses the 31st alias and runs nothing", async () => {
    expect((await server.graphql(aliases(30))).status).toBe(200);
    const statements = await server.countStatements(async () => expectTooComplex(await server.graphql(aliases(31)), "aliases", 30));
    expect(statements).toBe(0); // refused before authentication, let alone resolvers
  });

  test.each([
    ["depth", { GRAPHQL_MAX_DEPTH: "3" }, DEPTH_3, '{ user(id: "x") { pushTokens { device token } organization { parent { id } } } }', 3],
    ["aliases", { GRAPHQL_MAX_ALIASES: "2" }, aliases(2), aliases(3), 2],
    ["tokens", { GRAPHQL_MAX_TOKENS: "11" }, TOKENS_11, '{ user(id: "x") { id name } }', 11],
    [
      "cost",
      { GRAPHQL_MAX_COST: String(COST_OF_TWO_USERS) },
      twoUsers,
      '{ a: user(id: "x") { id email name title } b: user(id: "y") { id email name } }',
      COST_OF_TWO_USERS,
    ],
  ])(
    "%s: overridable from the environment; at the limit runs, past it is QUERY_TOO_COMPLEX",
    async (limit, env, atLimit, pastLimit, max) => {
      const { graphql } = await server.startInstance(env);
      const allowed = await graphql(atLimit);
      expect(allowed.errors).toBeUndefined();
      await expectTooComplex(await graphql(pastLimit), limit, max);
    },
  );

  test("a page of 1000 users with organization and channel settings stays within the default cost", async () => {
    const response = await server.graphql(`{
      users(first: 1000) { totalCount pageInfo { hasNextPage endCursor }
        nodes { id email name phoneNumber tags properties status
          organization { id name } channelSettings { provider settings channel { id name } } pushTokens { provider token } } } }`);
    expect(response.errors).toBeUndefined();
  });

  test("a page nested in a page is refused by cost", async () => {
    const response = await server.graphql("{ organizations(first: 100) { nodes { users(first: 1000) { nodes { id name } } } } }");
    expect(response.errors![0]!.extensions.details).toEqual({ limit: "cost", max: 100_000 });
  });
});

describe("introspection", () => {
  const INTROSPECTION = "{ __schema { queryType { name } } }";

  test("is on by default, with GraphiQL", async () => {
    expect((await server.graphql(INTROSPECTION)).data).toEqual({ __schema: { queryType: { name: "Query" } } });
  });

  test("GRAPHQL_INTROSPECTION=false refuses __schema and __type and turns GraphiQL off; __typename still works", async () => {
    const { graphql, yoga } = await server.startInstance({ GRAPHQL_INTROSPECTION: "false" });
    for (const query of [INTROSPECTION, '{ __type(name: "User") { name } }']) {
      const response = await graphql(query);
      expect(response.status).toBe(400);
      expect(response.errors![0]!.extensions.code).toBe("BAD_USER_INPUT");
    }
    expect((await graphql('{ __typename user(id: "x") { id } }')).data).toEqual({ __typename: "Query", user: null });
    const page = await yoga.fetch("http://localhost/graphql", { headers: { accept: "text/html" } });
    expect(await page.text()).not.toContain("GraphiQL");
  });
});
