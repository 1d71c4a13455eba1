import { Prisma } from "./generated/prisma/client.ts";

type DriverErrorCause = { kind?: string; originalCode?: string };

/** What the database driver reported beneath a Prisma error (raw statements carry it inside a P2010). */
export function driverErrorCause(error: unknown): DriverErrorCause | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  return (error.meta?.driverAdapterError as { cause?: DriverErrorCause } | undefined)?.cause;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * The SQLSTATE of a failed statement, whichever way it ran: through Prisma
 * (inside its error) or through the driver directly (src/db/direct-reads.ts:
 * `pg`'s and PGlite's errors carry it as `code`).
 */
export function sqlStateOf(error: unknown): string | undefined {
  const underPrisma = driverErrorCause(error)?.originalCode;
  if (underPrisma) return underPrisma;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && SQLSTATE.test(code) ? code : undefined;
}

/** PostgreSQL cancelled the statement (SQLSTATE 57014): it ran past statement_timeout, or its request was abandoned. */
export const isStatementCancelled = (error: unknown) => sqlStateOf(error) === "57014";

/** PostgreSQL aborted the transaction for a serialization failure (40001) or a deadlock (40P01). */
export const isWriteConflict = (error: unknown) =>
  (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2034") || ["40001", "40P01"].includes(sqlStateOf(error) ?? "");

/** A row refers to one that does not exist (SQLSTATE 23503): deleted meanwhile, when the statement checked it before. */
export const isForeignKeyViolation = (error: unknown) => sqlStateOf(error) === "23503";

/** A row's key is taken already (SQLSTATE 23505), by a writer that committed meanwhile. */
export const isUniqueViolation = (error: unknown) => sqlStateOf(error) === "23505";
