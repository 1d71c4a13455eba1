import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// Pricing an operation whose page sizes are variables is remembered per
// document and page sizes: what fits once fits again without being priced,
// and nothing that fits for one size lets another size through.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const NESTED = "query ($f: Int) { users(first: $f) { nodes { organization { users(first: $f) { nodes { id } } } } } }";
const TWO =
  "query A($f: Int) { users(first: $f) { nodes { id } } } query B($f: Int) { users(first: $f) { nodes { organization { users(first: $f) { nodes { id } } } } } }";

const code = async (query: string, variables: Record<string, unknown>, operationName?: string) =>
  (await server.graphql(query, variables, { operationName })).errors?.[0]?.extensions.details?.limit ?? "ok";

test("the same document fits or not by its page sizes, however often and in whatever order it is asked", async () => {
  for (let round = 0; round < 3; round++) {
    expect(await code(NESTED, { f: 10 })).toBe("ok");
    expect(await code(NESTED, { f: 1000 })).toBe("cost");
    expect(await code(NESTED, {})).toBe("ok");
    expect(await code(NESTED, { f: null })).toBe("ok");
    expect(await code(NESTED, { f: "many" })).not.toBe("ok");
  }
});

test("the operation named counts: one that fits does not let the other through", async () => {
  expect(await code(TWO, { f: 1000 }, "A")).toBe("ok");
  expect(await code(TWO, { f: 1000 }, "B")).toBe("cost");
  expect(await code(TWO, { f: 1000 }, "A")).toBe("ok");
});

test("many distinct sizes keep being priced right past what is remembered", async () => {
  const twoSizes = "query ($f: Int, $g: Int) { users(first: $f) { nodes { organization { users(first: $g) { nodes { id } } } } } }";
  for (let f = 1; f <= 80; f++) expect(await code(twoSizes, { f, g: 1 })).toBe("ok");
  expect(await code(twoSizes, { f: 1000, g: 1000 })).toBe("cost");
  expect(await code(twoSizes, { f: 1, g: 1000 })).toBe("ok");
  expect(await code(twoSizes, { f: 5, g: 1 })).toBe("ok");
});
