import { readFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { printedSchema } from "../src/schema.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe("HTTP surface", () => {
  test("/health answers while the process is up, /ready when the database answers", async () => {
    const health = await server.yoga.fetch("http://localhost/health");
    expect(health.status).toBe(200);
    const ready = await server.yoga.fetch("http://localhost/ready");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  test("GraphiQL is served to browsers at /graphql", async () => {
    const response = await server.yoga.fetch("http://localhost/graphql", { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("GraphiQL");
  });

  test("queries also work over GET", async () => {
    const query = encodeURIComponent('{ user(id: "nobody") { id } }');
    const response = await server.yoga.fetch(`http://localhost/graphql?query=${query}`, {
      headers: { authorization: `Bearer ${server.secretKey}`, accept: "application/json" },
    });
    expect(await response.json()).toEqual({ data: { user: null } });
  });

  test("every response carries x-request-id; a well-formed incoming one is kept", async () => {
    const generated = await server.graphql('{ user(id: "x") { id } }');
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await server.graphql('{ user(id: "x") { id } }', {}, { headers: { "x-request-id": "edge-42" } });
    expect(kept.headers.get("x-request-id")).toBe("edge-42");
    const replaced = await server.graphql('{ user(id: "x") { id } }', {}, { headers: { "x-request-id": "bad id\u00e9" } });
    expect(replaced.headers.get("x-request-id")).not.toBe("bad id\u00e9");
  });

  test("a malformed query is BAD_USER_INPUT with status 400", async () => {
    for (const query of ["{ user(id: ", '{ user(id: "x") { shoeSize } }']) {
      const response = await server.graphql(query);
      expect(response.status).toBe(400);
      expect(response.errors![0]!.extensions).toEqual({
        code: "BAD_USER_INPUT",
        status: 400,
        requestId: response.headers.get("x-request-id"),
      });
    }
  });

  test("variables of the wrong type are BAD_USER_INPUT", async () => {
    // Twice: the second run is of the compiled operation.
    for (let run = 0; run < 2; run++) {
      const response = await server.graphql("query ($id: ID!) { user(id: $id) { id } }", { id: { nested: true } });
      expect(response.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", status: 400 });
      expect(response.errors![0]!.message).toMatch(/\$id/);
    }
  });

  test("a document of several operations runs the one operationName names, each time", async () => {
    const document = 'query First { first: user(id: "x") { id } } query Second { second: user(id: "x") { id } }';
    for (const operationName of ["First", "Second", "First", "Second"]) {
      const response = await server.yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${server.secretKey}` },
        body: JSON.stringify({ query: document, operationName }),
      });
      expect(await response.json()).toEqual({ data: { [operationName.toLowerCase()]: null } });
    }
  });
});

describe("unexpected errors", () => {
  test("are masked for the client and logged whole with the request id", async () => {
    const broken = await startTestServer();
    await broken.db.close();
    const response = await broken.graphql('{ user(id: "x") { id } }');
    const requestId = response.headers.get("x-request-id");
    expect(response.errors).toEqual([
      { message: "Internal server error.", extensions: { code: "INTERNAL_SERVER_ERROR", status: 500, requestId } },
    ]);
    const body = JSON.stringify(response);
    expect(body).not.toMatch(/SELECT|api_keys|prisma|at .*\.ts/i);
    expect(broken.logs).toContainEqual(expect.objectContaining({ level: 50, requestId, msg: "unexpected error" }));
  });
});

describe("schema.graphql", () => {
  test("matches the served schema (run `npm run schema:print` after changing it)", async () => {
    const committed = await readFile(new URL("../schema.graphql", import.meta.url), "utf8");
    expect(committed).toBe(printedSchema());
  });
});

test("/ready answers 503 when the database is gone", async () => {
  const broken = await startTestServer();
  await broken.db.close();
  const response = await broken.yoga.fetch("http://localhost/ready");
  expect(response.status).toBe(503);
});

describe("request bodies", () => {
  test("over GRAPHQL_MAX_BODY_BYTES: 413 BAD_USER_INPUT, whether sized by Content-Length or chunked", async () => {
    const { yoga } = await server.startInstance({ GRAPHQL_MAX_BODY_BYTES: "2000" });
    const http = createHttpServer(yoga);
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
    const body = (idLength: number) => JSON.stringify({ query: `{ user(id: "${"x".repeat(idLength)}") { id } }` });
    // Streamed without a Content-Length (chunked), 500 bytes at a time.
    const chunked = (text: string) =>
      new ReadableStream({
        start(controller) {
          for (let at = 0; at < text.length; at += 500) controller.enqueue(new TextEncoder().encode(text.slice(at, at + 500)));
          controller.close();
        },
      });
    const post = (payload: BodyInit) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${server.secretKey}` },
        body: payload,
        ...(payload instanceof ReadableStream && { duplex: "half" }),
      } as RequestInit);
    try {
      for (const payload of [body(100), chunked(body(100))]) {
        const response = await post(payload);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ data: { user: null } });
      }
      for (const payload of [body(3000), chunked(body(3000))]) {
        const response = await post(payload);
        expect(response.status).toBe(413);
        const { errors } = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
        expect(errors[0]!.message).toMatch(/larger than 2000 bytes/);
        expect(errors[0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", status: 413 });
      }
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
