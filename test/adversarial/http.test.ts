import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { expectNoProblems, problemWith } from "./hostile-input.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const send = (init: RequestInit & { headers?: Record<string, string> }, path = "/graphql") =>
  server.yoga.fetch(`http://localhost${path}`, {
    method: "POST",
    ...init,
    headers: { authorization: `Bearer ${server.secretKey}`, "content-type": "application/json", ...init.headers },
  });
const json = (body: unknown) => ({ body: JSON.stringify(body) });
const USERS =
  "query($first: Int, $last: Int, $after: String, $before: String) { users(first: $first, last: $last, after: $after, before: $before) { nodes { id } } }";
const PAGE = "query($page: Int!, $size: Int!) { userPage(page: $page, size: $size) { items { id } } }";

/** A request that must be refused with a coded 4xx (and no 500, no leak). */
async function expectRefused(name: string, request: Response | Promise<Response>, status?: number) {
  const response = await request;
  expect(await problemWith(response.clone()), name).toBeUndefined();
  expect(response.status, name).toBeGreaterThanOrEqual(400);
  expect(response.status, name).toBeLessThan(500);
  if (status) expect(response.status, name).toBe(status);
}

test("bodies that are not one GraphQL request are refused with a coded 4xx", async () => {
  const bodies: [string, RequestInit & { headers?: Record<string, string> }][] = [
    ["batched array", json([{ query: "{ __typename }" }, { query: "{ __typename }" }])],
    ["empty array", json([])],
    ["malformed JSON", { body: '{"query": "{ __typename }"' }],
    ["empty body", { body: "" }],
    ["JSON string", json("{ __typename }")],
    ["query not a string", json({ query: 1 })],
    ["variables an array", json({ query: "{ __typename }", variables: [1] })],
    ["extensions a string", json({ query: "{ __typename }", extensions: "x" })],
    ["unknown operationName", json({ query: "query A { __typename }", operationName: "B" })],
    ["several operations, none named", json({ query: "query A { __typename } query B { __typename }" })],
    ["text/plain", { body: "{ __typename }", headers: { "content-type": "text/plain" } }],
    ["XML", { body: "<query/>", headers: { "content-type": "application/xml" } }],
    ["multipart junk", { body: "--x\r\nnot multipart", headers: { "content-type": "multipart/form-data; boundary=x" } }],
    ["deep selection", json({ query: `{ users { nodes { ${"organization { parent { ".repeat(20)} id ${"} } ".repeat(20)} } } }` })],
    ["many aliases", json({ query: `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: user(id: "x") { id }`).join(" ")} }` })],
    ["subscription", json({ query: "subscription { users }" })],
    ["subscription of a known field name", json({ query: "subscription { me { id } }" })],
  ];
  for (const [name, init] of bodies) {
    await expect.soft(expectRefused(name, send(init))).resolves.toBeUndefined();
  }
});

test("a mutation over GET is refused with 405; over POST the same mutation works", async () => {
  const mutation = encodeURIComponent('mutation { deleteUser(id: "nobody") { __typename } }');
  await expectRefused("GET", send({ method: "GET", headers: { accept: "application/json" } }, `/graphql?query=${mutation}`), 405);
});

test("malformed cursors and page sizes out of range are BAD_USER_INPUT", async () => {
  const cursors = ["%%%", "x".repeat(100_000), Buffer.from('{"id":"x"}').toString("base64url"), "eyJ9", "\u0000", "\ud800"];
  for (const cursor of cursors) {
    await expectRefused(`after ${cursor.slice(0, 20)}`, send(json({ query: USERS, variables: { first: 10, after: cursor } })), 400);
    await expectRefused(`before ${cursor.slice(0, 20)}`, send(json({ query: USERS, variables: { last: 10, before: cursor } })), 400);
  }
  for (const first of [-1, 1001, 2_147_483_647, -2_147_483_648]) {
    await expectRefused(`first ${first}`, send(json({ query: USERS, variables: { first } })), 400);
  }
  for (const variables of [
    { page: -1, size: 10 },
    { page: 0, size: -1 },
    { page: 0, size: 1_000_000 },
  ]) {
    await expectRefused(JSON.stringify(variables), send(json({ query: PAGE, variables })), 400);
  }
  // Past what an Int holds: GraphQL's own coercion refuses it.
  await expectRefused("first 2^53", send(json({ query: USERS, variables: { first: 2 ** 53 } })), 400);
});

test("hostile values sent as literals in the document are refused as they are as variables", async () => {
  await expectNoProblems(
    [
      '{ user(id: "a\\u0000b") { id } }',
      '{ user(id: "a\\ud800b") { id } }',
      '{ users(filter: { query: "\\u0000" }) { nodes { id } } }',
      '{ organization(id: "\\udc00") { id } }',
      'mutation { upsertUser(id: "lit", input: { properties: { a: "\\u0000" } }) { __typename } }',
      'mutation { upsertUser(id: "lit", input: { tags: ["\\ud800"] }) { __typename } }',
      'mutation { setChannelSettings(userId: "u", channelId: "c", settings: { email: "\\u0000" }) { __typename } }',
      'mutation { signIn(email: "a\\u0000@b.co", password: "\\u0000") { __typename } }',
    ].map((query) => ({ name: query, send: () => send(json({ query })) })),
  );
});

test("arguments of nested fields are checked as those of root fields", async () => {
  await server.graphql('mutation { createOrganization(input: { id: "nested-org", name: "Nested" }) { __typename } }');
  const response = await server.graphql(
    'query($after: String) { organization(id: "nested-org") { users(first: 5, after: $after) { nodes { id } } } }',
    { after: "a\u0000b" },
  );
  expect(response.status).toBe(400);
  expect(response.errors?.[0]).toMatchObject({
    path: ["organization", "users"],
    extensions: { code: "BAD_USER_INPUT", details: { fields: [{ argument: "after" }] } },
  });
});

test("after all of it the server still answers, and logged no unexpected error", async () => {
  expect(server.logs.filter((line) => line.level >= 50)).toEqual([]);
  expect((await server.yoga.fetch("http://localhost/health")).status).toBe(200);
  expect((await server.graphql("{ users(first: 1) { nodes { id } } }")).status).toBe(200);
});
