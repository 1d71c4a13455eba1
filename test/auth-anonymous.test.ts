import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PasswordHasher } from "../src/auth/passwords.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// Requests from several client addresses over real HTTP: Linux routes all of
// 127.0.0.0/8 to the loopback interface, so a socket can be bound to any of them.

let server: TestServer;
let publishableKey: string;
beforeAll(async () => {
  server = await startTestServer();
  publishableKey = await server.createPublishableKey();
});
afterAll(() => server.close());

type HttpAnswer = { status: number; headers: IncomingHttpHeaders; body: any };

/** A gateway configured by `env` behind a real HTTP server on a free port of 127.0.0.1. */
async function listen(env: Record<string, string>) {
  const { yoga } = await server.startInstance(env);
  const http = createHttpServer(yoga);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;

  /** Posts `query` from the client address `from`, with the publishable key unless `headers` say otherwise. */
  function post(from: string, query: string, headers: Record<string, string> = { "x-api-key": publishableKey }) {
    return new Promise<HttpAnswer>((resolve, reject) => {
      const body = JSON.stringify({ query });
      const sent = httpRequest(
        { host: "127.0.0.1", port, localAddress: from, method: "POST", path: "/graphql", agent: false },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode!, headers: response.headers, body: JSON.parse(Buffer.concat(chunks).toString()) }),
          );
        },
      );
      sent.on("error", reject);
      sent.setHeader("content-type", "application/json");
      for (const [name, value] of Object.entries(headers)) sent.setHeader(name, value);
      sent.end(body);
    });
  }

  /**
   * Announces a body of `announced` bytes, sends the first 64 KiB of it and
   * waits for the answer without sending the rest: only a server that
   * answers before reading the body answers at all.
   */
  function postUnfinished(headers: Record<string, string>, announced: number) {
    return new Promise<HttpAnswer>((resolve, reject) => {
      const sent = httpRequest({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/graphql",
        agent: false,
        headers: { "content-type": "application/json", "content-length": String(announced), ...headers },
      });
      const timer = setTimeout(() => {
        sent.destroy();
        reject(new Error("no answer while the body was still being sent"));
      }, 5000);
      sent.on("response", (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          clearTimeout(timer);
          sent.destroy();
          resolve({ status: response.statusCode!, headers: response.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
        });
      });
      sent.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      sent.write(`{"query":"{ __typename }","variables":{"padding":"${"x".repeat(64 * 1024)}`);
    });
  }

  return { post, postUnfinished, close: () => new Promise<void>((resolve) => http.close(() => resolve())) };
}

const TYPENAME = "{ __typename }";
const isRateLimited = (answer: HttpAnswer) => answer.status === 429 && answer.body.errors?.[0]?.extensions.code === "RATE_LIMITED";

async function spend(
  post: (from: string, query: string, headers?: Record<string, string>) => Promise<HttpAnswer>,
  from: string,
  count: number,
  headers?: Record<string, string>,
) {
  const answers: HttpAnswer[] = [];
  for (let i = 0; i < count; i++) answers.push(await post(from, TYPENAME, headers));
  return answers;
}

describe("a publishable key alone is limited per client address, not per key", () => {
  test("an attacker's sign-ins from one address do not lock out a sign-up from another", async () => {
    // The key's own budget as small as the anonymous one: before, the two shared it.
    const gateway = await listen({ ANONYMOUS_RATE_LIMIT_PER_MINUTE: "3", RATE_LIMIT_PER_MINUTE: "3" });
    try {
      const attempts: HttpAnswer[] = [];
      for (let i = 0; i < 4; i++) {
        attempts.push(
          await gateway.post(
            "127.0.0.2",
            `mutation { signIn(email: "victim${i}@example.com", password: "guessed password") { __typename } }`,
          ),
        );
      }
      expect(attempts.slice(0, 3).map((answer) => answer.body.errors?.[0]?.extensions.code)).toEqual([
        "UNAUTHENTICATED",
        "UNAUTHENTICATED",
        "UNAUTHENTICATED",
      ]);
      expect(isRateLimited(attempts[3]!)).toBe(true);
      expect(attempts[3]!.headers["retry-after"]).toMatch(/^\d+$/);

      const signUp = await gateway.post(
        "127.0.0.3",
        'mutation { registerUser(input: { email: "real-user@example.com", password: "a long enough password" }) { __typename } }',
      );
      expect(signUp.status).toBe(200);
      expect(signUp.body.data.registerUser.__typename).toBe("RegisterUserSuccess");
    } finally {
      await gateway.close();
    }
  });

  test("credentials that fail spend the address's budget; other addresses keep theirs", async () => {
    const gateway = await listen({ ANONYMOUS_RATE_LIMIT_PER_MINUTE: "2" });
    try {
      const guesses = await spend(gateway.post, "127.0.0.4", 3, { authorization: "Bearer sk_guessed0000000000000000" });
      expect(guesses.map((answer) => answer.status)).toEqual([401, 401, 429]);
      expect((await gateway.post("127.0.0.5", TYPENAME, { authorization: "Bearer sk_guessed0000000000000000" })).status).toBe(401);
      expect((await gateway.post("127.0.0.5", TYPENAME, {})).status).toBe(401);
    } finally {
      await gateway.close();
    }
  });
});

