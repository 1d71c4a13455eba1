import { createHash } from "node:crypto";
import type { Prisma, PrismaClient } from "./generated/prisma/client.ts";

/**
 * Runs one statement with its parameters and answers its rows, through the
 * driver itself; with a `name`, as a statement prepared once per connection
 * (where the driver can); with a `signal`, cancelled when it aborts (see
 * request-cancellation.ts).
 */
export type RowReader = (text: string, values: unknown[], name?: string, signal?: AbortSignal) => Promise<unknown[]>;

/** What a listener to the statements of a database hears: the SQL sent, as Prisma's `query` event names it. */
export type StatementListener = (event: { query: string }) => void;

/** Runs one statement of a transaction: its rows, and how many rows it wrote. */
export type TransactionStatement = (text: string, values: unknown[]) => Promise<{ rows: unknown[]; count: number }>;

/** Runs `work` in a transaction on one connection: committed when it resolves, rolled back when it throws. */
export type TransactionRunner = <Result>(work: (run: TransactionStatement) => Promise<Result>) => Promise<Result>;

type DirectReads = { read: RowReader; transact: TransactionRunner; listeners: Set<StatementListener> };

const directReads = new WeakMap<PrismaClient, DirectReads>();

/**
 * Lets `readRows` on `prisma` run its statements through `read` (the `pg`
 * pool Prisma's adapter uses, or the PGlite itself) instead of Prisma's
 * `$queryRaw`, whose runtime around one short statement cost more CPU than
 * the driver's own work, and `inTransaction` its transactions through
 * `transact`. Only the client itself reads directly: its transactions'
 * clients are other objects and keep Prisma's path, inside their
 * transaction. Returns how to hear every statement sent that way.
 */
export function readDirectly(prisma: PrismaClient, read: RowReader, transact: TransactionRunner): (listener: StatementListener) => void {
  const direct: DirectReads = { read, transact, listeners: new Set() };
  directReads.set(prisma, direct);
  return (listener) => direct.listeners.add(listener);
}

/**
 * The rows of a read-only statement. For the hot reads (one user, a page of
 * users, organizations by id): the statement is sent unnamed, so PostgreSQL
 * plans it with its parameters every time (no generic plan on skewed data),
 * and its rows come back in the driver's types, which for the columns these
 * statements read (text, uuid, int4, boolean, timestamptz, jsonb, arrays of
 * text) are the JavaScript values Prisma answers too. With the `signal` of
 * the request it reads for, the statement stops when the client goes away.
 */
export const readRows = <Row>(prisma: PrismaClient, sql: Prisma.Sql, signal?: AbortSignal): Promise<Row[]> =>
  read<Row>(prisma, sql, false, signal);

/**
 * As `readRows`, for a statement whose best plan does not depend on its
 * parameters (a lookup by primary key): prepared once per connection and
 * planned generically from then on, which saves PostgreSQL parsing and
 * planning it on every request. Never for filters or searches, whose plans
 * depend on the values (see ARCHITECTURE.md on generic plans).
 */
export const readRowsByKey = <Row>(prisma: PrismaClient, sql: Prisma.Sql, signal?: AbortSignal): Promise<Row[]> =>
  read<Row>(prisma, sql, true, signal);

/**
 * As `readRows`, for one statement that writes on its own, in a transaction of
 * its own (a database function that takes its locks inside, as
 * track_activity does). Never for a statement of a transaction: the driver's
 * pool hands out any connection.
 */
export const writeRows = readRows;

/**
 * As `writeRows`, prepared once per connection as `readRowsByKey` is: for a
 * write whose rows are found by primary key (one user's update), which
 * PostgreSQL then neither parses nor plans again.
 */
export const writeRowsByKey = readRowsByKey;

function read<Row>(prisma: PrismaClient, sql: Prisma.Sql, prepared: boolean, signal: AbortSignal | undefined): Promise<Row[]> {
  const direct = directReads.get(prisma);
  if (!direct) return prisma.$queryRaw<Row[]>(sql);
  const { text, values } = sql;
  for (const listener of direct.listeners) listener({ query: text });
  return direct.read(text, values, prepared ? statementName(text) : undefined, signal) as Promise<Row[]>;
}

/** Statement texts are few (one per selection of fields): their names are kept, up to a bound. */
const MAX_NAMES = 1000;
const names = new Map<string, string>();

/** A name for the statement, the same for the same text in every process. */
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMES) names.clear();
    name = `by_key_${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
    names.set(text, name);
  }
  return name;
}

/** The statements of one transaction: the rows a statement answers, or how many rows it wrote. */
export type SqlTransaction = {
  rows<Row>(sql: Prisma.Sql): Promise<Row[]>;
  execute(sql: Prisma.Sql): Promise<number>;
};

/** Prisma's interactive transaction as a SqlTransaction, for services that also use Prisma's models in it. */
export const prismaStatements = (tx: Prisma.TransactionClient): SqlTransaction => ({
  rows: (sql) => tx.$queryRaw(sql),
  execute: (sql) => tx.$executeRaw(sql),
});

/**
 * Runs `work` in a transaction through the driver itself (one connection of
 * the pool, or the PGlite), without Prisma's interactive transaction, whose
 * runtime and row conversion cost a 1000-user upsert a tenth of its time.
 * For transactions whose statements are all SQL of our own.
 */
export function inTransaction<Result>(prisma: PrismaClient, work: (tx: SqlTransaction) => Promise<Result>): Promise<Result> {
  const direct = directReads.get(prisma);
  if (!direct) return prisma.$transaction((tx) => work(prismaStatements(tx)));
  const { transact, listeners } = direct;
  return transact((run) => {
    const send = (sql: Prisma.Sql) => {
      for (const listener of listeners) listener({ query: sql.text });
      return run(sql.text, sql.values);
    };
    return work({
      rows: async <Row>(sql: Prisma.Sql) => (await send(sql)).rows as Row[],
      execute: async (sql) => (await send(sql)).count,
    });
  });
}
