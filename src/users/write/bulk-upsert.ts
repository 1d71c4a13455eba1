import type { Auth } from "../../auth/caller.ts";
import { inTransaction } from "../../db/direct-reads.ts";
import type { PrismaClient } from "../../db/generated/prisma/client.ts";
import { retryOnWriteConflict } from "../../db/retry.ts";
import { requestError } from "../../graphql/request-errors.ts";
import { isUpsertError, type UpsertOutcome, upsertBatch } from "./upsert-batch.ts";
import { safeParseUpsert, type UpsertInput } from "./upsert-input.ts";

export const MAX_BULK_UPSERT = 1000;

export type BulkUpsertResult = {
  results: UpsertOutcome[];
  createdCount: number;
  updatedCount: number;
  failedCount: number;
};

/**
 * Upserts up to 1000 users in one transaction and a fixed number of
 * statements. One result per input, in order; a bad input fails alone and
 * the others are written. More than 1000 is a request error.
 */
export async function upsertUsers(
  prisma: PrismaClient,
  caller: Auth,
  users: readonly { id: string; input: UpsertInput }[],
): Promise<BulkUpsertResult> {
  if (users.length > MAX_BULK_UPSERT) {
    throw requestError("BAD_USER_INPUT", `upsertUsers takes at most ${MAX_BULK_UPSERT} users per call.`, {
      limit: MAX_BULK_UPSERT,
      received: users.length,
    });
  }
  const upserts = users.map(({ id, input }) => safeParseUpsert(id, input));
  const now = new Date();
  const results = await retryOnWriteConflict(() => inTransaction(prisma, (tx) => upsertBatch(tx, caller, upserts, now)));
  const failedCount = results.filter(isUpsertError).length;
  const createdCount = results.filter((result) => !isUpsertError(result) && result.created).length;
  return { results, createdCount, updatedCount: results.length - failedCount - createdCount, failedCount };
}