describe("X-Forwarded-For names the client only when a trusted proxy sent it", () => {
  const from = (forwardedFor: string) => ({ "x-api-key": publishableKey, "x-forwarded-for": forwardedFor });

  test("by default it is ignored: the socket's address is the client", async () => {
    const gateway = await listen({ ANONYMOUS_RATE_LIMIT_PER_MINUTE: "2" });
    try {
      await spend(gateway.post, "127.0.0.6", 2, from("203.0.113.1"));
      expect(isRateLimited(await gateway.post("127.0.0.6", TYPENAME, from("203.0.113.2")))).toBe(true);
    } finally {
      await gateway.close();
    }
  });

  test("a proxy that is not in TRUSTED_PROXIES is not believed", async () => {
    const gateway = await listen({ ANONYMOUS_RATE_LIMIT_PER_MINUTE: "2", TRUSTED_PROXIES: "127.0.0.9, 10.0.0.0/8" });
    try {
      await spend(gateway.post, "127.0.0.7", 2, from("203.0.113.1"));
      expect(isRateLimited(await gateway.post("127.0.0.7", TYPENAME, from("203.0.113.2")))).toBe(true);
    } finally {
      await gateway.close();
    }
  });

  test("from a trusted proxy, each forwarded client has its own budget", async () => {
    const gateway = await listen({ ANONYMOUS_RATE_LIMIT_PER_MINUTE: "2", TRUSTED_PROXIES: "loopback" });
    try {
      for (const answer of await spend(gateway.post, "127.0.0.8", 2, from("203.0.113.1"))) expect(answer.status).toBe(200);
      expect(isRateLimited(await gateway.post("127.0.0.8", TYPENAME, from("203.0.113.1")))).toBe(true);
      expect((await gateway.post("127.0.0.8", TYPENAME, from("203.0.113.2"))).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  test("with a hop count, addresses a client wrote in front of the proxy's are not believed", async () => {
    const gateway = await listen({ ANONYMOUS_RATE_LIMIT_PER_MINUTE: "2", TRUSTED_PROXIES: "1" });
    try {
      await gateway.post("127.0.0.10", TYPENAME, from("198.51.100.1, 203.0.113.1"));
      await gateway.post("127.0.0.10", TYPENAME, from("198.51.100.2, 203.0.113.1"));
      expect(isRateLimited(await gateway.post("127.0.0.10", TYPENAME, from("198.51.100.3, 203.0.113.1")))).toBe(true);
      expect((await gateway.post("127.0.0.10", TYPENAME, from("203.0.113.2"))).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  test("a TRUSTED_PROXIES that is neither a hop count nor addresses stops the start", async () => {
    await expect(server.startInstance({ TRUSTED_PROXIES: "the load balancer" })).rejects.toThrow(/TRUSTED_PROXIES/);
  });
});

describe("a request without valid credentials is answered 401 before its body is read", () => {
  test.each([
    ["no credentials", {}],
    ["a key that does not exist", { authorization: "Bearer sk_unknown000000000000000000" }],
  ])("%s, with a 23 MB body still being sent", async (_case, headers: Record<string, string>) => {
    const gateway = await listen({});
    try {
      const answer = await gateway.postUnfinished(headers, 23_000_000);
      expect(answer.status).toBe(401);
      expect(answer.body.errors[0].extensions).toMatchObject({ code: "UNAUTHENTICATED" });
    } finally {
      await gateway.close();
    }
  });
});

describe("password hashing is bounded per process", () => {
  test("at most PASSWORD_HASH_CONCURRENCY hashes run at once", async () => {
    const hasher = new PasswordHasher({ concurrency: 2, queue: 10 });
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, hasher.running)), 1);
    try {
      const hashes = await Promise.all(Array.from({ length: 6 }, (_, i) => hasher.hash(`password number ${i}`)));
      expect(new Set(hashes).size).toBe(6);
    } finally {
      clearInterval(sampler);
    }
    expect(most).toBe(2);
  });

  test("past PASSWORD_HASH_QUEUE waiting, sign-ups are refused with RATE_LIMITED and write nothing", async () => {
    const { graphql } = await server.startInstance({
      PASSWORD_HASH_CONCURRENCY: "1",
      PASSWORD_HASH_QUEUE: "1",
      ANONYMOUS_RATE_LIMIT_PER_MINUTE: "1000",
    });
    const emails = Array.from({ length: 6 }, (_, i) => `rush-${i}@example.com`);
    const answers = await Promise.all(
      emails.map((email) =>
        graphql(
          "mutation ($input: RegisterUserInput!) { registerUser(input: $input) { __typename } }",
          { input: { email, password: "a long enough password" } },
          { key: null, headers: { "x-api-key": publishableKey } },
        ),
      ),
    );
    const refused = answers.filter((answer) => answer.status === 429);
    const registered = answers.filter((answer) => answer.data?.registerUser?.__typename === "RegisterUserSuccess");
    expect(refused.length).toBeGreaterThan(0);
    expect(registered.length).toBeGreaterThanOrEqual(2);
    expect(refused.length + registered.length).toBe(emails.length);
    for (const answer of refused) {
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", details: { retryAfter: 1 } });
      expect(answer.headers.get("retry-after")).toBe("1");
    }
    expect(await server.prisma.user.count({ where: { projectId: server.projectId, email: { in: emails } } })).toBe(registered.length);
  });
});
