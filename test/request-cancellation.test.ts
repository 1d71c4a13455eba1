import type pg from "pg";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import type { Database } from "../src/db/client.ts";
import { readRows } from "../src/db/direct-reads.ts";
import { isStatementCancelled } from "../src/db/driver-errors.ts";
import { Prisma } from "../src/db/generated/prisma/client.ts";
import { openTestDatabase } from "./support/test-database.ts";

// What a read handed an abandoned request's signal does on PostgreSQL's pool
// (PGlite runs in this process: nothing to cancel). The HTTP side, a client
// that goes away while its search runs, is in statement-timeout.test.ts.

const onPostgres = inject("testDatabase").kind === "postgres";
const skipped = onPostgres ? "" : " — skipped: PGlite has no connections to cancel";

let db: Database;
const pool = () => db.pool as unknown as pg.Pool;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

test.skipIf(!onPostgres)(`a statement an abandoned request would start is not sent: it fails as cancelled (57014)${skipped}`, async () => {
  const failed = await readRows(db.prisma, Prisma.sql`SELECT 1`, AbortSignal.abort()).catch((error: unknown) => error);
  expect(failed).toMatchObject({ code: "57014" });
  // Reported as a cancellation (TIMEOUT to the client, not an internal error).
  expect(isStatementCancelled(failed)).toBe(true);
  // The pool serves the next request.
  expect(await readRows(db.prisma, Prisma.sql`SELECT 1 AS one`, new AbortController().signal)).toEqual([{ one: 1 }]);
});

test.skipIf(!onPostgres)(`a statement running when its request is abandoned is cancelled in the database${skipped}`, async () => {
  const controller = new AbortController();
  const started = performance.now();
  const running = readRows(db.prisma, Prisma.sql`SELECT pg_sleep(5)`, controller.signal);
  setTimeout(() => controller.abort(), 200);
  await expect(running).rejects.toMatchObject({ code: "57014" });
  expect(performance.now() - started).toBeLessThan(3000);
  // Its connection was closed rather than handed on: a late cancel cannot reach the next statement.
  const { rows } = await pool().query("SELECT count(*)::int AS sleeping FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(5)%'");
  expect(rows).toEqual([{ sleeping: 0 }]);
  expect(await readRows(db.prisma, Prisma.sql`SELECT 2 AS two`, new AbortController().signal)).toEqual([{ two: 2 }]);
});

test.skipIf(!onPostgres)(`a request abandoned while it waits for a connection sends nothing${skipped}`, async () => {
  // Every connection busy: the read waits in the pool's queue.
  const size = pool().options.max;
  const busy = Array.from({ length: size }, () => pool().query("SELECT pg_sleep(0.5)"));
  const controller = new AbortController();
  const waiting = readRows(db.prisma, Prisma.sql`SELECT 'never sent' AS sent`, controller.signal);
  controller.abort();
  await expect(waiting).rejects.toMatchObject({ code: "57014" });
  await Promise.all(busy);
  const { rows } = await pool().query(
    "SELECT count(*)::int AS seen FROM pg_stat_activity WHERE query LIKE '%never sent%' AND pid <> pg_backend_pid()",
  );
  expect(rows).toEqual([{ seen: 0 }]);
});

test.skipIf(!onPostgres)(
  `many requests abandoned at once: each statement is cancelled, the pool recovers, nothing is left running${skipped}`,
  async () => {
    const controllers = Array.from({ length: 25 }, () => new AbortController());
    // More reads than connections: some run, the others wait in the pool's queue.
    const reads = controllers.map((controller, i) =>
      readRows(db.prisma, Prisma.sql`SELECT pg_sleep(5), ${i}::int AS n`, controller.signal).catch((error: unknown) => error),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const controller of controllers) controller.abort();
    const outcomes = await Promise.all(reads);
    expect(outcomes.every((outcome) => (outcome as { code?: string }).code === "57014")).toBe(true);
    const { rows } = await pool().query("SELECT count(*)::int AS sleeping FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(5)%'");
    expect(rows).toEqual([{ sleeping: 0 }]);
    // The pool serves as many reads at once as before.
    const again = await Promise.all(
      Array.from({ length: 25 }, (_, i) => readRows<{ n: number }>(db.prisma, Prisma.sql`SELECT ${i}::int AS n`)),
    );
    expect(again.map(([row]) => row!.n)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  },
);
