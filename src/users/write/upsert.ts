import type { Auth } from "../../auth/caller.ts";
import { inTransaction } from "../../db/direct-reads.ts";
import type { Prisma, PrismaClient, User } from "../../db/generated/prisma/client.ts";
import { retryOnWriteConflict } from "../../db/retry.ts";
import { DATE_FIELDS } from "../user-fields.ts";
import {
  claimIdempotencyKey,
  type IdempotentRequest,
  purgeExpiredIdempotencyRecords,
  recordIdempotentResponse,
  requestHash,
} from "./idempotency.ts";
import { upsertOptimistically, upsertsWithoutLocks } from "./optimistic-upsert.ts";
import { isUpsertError, type UpsertOutcome, type UpsertSuccess, upsertBatch } from "./upsert-batch.ts";
import { parseUpsert, type UpsertInput, type UpsertOptions } from "./upsert-input.ts";

/**
 * Creates the user or changes what the input names. Most upserts are one
 * read and one conditional write (upsertOptimistically), which records an
 * idempotency key too; one that moves push tokens, replays a key or lost a
 * race runs in one transaction holding the user's row lock, so concurrent
 * upserts of one user queue up and lose nothing. Throws ValidationError,
 * VersionConflictError or NotFoundError (organization, or a user outside the
 * caller's reach), having written nothing.
 */
export async function upsertUser(
  prisma: PrismaClient,
  caller: Auth,
  id: string,
  input: UpsertInput,
  options: UpsertOptions = {},
): Promise<UpsertSuccess> {
  const { projectId } = caller;
  const upsert = parseUpsert(id, input, options);
  const { idempotencyKey, expectedVersion, touchLastSeen } = upsert.options;
  const idempotent: IdempotentRequest | undefined = idempotencyKey
    ? {
        key: idempotencyKey,
        operation: "upsertUser",
        hash: requestHash({ id, input, expectedVersion: expectedVersion ?? null, touchLastSeen }),
      }
    : undefined;
  const now = new Date();
  const unlocked = upsertsWithoutLocks(upsert)
    ? await upsertOptimistically(prisma, caller, upsert, now, idempotent && { request: idempotent, response: asJson })
    : undefined;
  if (unlocked && isUpsertError(unlocked)) throw unlocked;
  const result =
    unlocked ??
    (await retryOnWriteConflict(() =>
      inTransaction(prisma, async (tx) => {
        if (idempotent) {
          const replayed = await claimIdempotencyKey(tx, projectId, idempotent, now);
          if (replayed !== undefined) return revive(replayed);
        }
        const [outcome] = (await upsertBatch(tx, caller, [upsert], now)) as [UpsertOutcome];
        if (isUpsertError(outcome)) throw outcome;
        if (idempotent) await recordIdempotentResponse(tx, projectId, idempotent.key, asJson(outcome));
        return outcome;
      }),
    ));
  if (idempotent) await purgeExpiredIdempotencyRecords(prisma, projectId, now);
  return result;
}

/** A result as stored for replay: plain JSON, dates as ISO strings. */
const asJson = (result: UpsertSuccess) => JSON.parse(JSON.stringify(result)) as Prisma.InputJsonObject;

/** A stored result as it was returned: the user as the first call left it. */
function revive(stored: Prisma.JsonValue): UpsertSuccess {
  const { user, created } = stored as { user: Record<string, unknown>; created: boolean };
  const dates = DATE_FIELDS.map((field) => [field, user[field] == null ? null : new Date(user[field] as string)]);
  return { user: { ...user, ...Object.fromEntries(dates) } as User, created };
}
