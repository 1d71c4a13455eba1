import { isWriteConflict } from "./driver-errors.ts";

/**
 * Runs `work` (a whole transaction) again when PostgreSQL aborted it for a
 * deadlock or a serialization failure, safe since the aborted attempt left
 * nothing behind. Upserts lock users in id order, token holders included
 * (lockUsersAndTokenHolders); what is left is rarer still: a user another
 * writer creates between an upsert's lock and its write is locked only by
 * that write, after the others (see upsertBatch).
 */
export async function retryOnWriteConflict<Result>(work: () => Promise<Result>, attempts = 3): Promise<Result> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isWriteConflict(error)) throw error;
    }
  }
}
