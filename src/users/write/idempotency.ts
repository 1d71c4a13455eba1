import { createHash } from "node:crypto";
import type { SqlTransaction } from "../../db/direct-reads.ts";
import { Prisma, type PrismaClient } from "../../db/generated/prisma/client.ts";
import { ValidationError } from "../../errors.ts";

/** How long a key replays its first result. */
const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

/** When a key recorded at `now` expires. */
const expiryOf = (now: Date) => new Date(now.getTime() + IDEMPOTENCY_RETENTION_MS);

/** A request that carries an idempotency key; `hash` stands for everything else it asks. */
export type IdempotentRequest = { key: string; operation: string; hash: string };

type StoredRecord = { operation: string; requestHash: string; response: Prisma.JsonValue };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A hash of a request's arguments; the order of keys in objects does not matter. */
export function requestHash(request: unknown): string {
  const canonical = JSON.stringify(request, (_key, value: unknown) =>
    isObject(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value,
  );
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * Claims the key for this request within the caller's transaction. Returns
 * undefined when the request should run (the key is new, or its record has
 * expired and is taken over), or the stored response of the same request.
 * A concurrent request with the same key waits on the claim until this
 * transaction ends, then replays its response; if it rolls back, the key is
 * free again. The same key with another request is a `conflict`.
 */
export async function claimIdempotencyKey(
  tx: SqlTransaction,
  projectId: string,
  { key, operation, hash }: IdempotentRequest,
  now: Date,
): Promise<Prisma.JsonValue | undefined> {
  const expiresAt = expiryOf(now);
  const claimed = await tx.execute(Prisma.sql`
    INSERT INTO idempotency_records AS r (project_id, key, operation, request_hash, response, created_at, expires_at)
    VALUES (${projectId}::uuid, ${key}, ${operation}, ${hash}, 'null', ${now}, ${expiresAt})
    ON CONFLICT (project_id, key) DO UPDATE SET
      operation = EXCLUDED.operation, request_hash = EXCLUDED.request_hash, response = EXCLUDED.response,
      created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
    WHERE r.expires_at <= ${now}`);
  if (claimed === 1) return undefined;
  // Claimed by another request (committed, as the claim waited for it): there is a record.
  const [record] = (await tx.rows<StoredRecord>(Prisma.sql`
    SELECT operation, request_hash AS "requestHash", response FROM idempotency_records
    WHERE project_id = ${projectId}::uuid AND key = ${key}`)) as [StoredRecord];
  if (record.operation !== operation || record.requestHash !== hash) {
    throw new ValidationError([
      { field: "options.idempotencyKey", reason: "conflict", message: "was already used for a different request" },
    ]);
  }
  return record.response;
}

/** Stores the response the key replays from now on; in the transaction that claimed it. */
export async function recordIdempotentResponse(
  tx: SqlTransaction,
  projectId: string,
  key: string,
  response: Prisma.InputJsonValue,
): Promise<void> {
  await tx.execute(Prisma.sql`
    UPDATE idempotency_records SET response = ${JSON.stringify(response)}::jsonb
    WHERE project_id = ${projectId}::uuid AND key = ${key}`);
}

/**
 * For a statement that writes users in a CTE named `written`: a further CTE
 * that records the key with `response`, if the statement wrote anything, in
 * the same round trip. For a key the caller found free: should another
 * request have taken it meanwhile, the insert fails (unique violation,
 * 23505) and so does the whole statement, its writes undone.
 */
export function recordKeyWithUserWrite(
  projectId: string,
  { key, operation, hash }: IdempotentRequest,
  now: Date,
  response: Prisma.InputJsonValue,
): Prisma.Sql {
  return Prisma.sql`, recorded_key AS (
    INSERT INTO idempotency_records (project_id, key, operation, request_hash, response, created_at, expires_at)
    SELECT ${projectId}::uuid, ${key}, ${operation}, ${hash}, ${JSON.stringify(response)}::jsonb, ${now}, ${expiryOf(now)}
    WHERE EXISTS (SELECT 1 FROM written))`;
}

/**
 * Deletes expired records of the project, a bounded number at a time.
 * Skips rows another transaction holds, so it never waits or deadlocks.
 */
export async function purgeExpiredIdempotencyRecords(prisma: PrismaClient, projectId: string, now: Date): Promise<void> {
  await prisma.$executeRaw`
    DELETE FROM idempotency_records
    WHERE (project_id, key) IN (
      SELECT project_id, key FROM idempotency_records
      WHERE project_id = ${projectId}::uuid AND expires_at <= ${now}
      LIMIT 1000
      FOR UPDATE SKIP LOCKED)`;
}
