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

describe("cost with variables", () => {
  const NESTED = "query ($f: Int) { users(first: $f) { nodes { organization { users(first: $f) { nodes { id } } } } } }";

  test("a page size passed as a variable costs what the same literal costs", async () => {
    const literal = await server.graphql(NESTED.replace("query ($f: Int) ", "").replaceAll("$f", "1000"));
    expect(literal.errors![0]!.extensions.details).toEqual({ limit: "cost", max: 100_000 });
    await expectTooComplex(await server.graphql(NESTED, { f: 1000 }), "cost", 100_000);
    // The same document again, with other values: priced per request, not once per document.
    expect((await server.graphql(NESTED, { f: 5 })).errors).toBeUndefined();
    await expectTooComplex(await server.graphql(NESTED, { f: 1000 }), "cost", 100_000);
    expect((await server.graphql(NESTED, {})).errors).toBeUndefined();
  });

  test("a variable's default value is priced when the request leaves it out", async () => {
    const withDefault = NESTED.replace("$f: Int", "$f: Int = 1000");
    await expectTooComplex(await server.graphql(withDefault), "cost", 100_000);
    expect((await server.graphql(withDefault, { f: 3 })).errors).toBeUndefined();
    expect((await server.graphql(withDefault.replace("= 1000", "= 3"))).errors).toBeUndefined();
  });

  test("a value that is not a number is priced as the largest page", async () => {
    const response = await server.graphql(NESTED, { f: "1000" });
    expect(response.status).toBe(400);
    expect(response.errors![0]!.extensions.details).toEqual({ limit: "cost", max: 100_000 });
  });

  test("through fragments, in a document of several operations, and for userPage's size", async () => {
    const fragments = /* GraphQL */ `
      query Small { users(first: 2) { nodes { id } } }
      query Nested($f: Int, $s: Int!) { userPage(size: $s) { items { ...OrgUsers } } users(first: $f) { nodes { ...OrgUsers } } }
      fragment OrgUsers on User { organization { users(first: $f) { nodes { id } } } }`;
    const post = async (operationName: string, variables: Record<string, unknown>) => {
      const response = await server.yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${server.secretKey}` },
        body: JSON.stringify({ query: fragments, operationName, variables }),
      });
      return response.json();
    };
    expect((await post("Small", {})).errors).toBeUndefined();
    expect((await post("Nested", { f: 3, s: 3 })).errors).toBeUndefined();
    expect((await post("Nested", { f: 1000, s: 3 })).errors[0].extensions.details).toEqual({ limit: "cost", max: 100_000 });
    expect((await post("Nested", { f: 300, s: 1000 })).errors[0].extensions.details).toEqual({ limit: "cost", max: 100_000 });
    const literalSize = await server.graphql("{ userPage(size: 1000) { items { organization { users(first: 1000) { nodes { id } } } } } }");
    expect(literalSize.errors![0]!.extensions.details).toEqual({ limit: "cost", max: 100_000 });
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

  test("GRAPHQL_INTROSPECTION=false keeps field, argument and type names out of error messages", async () => {
    const probes: [string, Record<string, unknown>][] = [
      ['{ user(id: "x") { nam } }', {}],
      ["{ users(firts: 1) { nodes { id } } }", {}],
      ["query ($f: UserFiltr) { users(filter: $f) { nodes { id } } }", {}],
      ['{ users(filter: { quer: "a" }) { nodes { id } } }', {}],
    ];
    const open = server;
    const closed = await server.startInstance({ GRAPHQL_INTROSPECTION: "false" });
    for (const [query, variables] of probes) {
      // With introspection on, the same mistakes are answered with a hint.
      expect(JSON.stringify((await open.graphql(query, variables)).errors)).toContain("Did you mean");
      const response = await closed.graphql(query, variables);
      expect(response.status).toBe(400);
      expect(response.errors![0]!.extensions.code).toBe("BAD_USER_INPUT");
      expect(JSON.stringify(response.errors)).not.toMatch(/Did you mean|"name"|"first"|"UserFilter"|"query"/);
    }
  });
});
