import type { Auth } from "../../auth/caller.ts";
import { writeRowsByKey } from "../../db/direct-reads.ts";
import { isForeignKeyViolation, isUniqueViolation, isWriteConflict } from "../../db/driver-errors.ts";
import { Prisma, type PrismaClient } from "../../db/generated/prisma/client.ts";
import { NotFoundError } from "../../errors.ts";
import { recordWithUserWrite } from "../../events/record.ts";
import { userEvents } from "../../events/user-events.ts";
import { blankUser } from "./apply-upsert.ts";
import { type IdempotentRequest, recordKeyWithUserWrite } from "./idempotency.ts";
import { applyUserUpserts, isUpsertError, type UpsertOutcome, type UpsertSuccess } from "./upsert-batch.ts";
import type { ParsedUpsert } from "./upsert-input.ts";
import { readUserUnlocked, updateUserStatement, writeUsersStatement } from "./user-rows.ts";

/** An idempotency key to record with the write, and the response it replays. */
export type KeyToRecord = { request: IdempotentRequest; response: (outcome: UpsertSuccess) => Prisma.InputJsonValue };

/** Whether an upsert may go without a transaction: it leaves push tokens alone (moving them locks their holders). */
export const upsertsWithoutLocks = (upsert: ParsedUpsert) => upsert.pushTokens === undefined && upsert.webPushSubscriptions === undefined;

/**
 * One upsert in two statements and no transaction of its own: the user is
 * read without a lock, the upsert applied to it, and the user written with
 * its events by a statement that applies only if the stored user is still
 * the one read (or, for a new user, still missing). Concurrent upserts of
 * one user lose nothing: all but one find their read out of date. Returns
 * the outcome, or undefined when another writer (or a deletion of the user
 * or of the organization it names, or a deadlock with one) came between:
 * the caller then takes the locked way (upsertBatch), where such upserts
 * queue up.
 *
 * With `key`, the key is recorded in the same statement, when it had no
 * record when read and the upsert writes; otherwise (a replay, a key taken
 * meanwhile, an upsert that changes nothing) undefined: the locked way
 * claims, replays or refuses it. An upsert that fails records nothing.
 */
export async function upsertOptimistically(
  prisma: PrismaClient,
  caller: Auth,
  upsert: ParsedUpsert,
  now: Date,
  key?: KeyToRecord,
): Promise<UpsertOutcome | undefined> {
  const { projectId } = caller;
  const { row, organizationFound, keyFound } = await readUserUnlocked(prisma, projectId, upsert.id, {
    organizationId: upsert.organizationId ?? null,
    idempotencyKey: key?.request.key ?? null,
  });
  if (keyFound) return undefined;
  if (upsert.organizationId && !organizationFound) return new NotFoundError("organization", upsert.organizationId);
  const before = row ? { row } : blankUser(projectId, upsert.id, now);
  const outcomes = new Map<number, UpsertOutcome>();
  const after = applyUserUpserts(caller, before, [{ index: 0, upsert }], now, outcomes);
  const outcome = outcomes.get(0) as UpsertOutcome;
  if (after === before) return key ? undefined : outcome;

  const events = recordWithUserWrite(caller, userEvents([{ before: before.row, after: after.row }]));
  const recorded = key && !isUpsertError(outcome) ? recordKeyWithUserWrite(projectId, key.request, now, key.response(outcome)) : undefined;
  const withWrite = recorded ? Prisma.sql`${events}${recorded}` : events;
  const statement = row ? updateUserStatement(projectId, after.row, withWrite) : writeUsersStatement(projectId, [after.row], withWrite);
  try {
    const written = await writeRowsByKey<{ id: string }>(prisma, statement);
    return written.length === 1 ? outcome : undefined;
  } catch (error) {
    // The organization went meanwhile, the key was taken meanwhile, or PostgreSQL broke a deadlock
    // with a writer holding either: the statement wrote nothing, and the locked way decides.
    if (isForeignKeyViolation(error) || isUniqueViolation(error) || isWriteConflict(error)) return undefined;
    throw error;
  }
}
