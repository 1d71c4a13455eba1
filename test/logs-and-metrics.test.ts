import { afterAll, beforeAll, describe, expect, inject, test, vi } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// What a production team reads: one JSON line per request, and /metrics.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const requestLine = (requestId: string) => {
  const lines = server.logs.filter((line) => line.msg === "request" && line.requestId === requestId);
  expect(lines).toHaveLength(1);
  return lines[0]!;
};
const withRequestId = (requestId: string) => ({ headers: { "x-request-id": requestId } });

describe("request log", () => {
  test("one JSON line per request: id, operation, status, error codes, duration, key prefix, ISO time", async () => {
    const response = await server.graphql(
      `query ReadUser($id: ID!) { user(id: $id) { id } }`,
      { id: "variable-value-never-logged" },
      withRequestId("log-read"),
    );
    expect(response.status).toBe(200);
    const line = requestLine("log-read");
    expect(line).toMatchObject({
      level: 30,
      requestId: "log-read",
      method: "POST",
      path: "/graphql",
      operationName: "ReadUser",
      operationType: "query",
      status: 200,
      errorCodes: [],
      keyPrefix: server.secretKey.slice(0, 11),
      projectId: server.projectId,
    });
    expect(line.time).toMatch(ISO_TIME);
    expect(line.durationMs).toBeGreaterThan(0);
  });

  test("refused requests are logged with their status and codes", async () => {
    await server.graphql(`mutation Nothing { upsertUser }`, {}, withRequestId("log-invalid"));
    expect(requestLine("log-invalid")).toMatchObject({ status: 400, errorCodes: ["BAD_USER_INPUT"], operationType: "mutation" });

    await server.graphql(`query Anonymous { users { totalCount } }`, {}, { key: null, ...withRequestId("log-anonymous") });
    const anonymous = requestLine("log-anonymous");
    expect(anonymous).toMatchObject({ status: 401, errorCodes: ["UNAUTHENTICATED"] });
    // Refused before its body is read: what it would have run is never known, nor logged.
    expect(anonymous).not.toHaveProperty("operationName");
    expect(anonymous).not.toHaveProperty("keyPrefix");

    const unknownKey = `sk_${"u".repeat(43)}`;
    await server.graphql(`{ users { totalCount } }`, {}, { key: unknownKey, ...withRequestId("log-unknown-key") });
    expect(requestLine("log-unknown-key")).toMatchObject({ status: 401, keyPrefix: "sk_uuuuuuuu" });
  });

  test("a member is named by id; no secret, token, password or variable value is ever logged", async () => {
    const publishableKey = await server.createPublishableKey();
    const app = { key: null, headers: { "x-api-key": publishableKey } };
    const password = "password-never-logged";
    const registered = await server.graphql(
      `mutation Register($input: RegisterUserInput!) { registerUser(input: $input) { ... on RegisterUserSuccess { user { id } } } }`,
      { input: { email: "logged.member@example.com", password, name: "Logged Member" } },
      app,
    );
    const memberId = registered.data.registerUser.user.id;
    const signedIn = await server.graphql(
      `mutation SignIn($email: String!, $password: String!) { signIn(email: $email, password: $password) { ... on SignInSuccess { accessToken } } }`,
      { email: "logged.member@example.com", password },
      app,
    );
    const { accessToken } = signedIn.data.signIn;
    await server.graphql(`query Me { me { id } }`, {}, { key: accessToken, ...withRequestId("log-member") });
    expect(requestLine("log-member")).toMatchObject({ status: 200, memberId, operationName: "Me" });

    const everything = JSON.stringify(server.logs);
    for (const secret of [
      server.secretKey,
      publishableKey,
      accessToken,
      password,
      "variable-value-never-logged",
      "logged.member@example.com",
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  test("what graphql-jit cannot compile is not dumped to stderr", async () => {
    const consoleError = vi.spyOn(console, "error");
    try {
      await server.graphql(`subscription { users }`, {}, withRequestId("log-uncompilable"));
      expect(consoleError).not.toHaveBeenCalled();
      expect(requestLine("log-uncompilable")).toMatchObject({ operationType: "subscription" });
    } finally {
      consoleError.mockRestore();
    }
  });

  test("health probes and scrapes are not logged at info", async () => {
    await server.yoga.fetch("http://localhost/health", { headers: { "x-request-id": "log-health" } });
    expect(server.logs.filter((line) => line.requestId === "log-health")).toEqual([]);
  });
});

async function scrape(yoga: TestServer["yoga"], headers: Record<string, string> = {}) {
  const response = await yoga.fetch("http://localhost/metrics", { headers });
  return { status: response.status, contentType: response.headers.get("content-type"), text: await response.text() };
}
const sample = (text: string, series: string) =>
  Number(
    text
      .split("\n")
      .find((line) => line.startsWith(`${series} `))
      ?.slice(series.length + 1) ?? Number.NaN,
  );

describe("/metrics", () => {
  test("requests by operation and status, their duration, and errors by code, in Prometheus' format", async () => {
    const { yoga, graphql } = await server.startInstance();
    await graphql(`query CountUsers { users { totalCount } }`);
    await graphql(`query CountUsers { users { totalCount } }`);
    await graphql(`query CountUsers { users { totalCount } }`, {}, { key: null });
    const { status, contentType, text } = await scrape(yoga);
    expect(status).toBe(200);
    expect(contentType).toContain("text/plain");
    const series = 'operation="CountUsers",type="query"';
    expect(sample(text, `directory_graphql_request_duration_seconds_count{${series},status="200"}`)).toBe(2);
    // Refused before its body is read, a request without credentials has no operation to count it under.
    expect(sample(text, `directory_graphql_request_duration_seconds_count{operation="",type="",status="401"}`)).toBe(1);
    expect(sample(text, `directory_graphql_request_duration_seconds_sum{${series},status="200"}`)).toBeGreaterThan(0);
    expect(sample(text, `directory_graphql_errors_total{code="UNAUTHENTICATED"}`)).toBe(1);
    expect(text).toContain("process_resident_memory_bytes");
  });

  test("each server counts its own requests", async () => {
    const first = await server.startInstance();
    const second = await server.startInstance();
    await first.graphql(`query OnlyFirst { users { totalCount } }`);
    expect((await scrape(first.yoga)).text).toContain('operation="OnlyFirst"');
    expect((await scrape(second.yoga)).text).not.toContain('operation="OnlyFirst"');
  });

  test("rate-limit refusals are counted", async () => {
    const { yoga, graphql } = await server.startInstance({ RATE_LIMIT_PER_MINUTE: "1" });
    expect((await graphql(`{ users { totalCount } }`)).status).toBe(200);
    expect((await graphql(`{ users { totalCount } }`)).status).toBe(429);
    const { text } = await scrape(yoga);
    expect(sample(text, "directory_rate_limit_refusals_total")).toBe(1);
    expect(sample(text, `directory_graphql_errors_total{code="RATE_LIMITED"}`)).toBe(1);
  });

  test("operation names past the first 200 count as one series", async () => {
    const { yoga, graphql } = await server.startInstance();
    for (let i = 0; i < 205; i++) await graphql(`query Named${i} { __typename }`);
    const { text } = await scrape(yoga);
    expect(text).toContain('operation="Named199"');
    expect(text).not.toContain('operation="Named200"');
    expect(sample(text, 'directory_graphql_request_duration_seconds_count{operation="(other)",type="query",status="200"}')).toBe(5);
  });

  test("with METRICS_TOKEN, only its bearer may scrape", async () => {
    const token = "metrics-token-0123456789";
    const { yoga } = await server.startInstance({ METRICS_TOKEN: token });
    expect((await scrape(yoga)).status).toBe(401);
    expect((await scrape(yoga, { authorization: `Bearer ${token}x` })).status).toBe(401);
    expect((await scrape(yoga, { authorization: `Bearer ${server.secretKey}` })).status).toBe(401);
    const allowed = await scrape(yoga, { authorization: `Bearer ${token}` });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain("directory_graphql_request_duration_seconds");
  });

  test("PostgreSQL's connection pool use", async (context) => {
    if (inject("testDatabase").kind !== "postgres") return context.skip("PGlite has no connection pool");
    const { yoga, graphql } = await server.startInstance();
    await graphql(`{ users { totalCount } }`);
    const { text } = await scrape(yoga);
    expect(sample(text, "directory_db_pool_connections")).toBeGreaterThanOrEqual(1);
    expect(sample(text, "directory_db_pool_idle_connections")).toBeGreaterThanOrEqual(0);
    expect(sample(text, "directory_db_pool_waiting_clients")).toBe(0);
  });
});
