import { readFile } from "node:fs/promises";
import { Kind, parse } from "graphql";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// Every GraphQL example of the README, run in order as a reader would paste
// them into GraphiQL with the secret key: none may fail, none may answer an
// error type. A variable an example needs comes from an earlier answer.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap((match) =>
  parse(match[1]!).definitions.flatMap((definition, index) =>
    definition.kind === Kind.OPERATION_DEFINITION
      ? [{ name: definition.name?.value ?? `#${index}`, document: match[1]!, operationName: definition.name?.value }]
      : [],
  ),
);

/** Values the examples leave to the reader, found in earlier answers: `channelId` from createChannel. */
const variables: Record<string, unknown> = {};

const ERROR_TYPES = /"__typename":"(ValidationError|NotFoundError|VersionConflictError|InvalidTransitionError)"/;

test("the README has GraphQL examples", () => {
  expect(examples.length).toBeGreaterThan(5);
});

test.each(examples.map((example, index) => [`${index + 1}. ${example.name}`, example] as const))(
  "README example %s runs",
  async (_name, { document, operationName }) => {
    const answer = await postNamed(document, operationName);
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    expect(JSON.stringify(answer.data)).not.toMatch(ERROR_TYPES);
    const channelId = answer.data?.createChannel?.channel?.id;
    if (channelId) variables.channelId = channelId;
  },
);

async function postNamed(document: string, operationName: string | undefined) {
  const response = await server.yoga.fetch("http://localhost/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${server.secretKey}` },
    body: JSON.stringify({ query: document, variables, operationName }),
  });
  return (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
}
