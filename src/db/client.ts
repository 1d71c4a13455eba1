import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { DatabaseLocation } from "../config.ts";
import { lockDataDirectory } from "./data-dir-lock.ts";
import { type RowReader, readDirectly, type StatementListener, type TransactionRunner, type TransactionStatement } from "./direct-reads.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { connectionPool, queryForRequest } from "./request-cancellation.ts";

export type Database = {
  prisma: PrismaClient;
  /** What the schema engine needs to migrate this database. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  kind: DatabaseLocation["kind"];
  /** PostgreSQL's connection pool, for its use in /metrics; PGlite has none. */
  pool?: ConnectionPool;
  /**
   * Hears every SQL statement sent, through Prisma or read directly
   * (direct-reads.ts): tests count them. Only with `queryEvents`.
   */
  onStatement(listener: StatementListener): void;
  close(): Promise<void>;
};

export type ConnectionPool = Pick<pg.Pool, "totalCount" | "idleCount" | "waitingCount">;

/** The PGlite extensions every embedded database loads (search needs pg_trgm). */
export const pgliteExtensions = { pg_trgm };

export type DatabaseOptions = {
  /** Emit Prisma's `query` event for every SQL statement (tests count them). */
  queryEvents?: boolean;
  /** PostgreSQL cancels a statement running longer than this many milliseconds (SQLSTATE 57014); 0 or unset: no limit. */
  statementTimeoutMs?: number;
  /** Connections in PostgreSQL's pool (default 10). */
  poolSize?: number;
};

/**
 * Settings for every PostgreSQL session the gateway opens. Its queries take
 * milliseconds, so JIT compilation (on by default) only ever costs: the
 * planner's size guesses for a set-returning function were seen to start a
 * 500 ms compilation for a 15 ms search.
 */
export const POSTGRES_SESSION_OPTIONS = "-c jit=off";

/**
 * Connections per process: a request holds one for a statement or a
 * transaction, and a 2-core database server is busy with far fewer than 10
 * at a time; more only queue in PostgreSQL instead of in the pool.
 */
export const DEFAULT_POOL_SIZE = 10;

export async function openDatabase(location: DatabaseLocation, options: DatabaseOptions = {}): Promise<Database> {
  if (location.kind === "postgres") {
    const sessionOptions = `${POSTGRES_SESSION_OPTIONS} -c statement_timeout=${options.statementTimeoutMs ?? 0}`;
    // Our own pool, so that /metrics can read its use; ended here, not by Prisma.
    const pool = connectionPool({ connectionString: location.url, max: options.poolSize ?? DEFAULT_POOL_SIZE, options: sessionOptions });
    const adapterFactory = new PrismaPg(pool);
    const prisma = createClient(adapterFactory, options);
    const onStatement = withDirectReads(
      prisma,
      async (text, values, name, signal) =>
        (signal ? await queryForRequest(pool, { text, values, name }, signal) : await pool.query({ text, values, name })).rows,
      (work) => poolTransaction(pool, work),
      options,
    );
    const close = async () => {
      await prisma.$disconnect();
      await pool.end();
    };
    return { prisma, adapterFactory, kind: "postgres", pool, onStatement, close };
  }
  const { pglite, close } = await openPGlite(location.dataDir);
  return wrapPGlite(pglite, options, close);
}

/**
 * Opens the PGlite in `dataDir` (or in memory for `memory://`); a data
 * directory stays locked to this process until `close` (see data-dir-lock.ts).
 */
export async function openPGlite(dataDir: string): Promise<{ pglite: PGlite; close(): Promise<void> }> {
  if (dataDir === "memory://") {
    const pglite = await PGlite.create({ dataDir, extensions: pgliteExtensions });
    return { pglite, close: () => pglite.close() };
  }
  await mkdir(dataDir, { recursive: true });
  const unlock = await lockDataDirectory(dataDir);
  try {
    const pglite = await PGlite.create({ dataDir, extensions: pgliteExtensions });
    return {
      pglite,
      close: async () => {
        await pglite.close();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}

/** Serves an already open PGlite (tests hand in copies of a migrated template); `closePGlite` ends it. */
export function wrapPGlite(pglite: PGlite, options: DatabaseOptions = {}, closePGlite = () => pglite.close()): Database {
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = createClient(adapterFactory, options);
  const onStatement = withDirectReads(
    prisma,
    async (text, values) => (await pglite.query(text, values)).rows,
    (work) =>
      pglite.transaction((tx) =>
        work(async (text, values) => {
          const { rows, affectedRows } = await tx.query(text, values);
          return { rows, count: affectedRows ?? 0 };
        }),
      ),
    options,
  );
  return {
    prisma,
    adapterFactory,
    kind: "pglite",
    onStatement,
    close: async () => {
      await prisma.$disconnect();
      await closePGlite();
    },
  };
}

/**
 * A transaction on one connection of the pool: BEGIN, `work`, COMMIT, or
 * ROLLBACK when it throws; a connection whose ROLLBACK failed is closed
 * rather than handed to the next caller.
 */
async function poolTransaction<Result>(pool: pg.Pool, work: (run: TransactionStatement) => Promise<Result>): Promise<Result> {
  const client = await pool.connect();
  let broken: unknown;
  try {
    await client.query("BEGIN");
    const result = await work(async (text, values) => {
      const { rows, rowCount } = await client.query({ text, values });
      return { rows, count: rowCount ?? 0 };
    });
    await client.query("COMMIT");
    return result;
  } catch (error) {
    broken = await client.query("ROLLBACK").then(
      () => undefined,
      (rollbackError: unknown) => rollbackError,
    );
    throw error;
  } finally {
    client.release(broken instanceof Error ? broken : undefined);
  }
}

/** Hot reads and transactions through the driver beside Prisma; with `queryEvents`, one way to hear the statements of both. */
function withDirectReads(prisma: PrismaClient, read: RowReader, transact: TransactionRunner, { queryEvents = false }: DatabaseOptions) {
  const onDirectRead = readDirectly(prisma, read, transact);
  return (listener: StatementListener) => {
    if (!queryEvents) throw new Error("Statements are heard only on a database opened with queryEvents.");
    (prisma as unknown as { $on(event: "query", listener: StatementListener): void }).$on("query", listener);
    onDirectRead(listener);
  };
}

function createClient(adapter: SqlMigrationAwareDriverAdapterFactory, { queryEvents = false }: DatabaseOptions) {
  return new PrismaClient({ adapter, log: queryEvents ? [{ emit: "event", level: "query" }] : [] });
}
