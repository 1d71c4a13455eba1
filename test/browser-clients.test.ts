import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
let files: string;
beforeAll(async () => {
  server = await startTestServer();
  await server.prisma.user.create({ data: { projectId: server.projectId, id: "ada", name: "Ada" } });
  files = await mkdtemp(join(tmpdir(), "browser-clients-"));
});
afterAll(async () => {
  await server.close();
  await rm(files, { recursive: true, force: true });
});

type Yoga = TestServer["yoga"];
const APP = "https://app.example.com";
const ADMIN = "https://admin.example.com";
const ELSEWHERE = "https://evil.example.net";

function preflight(yoga: Yoga, origin: string) {
  return yoga.fetch("http://localhost/graphql", {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
  });
}

function postFrom(yoga: Yoga, origin: string) {
  return yoga.fetch("http://localhost/graphql", {
    method: "POST",
    headers: { origin, "content-type": "application/json", authorization: `Bearer ${server.secretKey}` },
    body: JSON.stringify({ query: '{ user(id: "ada") { id } }' }),
  });
}

const exposed = (response: Response) =>
  (response.headers.get("access-control-expose-headers") ?? "").split(",").map((name) => name.trim().toLowerCase());

describe("CORS", () => {
  test("without CORS_ORIGINS every origin is answered (development), with max-age and the exposed headers", async () => {
    const { yoga } = await server.startInstance();
    const allowed = await preflight(yoga, ELSEWHERE);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(ELSEWHERE);
    expect(allowed.headers.get("access-control-allow-headers")).toBe("authorization, content-type");
    expect(allowed.headers.get("access-control-max-age")).toBe("600");
    const response = await postFrom(yoga, ELSEWHERE);
    expect(response.headers.get("access-control-allow-origin")).toBe(ELSEWHERE);
    expect(exposed(response)).toEqual(expect.arrayContaining(["x-request-id", "retry-after"]));
  });

  test("with CORS_ORIGINS only the listed origins get CORS headers, preflight or not", async () => {
    const { yoga } = await server.startInstance({ CORS_ORIGINS: `${APP}, ${ADMIN}`, CORS_MAX_AGE_SECONDS: "120" });
    for (const origin of [APP, ADMIN]) {
      const allowed = await preflight(yoga, origin);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get("access-control-allow-origin")).toBe(origin);
      expect(allowed.headers.get("access-control-allow-methods")).toBe("POST");
      expect(allowed.headers.get("access-control-max-age")).toBe("120");
      expect(allowed.headers.get("vary")).toMatch(/\bOrigin\b/);
      const response = await postFrom(yoga, origin);
      expect(response.headers.get("access-control-allow-origin")).toBe(origin);
      expect(exposed(response)).toEqual(expect.arrayContaining(["x-request-id", "retry-after"]));
    }
    for (const origin of [ELSEWHERE, "null", `${APP}:8443`, "http://app.example.com"]) {
      const refused = await preflight(yoga, origin);
      expect(refused.headers.get("access-control-allow-origin")).toBeNull();
      expect(refused.headers.get("access-control-allow-methods")).toBeNull();
      expect(refused.headers.get("vary")).toMatch(/\bOrigin\b/);
      const response = await postFrom(yoga, origin);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      expect(response.headers.get("access-control-expose-headers")).toBeNull();
    }
  });

  test("a browser can read Retry-After and x-request-id on a rate-limited answer", async () => {
    const { yoga } = await server.startInstance({ CORS_ORIGINS: APP, RATE_LIMIT_PER_MINUTE: "1" });
    expect((await postFrom(yoga, APP)).status).toBe(200);
    const limited = await postFrom(yoga, APP);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("access-control-allow-origin")).toBe(APP);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited.headers.get("x-request-id")).toBeTruthy();
    expect(exposed(limited)).toEqual(expect.arrayContaining(["x-request-id", "retry-after"]));
  });

  test("CORS_ORIGINS must list origins, not URLs", () => {
    for (const CORS_ORIGINS of ["https://app.example.com/", "https://app.example.com/path", "app.example.com", " , "]) {
      expect(() => loadConfig({ CORS_ORIGINS })).toThrow(/CORS_ORIGINS/);
    }
    expect(loadConfig({ CORS_ORIGINS: `${APP},${ADMIN}` }).cors.origins).toEqual([APP, ADMIN]);
    expect(loadConfig({}).cors).toEqual({ origins: undefined, maxAgeSeconds: 600 });
  });
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const persistedQuery = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

