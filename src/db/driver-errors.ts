import { Prisma } from "./generated/prisma/client.ts";

type DriverErrorCause = { kind?: string; originalCode?: string };

/** What the database driver reported beneath a Prisma error (raw statements carry it inside a P2010). */
export function driverErrorCause(error: unknown): DriverErrorCause | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  return (error.meta?.driverAdapterError as { cause?: DriverErrorCause } | undefined)?.cause;
}

/** PostgreSQL cancelled the statement (SQLSTATE 57014): it ran past statement_timeout, or its request was abandoned. */
export const isStatementCancelled = (error: unknown) => driverErrorCause(error)?.originalCode === "57014";
