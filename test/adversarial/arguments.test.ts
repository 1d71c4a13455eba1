import { afterAll, beforeAll, expect, test } from "vitest";
import { schema } from "../../src/schema.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { argumentsWith, expectNoProblems, HOSTILE_VALUES, leavesOf, operationFor, rootFields } from "./hostile-input.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const post = (query: string, variables: Record<string, unknown>) =>
  server.yoga.fetch("http://localhost/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${server.secretKey}` },
    body: JSON.stringify({ query, variables }),
  });

function attacksOn(kind: "query" | "mutation") {
  const type = kind === "query" ? schema.getQueryType() : schema.getMutationType();
  return rootFields(type).flatMap((field) =>
    leavesOf(field.args).flatMap(({ path, type: scalar }) =>
      (HOSTILE_VALUES[scalar.name] ?? []).map((value, variant) => ({
        name: `${field.name}(${path.join(".")}) #${variant}`,
        send: () => post(operationFor(kind, field), argumentsWith(field.args, path, value)),
      })),
    ),
  );
}

test("the suite reaches every root field with arguments", () => {
  const attacked = new Set([...attacksOn("query"), ...attacksOn("mutation")].map(({ name }) => name.split("(")[0]));
  const withArguments = [...rootFields(schema.getQueryType()), ...rootFields(schema.getMutationType())]
    .filter((field) => field.args.length > 0)
    .map((field) => field.name);
  expect([...attacked].sort()).toEqual([...withArguments].sort());
});

test("every query answers hostile arguments with a coded 4xx or a typed result, never a 500 or a leak", async () => {
  await expectNoProblems(attacksOn("query"));
});

test("every mutation answers hostile arguments with a coded 4xx or a typed result, never a 500 or a leak", async () => {
  await expectNoProblems(attacksOn("mutation"));
});

test("unstorable text is BAD_USER_INPUT naming the argument, or the ValidationError of a mutation's result", async () => {
  const search = await server.graphql("query($q: String) { users(filter: { query: $q }) { nodes { id } } }", { q: "a\u0000b" });
  expect(search.status).toBe(400);
  expect(search.errors?.[0]?.extensions).toMatchObject({
    code: "BAD_USER_INPUT",
    details: { fields: [{ argument: "filter.query", reason: "invalid" }] },
  });
  const rename = await server.graphql(
    `mutation($name: String!) { createOrganization(input: { name: $name }) { __typename ... on ValidationError { fields { field reason } } } }`,
    { name: "a\ud800b" },
  );
  expect(rename.data.createOrganization).toEqual({ __typename: "ValidationError", fields: [{ field: "name", reason: "invalid" }] });
});

test("nothing was logged as an unexpected error, and the server still answers", async () => {
  expect(server.logs.filter((line) => line.level >= 50)).toEqual([]);
  expect((await server.yoga.fetch("http://localhost/health")).status).toBe(200);
  const response = await server.graphql(`mutation { upsertUser(id: "after-attack", input: { name: "Still here" }) { __typename } }`);
  expect(response.data).toEqual({ upsertUser: { __typename: "UpsertUserSuccess" } });
});
