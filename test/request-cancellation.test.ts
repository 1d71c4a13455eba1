import type pg from "pg";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import type { Database } from "../src/db/client.ts";
import { isStatementCancelled } from "../src/db/driver-errors.ts";
import { runForRequest } from "../src/db/request-cancellation.ts";
import { openTestDatabase } from "./support/test-database.ts";

// What an abandoned request's statements do on PostgreSQL's pool (PGlite runs in
// this process: nothing to cancel). The HTTP side, a client that goes away while
// its statement runs, is in statement-timeout.test.ts.

const onPostgres = inject("testDatabase").kind === "postgres";
const skipped = onPostgres ? "" : " — skipped: PGlite has no connections to cancel";

let db: Database;
/** The pool the gateway's statements go through (`requestCancellingPool`). */
const pool = () => db.pool as unknown as pg.Pool;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

test.skipIf(!onPostgres)(`a statement an abandoned request would start is not sent: it fails as cancelled (57014)${skipped}`, async () => {
  const abandoned = AbortSignal.abort();
  await expect(runForRequest(abandoned, () => pool().query("SELECT 1"))).rejects.toMatchObject({ code: "57014" });
  // Through Prisma as well, and reported as a cancellation (TIMEOUT to the client, not an internal error).
  // (Awaited inside: a Prisma query starts when awaited, as in a resolver.)
  const viaPrisma = await runForRequest(abandoned, async () => await db.prisma.$queryRaw`SELECT 1`).catch((error: unknown) => error);
  expect(isStatementCancelled(viaPrisma)).toBe(true);
  // Nothing of it reached the database, and the pool serves the next request.
  expect((await pool().query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
});

test.skipIf(!onPostgres)(`an abandoned request's transaction still ends: BEGIN, COMMIT and ROLLBACK are sent${skipped}`, async () => {
  const client = await pool().connect();
  const controller = new AbortController();
  try {
    await runForRequest(controller.signal, async () => {
      await client.query("BEGIN");
      await client.query("CREATE TEMP TABLE abandoned_work (n int)");
      controller.abort();
      await expect(client.query("INSERT INTO abandoned_work VALUES (1)")).rejects.toMatchObject({ code: "57014" });
      await client.query("ROLLBACK");
    });
    // Back outside any transaction, with nothing of it left.
    expect((await client.query("SELECT to_regclass('pg_temp.abandoned_work') AS found")).rows).toEqual([{ found: null }]);
  } finally {
    client.release();
  }
});

test.skipIf(!onPostgres)(`a statement running when its request is abandoned is cancelled in the database${skipped}`, async () => {
  const controller = new AbortController();
  const started = performance.now();
  const running = runForRequest(controller.signal, () => pool().query("SELECT pg_sleep(5)"));
  setTimeout(() => controller.abort(), 200);
  await expect(running).rejects.toMatchObject({ code: "57014" });
  expect(performance.now() - started).toBeLessThan(3000);
});
