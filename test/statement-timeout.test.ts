import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { loadConfig } from "../src/config.ts";
import { type TestServer, startTestServer } from "./support/test-server.ts";

// PostgreSQL cancels any statement of the gateway's sessions that runs past
// DATABASE_STATEMENT_TIMEOUT_MS. PGlite runs in this process and has no timer
// to cancel with: there, the search length bound keeps statements short.

const onPostgres = inject("testDatabase").kind === "postgres";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ statementTimeoutMs: 300 });
  await server.prisma.user.create({ data: { projectId: server.projectId, id: "slow-match", name: "Slow Match" } });
  // A search that takes seconds: every user's own search terms are computed slowly from now on.
  await server.prisma.$transaction([
    server.prisma.$executeRawUnsafe("ALTER FUNCTION user_search_terms_of(text, text, text, text) RENAME TO user_search_terms_of_fast"),
    server.prisma.$executeRawUnsafe(`
      CREATE FUNCTION user_search_terms_of(id TEXT, email TEXT, name TEXT, nickname TEXT)
      RETURNS TABLE (term TEXT, whole BOOLEAN, address BOOLEAN) LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(5); RETURN QUERY SELECT * FROM user_search_terms_of_fast(id, email, name, nickname); END $$`),
  ]);
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
    const response = await server.graphql('{ users(first: 5, filter: { query: "slow" }) { nodes { id } } }');
    expect(performance.now() - started).toBeLessThan(2500);
    expect(response.status).toBe(503);
    expect(response.data).toEqual({ users: null });
    expect(response.errors).toEqual([
      expect.objectContaining({ path: ["users"], extensions: expect.objectContaining({ code: "TIMEOUT", status: 503 }) }),
    ]);
    expect(JSON.stringify(response.errors)).not.toMatch(/57014|statement|SELECT/);
    expect(server.logs.some((log) => log.msg?.startsWith("statement cancelled") && log.requestId === response.headers.get("x-request-id"))).toBe(true);
    // The gateway still answers, on the same pool.
    expect((await server.graphql('{ user(id: "slow-match") { name } }')).data).toEqual({ user: { name: "Slow Match" } });
  },
);