async function post(yoga: Yoga, body: Record<string, unknown>, key: string | null = server.secretKey) {
  const response = await yoga.fetch("http://localhost/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...(key && { authorization: `Bearer ${key}` }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, ...((await response.json()) as { data?: any; errors?: any[] }) };
}

describe("automatic persisted queries", () => {
  test("a hash alone is PERSISTED_QUERY_NOT_FOUND until the query is sent with it; then the hash alone runs it", async () => {
    const { yoga } = await server.startInstance();
    const query = '{ user(id: "ada") { id name } }';
    const hash = sha256(query);

    const unknown = await post(yoga, { extensions: persistedQuery(hash) });
    expect(unknown.status).toBe(404);
    // The message and code Apollo Client's and urql's persisted-query links look for before sending the query.
    expect(unknown.errors).toEqual([
      expect.objectContaining({
        message: "PersistedQueryNotFound",
        extensions: expect.objectContaining({ code: "PERSISTED_QUERY_NOT_FOUND" }),
      }),
    ]);

    const registered = await post(yoga, { query, extensions: persistedQuery(hash) });
    expect(registered).toEqual({ status: 200, data: { user: { id: "ada", name: "Ada" } } });

    const byHash = await post(yoga, { extensions: persistedQuery(hash) });
    expect(byHash).toEqual({ status: 200, data: { user: { id: "ada", name: "Ada" } } });

    // Apollo Client sends hashed queries over GET when asked to (useGETForHashedQueries), so CDNs can cache them.
    const extensions = encodeURIComponent(JSON.stringify(persistedQuery(hash)));
    const overGet = await yoga.fetch(`http://localhost/graphql?extensions=${extensions}`, {
      headers: { accept: "application/json", authorization: `Bearer ${server.secretKey}` },
    });
    expect(await overGet.json()).toEqual({ data: { user: { id: "ada", name: "Ada" } } });
  });

  test("a hash that is not the query's is refused and registers nothing", async () => {
    const { yoga } = await server.startInstance();
    const wrong = sha256("something else");
    const mismatch = await post(yoga, { query: '{ user(id: "ada") { id } }', extensions: persistedQuery(wrong) });
    expect(mismatch.status).toBe(400);
    expect(mismatch.errors![0]).toMatchObject({ message: "PersistedQueryMismatch", extensions: { code: "BAD_USER_INPUT", status: 400 } });
    const stillUnknown = await post(yoga, { extensions: persistedQuery(wrong) });
    expect(stillUnknown.errors![0].extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
  });

  test("a persisted query is still authenticated and limited like any other", async () => {
    const { yoga } = await server.startInstance({ GRAPHQL_MAX_DEPTH: "2" });
    const deep = '{ user(id: "ada") { organization { parent { id } } } }';
    for (const body of [{ query: deep, extensions: persistedQuery(sha256(deep)) }, { extensions: persistedQuery(sha256(deep)) }]) {
      expect((await post(yoga, body)).errors![0].extensions.code).toBe("QUERY_TOO_COMPLEX");
    }
    const query = '{ user(id: "ada") { id } }';
    expect((await post(yoga, { query, extensions: persistedQuery(sha256(query)) })).data).toEqual({ user: { id: "ada" } });
    const anonymous = await post(yoga, { extensions: persistedQuery(sha256(query)) }, null);
    expect(anonymous.errors![0].extensions.code).toBe("UNAUTHENTICATED");
  });
});

describe("trusted documents (GRAPHQL_TRUSTED_DOCUMENTS)", () => {
  const userQuery = 'query User { user(id: "ada") { id name } }';
  const channelsQuery = "query Channels { channels { id } }";

  async function manifestFile(name: string, content: unknown) {
    const path = join(files, name);
    await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  }

  async function trustedInstance() {
    // The format @apollo/generate-persisted-query-manifest writes.
    const path = await manifestFile("apollo.json", {
      format: "apollo-persisted-query-manifest",
      version: 1,
      operations: [
        { id: sha256(userQuery), name: "User", type: "query", body: userQuery },
        { id: sha256(channelsQuery), name: "Channels", type: "query", body: channelsQuery },
      ],
    });
    return server.startInstance({ GRAPHQL_TRUSTED_DOCUMENTS: path });
  }

  test("listed documents run, by id or sent in full", async () => {
    const { yoga } = await trustedInstance();
    const expected = { status: 200, data: { user: { id: "ada", name: "Ada" } } };
    expect(await post(yoga, { extensions: persistedQuery(sha256(userQuery)) })).toEqual(expected);
    expect(await post(yoga, { query: userQuery })).toEqual(expected);
    expect(await post(yoga, { query: userQuery, extensions: persistedQuery(sha256(userQuery)) })).toEqual(expected);
    expect(await post(yoga, { extensions: persistedQuery(sha256(channelsQuery)) })).toEqual({ status: 200, data: { channels: [] } });
  });

  test("any other document is refused: QUERY_NOT_IN_SAFELIST (403), an unknown id PERSISTED_QUERY_NOT_IN_LIST (404)", async () => {
    const { yoga } = await trustedInstance();
    const other = '{ user(id: "ada") { id email } }';
    for (const body of [{ query: other }, { query: other, extensions: persistedQuery(sha256(other)) }, { query: `${userQuery} ` }]) {
      const refused = await post(yoga, body);
      expect(refused.status).toBe(403);
      expect(refused.data).toBeUndefined();
      expect(refused.errors![0]).toMatchObject({
        message: expect.stringMatching(/not one of the gateway's trusted documents/),
        extensions: { code: "QUERY_NOT_IN_SAFELIST", status: 403 },
      });
    }
    // Nothing was registered by the attempt above.
    const unknown = await post(yoga, { extensions: persistedQuery(sha256(other)) });
    expect(unknown.status).toBe(404);
    expect(unknown.errors![0].extensions).toMatchObject({ code: "PERSISTED_QUERY_NOT_IN_LIST", status: 404 });
    const nothing = await post(yoga, {});
    expect(nothing.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", status: 400 });
  });

  test("a listed document still needs a key", async () => {
    const { yoga } = await trustedInstance();
    const anonymous = await post(yoga, { extensions: persistedQuery(sha256(userQuery)) }, null);
    expect(anonymous.errors![0].extensions.code).toBe("UNAUTHENTICATED");
  });

  test("a plain JSON object of id → document works too (GraphQL Code Generator's persisted-documents.json)", async () => {
    const path = await manifestFile("plain.json", { "user-by-id": userQuery });
    const { yoga } = await server.startInstance({ GRAPHQL_TRUSTED_DOCUMENTS: path });
    expect(await post(yoga, { extensions: persistedQuery("user-by-id") })).toEqual({
      status: 200,
      data: { user: { id: "ada", name: "Ada" } },
    });
    expect((await post(yoga, { query: channelsQuery })).status).toBe(403);
  });

  test("a file that cannot be used stops the start, saying why", async () => {
    const cases: [string | undefined, RegExp][] = [
      [undefined, /cannot read .*missing\.json \(ENOENT\)/],
      ["{ not json", /is not JSON/],
      [
        JSON.stringify({ format: "apollo-persisted-query-manifest", version: 2, operations: [] }),
        /neither an Apollo persisted query manifest nor/,
      ],
      [JSON.stringify({ a: 1 }), /neither an Apollo/],
      [JSON.stringify({}), /lists no documents/],
      [JSON.stringify({ broken: "{ user(id: " }), /the document broken is not GraphQL/],
    ];
    for (const [content, message] of cases) {
      const path = content === undefined ? join(files, "missing.json") : await manifestFile("bad.json", content);
      const load = () => loadConfig({ GRAPHQL_TRUSTED_DOCUMENTS: path });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/GRAPHQL_TRUSTED_DOCUMENTS/);
      expect(load).toThrow(message);
    }
  });
});
