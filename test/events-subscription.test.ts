import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// The directoryEvents subscription over SSE, in process (yoga.fetch streams too).

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.graphql(`mutation { createOrganization(input: { id: "acme", name: "Acme" }) { __typename } }`);
});
afterAll(() => server.close());

const SUBSCRIBE = `subscription($after: String, $filter: DirectoryEventFilter) {
  directoryEvents(after: $after, filter: $filter) { cursor type userId changedFields }
}`;

/** Reads SSE `next` payloads from a response until `count` arrived. */
async function readEvents(response: Response, count: number, abort: AbortController) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: Record<string, any>[] = [];
  let buffer = "";
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = message.split("\n").find((line) => line.startsWith("data:"));
      if (data && data.length > 6) {
        const payload = JSON.parse(data.slice(5));
        if (payload.errors) throw new Error(JSON.stringify(payload.errors));
        if (payload.data) events.push(payload.data.directoryEvents);
      }
      end = buffer.indexOf("\n\n");
    }
  }
  abort.abort();
  return events;
}

function subscribe(variables: object, headers: Record<string, string> = { authorization: `Bearer ${server.secretKey}` }) {
  const abort = new AbortController();
  const response = server.yoga.fetch("http://localhost/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...headers },
    body: JSON.stringify({ query: SUBSCRIBE, variables }),
    signal: abort.signal,
  });
  return { response, abort };
}

const upsert = (id: string, name: string) =>
  server.graphql(`mutation($id: ID!, $name: String) { upsertUser(id: $id, input: { name: $name }) { __typename } }`, { id, name });

describe("directoryEvents", () => {
  test("receives events as they commit, and resumes from a cursor", async () => {
    const { response, abort } = subscribe({});
    const received = (async () => readEvents(await response, 3, abort))();
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const id of ["sub-1", "sub-2", "sub-3"]) await upsert(id, id);
    const events = await received;
    expect(events.map((event) => [event.type, event.userId])).toEqual([
      ["USER_CREATED", "sub-1"],
      ["USER_CREATED", "sub-2"],
      ["USER_CREATED", "sub-3"],
    ]);
    const resumed = subscribe({ after: events[0]!.cursor });
    const again = await readEvents(await resumed.response, 2, resumed.abort);
    expect(again.map((event) => event.userId)).toEqual(["sub-2", "sub-3"]);
  });

  test("filters by type; a forged cursor is refused", async () => {
    const { response, abort } = subscribe({ filter: { types: ["USER_UPDATED"] } });
    const received = (async () => readEvents(await response, 1, abort))();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await upsert("sub-4", "four");
    await upsert("sub-4", "four again");
    expect(await received).toMatchObject([{ type: "USER_UPDATED", userId: "sub-4", changedFields: ["name"] }]);
    const forged = subscribe({ after: "eyJ4Ijp9.AAAA" });
    await expect(readEvents(await forged.response, 1, forged.abort)).rejects.toThrow(/BAD_USER_INPUT|cursor/);
  });

  test("a user token receives its own user's events only", async () => {
    const token = await server.graphql(`mutation { createUserToken(userId: "sub-1") { ... on CreateUserTokenSuccess { token } } }`);
    const publishableKey = await server.createPublishableKey();
    const { response, abort } = subscribe({}, { "x-api-key": publishableKey, authorization: `Bearer ${token.data.createUserToken.token}` });
    const received = (async () => readEvents(await response, 1, abort))();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await upsert("sub-2", "not mine");
    await upsert("sub-1", "mine");
    expect(await received).toMatchObject([{ userId: "sub-1" }]);
  });
});
