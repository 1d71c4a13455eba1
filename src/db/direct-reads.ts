import type { Prisma, PrismaClient } from "./generated/prisma/client.ts";

/** Runs one statement with its parameters and answers its rows, through the driver itself. */
export type RowReader = (text: string, values: unknown[]) => Promise<unknown[]>;

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
export function readRows<Row>(prisma: PrismaClient, sql: Prisma.Sql): Promise<Row[]> {
  const direct = directReads.get(prisma);
  if (!direct) return prisma.$queryRaw<Row[]>(sql);
  const { text, values } = sql;
  for (const listener of direct.listeners) listener({ query: text });
  return direct.read(text, values) as Promise<Row[]>;
}
