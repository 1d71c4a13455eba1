import { afterAll, beforeAll, expect, test } from "vitest";
import { noteEventsWritten, wakeAfter } from "../src/events/wake-ups.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// Subscribers to the change feed are woken once a write has committed, not
// only at their next poll; without AsyncLocalStorage, per project (wake-ups.ts).

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

test("a subscriber receives a mutation's event long before its next poll", async () => {
  // A poll a minute apart: only the wake-up after the commit can bring the event in time.
  const { yoga, graphql } = await server.startInstance({ EVENT_POLL_MS: "60000", SECRET_KEY_CACHE_SECONDS: "3600" });
  const abort = new AbortController();
  const response = await yoga.fetch("http://localhost/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${server.secretKey}` },
    body: JSON.stringify({ query: "subscription { directoryEvents { type userId } }" }),
    signal: abort.signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  // The subscription has read the (empty) log once and waits.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = performance.now();
  await graphql(`mutation { upsertUser(id: "woken", input: { name: "Woken" }) { __typename } }`);
  let received = "";
  while (!received.includes('"woken"')) {
    const { value, done } = await reader.read();
    if (done) break;
    received += value;
  }
  abort.abort();
  expect(received).toContain('{"type":"USER_CREATED","userId":"woken"}');
  expect(performance.now() - started).toBeLessThan(5000);
});

test("an operation of a project wakes its subscribers once it ends, if events were written for the project meanwhile", async () => {
  const woken: string[] = [];
  const wake = (projectId: string) => woken.push(projectId);
  // Reads write nothing: no wake-up.
  await wakeAfter("p1", async () => "read", wake);
  expect(woken).toEqual([]);
  // A writer wakes its project after it ended (committed), also when it failed.
  await wakeAfter("p1", async () => noteEventsWritten("p1"), wake);
  expect(woken).toEqual(["p1"]);
  await expect(
    wakeAfter(
      "p2",
      async () => {
        noteEventsWritten("p2");
        throw new Error("rolled back");
      },
      wake,
    ),
  ).rejects.toThrow("rolled back");
  expect(woken).toEqual(["p1", "p2"]);
  // Two operations at once: the one that wrote nothing may wake early, the writer still wakes at its own end.
  woken.length = 0;
  let commit!: () => void;
  const writer = wakeAfter(
    "p1",
    async () => {
      noteEventsWritten("p1");
      await new Promise<void>((resolve) => {
        commit = resolve;
      });
    },
    wake,
  );
  await wakeAfter("p1", async () => "read", wake);
  commit();
  await writer;
  expect(woken).toEqual(["p1", "p1"]);
  // Events written outside any operation of the project (background work) wake no one here.
  noteEventsWritten("p3");
  await wakeAfter("p3", async () => "read", wake);
  expect(woken).toEqual(["p1", "p1"]);
});
