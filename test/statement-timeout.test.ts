import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { loadConfig } from "../src/config.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// PostgreSQL cancels any statement of the gateway's sessions that runs past
// DATABASE_STATEMENT_TIMEOUT_MS. PGlite runs in this process and has no timer
// to cancel with: there, the search length bound keeps statements short.

const onPostgres = inject("testDatabase").kind === "postgres";

/** A server whose searches take seconds: every user's own search terms are computed slowly. */
async function slowSearchServer(statementTimeoutMs: number) {
  const server = await startTestServer({ statementTimeoutMs });
  await server.prisma.user.create({ data: { projectId: server.projectId, id: "slow-match", name: "Slow Match" } });
  await server.prisma.$transaction([
    server.prisma.$executeRawUnsafe("ALTER FUNCTION user_search_terms_of(text, text, text, text) RENAME TO user_search_terms_of_fast"),
    server.prisma.$executeRawUnsafe(`
      CREATE FUNCTION user_search_terms_of(id TEXT, email TEXT, name TEXT, nickname TEXT)
      RETURNS TABLE (term TEXT, whole BOOLEAN, address BOOLEAN) LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(5); RETURN QUERY SELECT * FROM user_search_terms_of_fast(id, email, name, nickname); END $$`),
  ]);
  return server;
}
const SLOW_SEARCH = '{ users(first: 5, filter: { query: "slow" }) { nodes { id } } }';

let server: TestServer;
beforeAll(async () => {
  server = await slowSearchServer(300);
});
afterAll(() => server.close());

test("DATABASE_STATEMENT_TIMEOUT_MS: 5000 by default, 0 for none", () => {
  expect(loadConfig({}).statementTimeoutMs).toBe(5000);
  expect(loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: "0" }).statementTimeoutMs).toBe(0);
  expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: "-1" })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS/);
});

test.skipIf(!onPostgres)(
  `a statement past the timeout is cancelled and answered 503 TIMEOUT, not a masked internal error${onPostgres ? "" : " — skipped: PGlite has no statement timeout"}`,
  async () => {
    const started = performance.now();
    const response = await server.graphql(SLOW_SEARCH);
    expect(performance.now() - started).toBeLessThan(2500);
    expect(response.status).toBe(503);
    expect(response.data).toEqual({ users: null });
    expect(response.errors).toEqual([
      expect.objectContaining({ path: ["users"], extensions: expect.objectContaining({ code: "TIMEOUT", status: 503 }) }),
    ]);
    expect(JSON.stringify(response.errors)).not.toMatch(/57014|statement|SELECT/);
    expect(
      server.logs.some((log) => log.msg?.startsWith("statement cancelled") && log.requestId === response.headers.get("x-request-id")),
    ).toBe(true);
    // The gateway still answers, on the same pool.
    expect((await server.graphql('{ user(id: "slow-match") { name } }')).data).toEqual({ user: { name: "Slow Match" } });
  },
);

test.skipIf(!onPostgres)(
  `statements run through the driver directly (a user by id, trackActivity) answer TIMEOUT too${onPostgres ? "" : " — skipped: PGlite has no statement timeout"}`,
  async () => {
    // Another session holds the users table: the statements wait on its lock until the timeout cancels them.
    await server.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
      const read = await server.graphql('{ user(id: "slow-match") { name } }');
      const tracked = await server.graphql('mutation { trackActivity(userId: "slow-match", input: { platform: WEB }) { __typename } }');
      for (const response of [read, tracked]) {
        expect(response.status).toBe(503);
        expect(response.errors).toEqual([
          expect.objectContaining({ extensions: expect.objectContaining({ code: "TIMEOUT", status: 503 }) }),
        ]);
        expect(JSON.stringify(response.errors)).not.toMatch(/57014|statement|SELECT|track_activity/);
      }
    });
    expect((await server.graphql('{ user(id: "slow-match") { name } }')).data).toEqual({ user: { name: "Slow Match" } });
  },
);

test.skipIf(!onPostgres)(
  `a client that goes away cancels its statement in the database${onPostgres ? "" : " — skipped: PGlite runs in this process"}`,
  async () => {
    const unbounded = await slowSearchServer(0);
    try {
      const running = async () => {
        const [row] = await unbounded.prisma.$queryRaw<{ count: number }[]>`
          SELECT count(*)::int AS count FROM pg_stat_activity
          WHERE datname = current_database() AND state = 'active' AND query LIKE '%user_search_terms_of%' AND pid <> pg_backend_pid()`;
        return row!.count;
      };
      const waitUntil = async (done: () => Promise<boolean>, ms: number) => {
        const until = performance.now() + ms;
        while (!(await done())) {
          if (performance.now() > until) return false;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return true;
      };
      const client = new AbortController();
      const request = unbounded.yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${unbounded.secretKey}` },
        body: JSON.stringify({ query: SLOW_SEARCH }),
        signal: client.signal,
      });
      expect(await waitUntil(async () => (await running()) > 0, 3000)).toBe(true);
      client.abort();
      await Promise.resolve(request).catch(() => undefined);
      // Well before the 5 s the statement would otherwise run.
      expect(await waitUntil(async () => (await running()) === 0, 2000)).toBe(true);
      expect((await unbounded.graphql('{ user(id: "slow-match") { id } }')).data).toEqual({ user: { id: "slow-match" } });
    } finally {
      await unbounded.close();
    }
  },
);

test.skipIf(!onPostgres)(
  `connections the server ends while idle (a restart, an administrator) are replaced, and the process carries on${onPostgres ? "" : " — skipped: PGlite has no connections"}`,
  async () => {
    const fresh = await startTestServer();
    try {
      // Several connections in the pool, idle once these are done.
      await Promise.all(Array.from({ length: 4 }, () => fresh.prisma.$executeRawUnsafe("SELECT pg_sleep(0.1)")));
      // From another session: end every other connection to this database, as a restart would.
      await fresh.prisma.$transaction([
        fresh.prisma.$queryRawUnsafe(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        ),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const after = await fresh.graphql("{ users(first: 1) { nodes { id } } }");
      expect(after.status).toBe(200);
    } finally {
      await fresh.close();
    }
  },
);
