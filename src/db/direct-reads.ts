import { createHash } from "node:crypto";
import type { Prisma, PrismaClient } from "./generated/prisma/client.ts";

/**
 * Runs one statement with its parameters and answers its rows, through the
 * driver itself; with a `name`, as a statement prepared once per connection
 * (where the driver can).
 */
export type RowReader = (text: string, values: unknown[], name?: string) => Promise<unknown[]>;

/** What a listener to the statements of a database hears: the SQL sent, as Prisma's `query` event names it. */
export type StatementListener = (event: { query: string }) => void;

type DirectReads = { read: RowReader; listeners: Set<StatementListener> };

const directReads = new WeakMap<PrismaClient, DirectReads>();

/**
 * Lets `readRows` on `prisma` run its statements through `read` (the `pg`
 * pool Prisma's adapter uses, or the PGlite itself) instead of Prisma's
 * `$queryRaw`, whose runtime around one short statement cost more CPU than
 * the driver's own work. Only the client itself reads directly: its
 * transactions' clients are other objects and keep Prisma's path, inside their
 * transaction. Returns how to hear every statement read that way.
 */
export function readDirectly(prisma: PrismaClient, read: RowReader): (listener: StatementListener) => void {
  const direct: DirectReads = { read, listeners: new Set() };
  directReads.set(prisma, direct);
  return (listener) => direct.listeners.add(listener);
}

/**
 * The rows of a read-only statement. For the hot reads (one user, a page of
 * users, organizations by id): the statement is sent unnamed, so PostgreSQL
 * plans it with its parameters every time (no generic plan on skewed data),
 * and its rows come back in the driver's types, which for the columns these
 * statements read (text, uuid, int4, boolean, timestamptz, jsonb, arrays of
 * text) are the JavaScript values Prisma answers too.
 */
export const readRows = <Row>(prisma: PrismaClient, sql: Prisma.Sql): Promise<Row[]> => read<Row>(prisma, sql, false);

/**
 * As `readRows`, for a statement whose best plan does not depend on its
 * parameters (a lookup by primary key): prepared once per connection and
 * planned generically from then on, which saves PostgreSQL parsing and
 * planning it on every request. Never for filters or searches, whose plans
 * depend on the values (see ARCHITECTURE.md on generic plans).
 */
export const readRowsByKey = <Row>(prisma: PrismaClient, sql: Prisma.Sql): Promise<Row[]> => read<Row>(prisma, sql, true);

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

function read<Row>(prisma: PrismaClient, sql: Prisma.Sql, prepared: boolean): Promise<Row[]> {
  const direct = directReads.get(prisma);
  if (!direct) return prisma.$queryRaw<Row[]>(sql);
  const { text, values } = sql;
  for (const listener of direct.listeners) listener({ query: text });
  return direct.read(text, values, prepared ? statementName(text) : undefined) as Promise<Row[]>;
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
