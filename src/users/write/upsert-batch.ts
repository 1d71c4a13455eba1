import { isDeepStrictEqual } from "node:util";
import type { Auth } from "../../auth/caller.ts";
import { upsertOutOfReach } from "../../auth/reach.ts";
import type { SqlTransaction } from "../../db/direct-reads.ts";
import type { User } from "../../db/generated/prisma/client.ts";
import { NotFoundError, ValidationError, VersionConflictError } from "../../errors.ts";
import { recordWithUserWrite } from "../../events/record.ts";
import { userEvents } from "../../events/user-events.ts";
import { applyUpsert, blankUser, type UserState } from "./apply-upsert.ts";
import { findMissingOrganizations } from "./organization-refs.ts";
import { readPushTokens, replacePushTokens } from "./push-token-store.ts";
import { assignTokenOwners, type PushTokenValue } from "./push-tokens.ts";
import { lockUsersAndTokenHolders } from "./token-holders.ts";
import type { ParsedUpsert } from "./upsert-input.ts";
import { lockUsers, writeUsers } from "./user-rows.ts";

export type UpsertSuccess = { user: User; created: boolean };
export type UpsertError = ValidationError | VersionConflictError | NotFoundError;
/** What one upsert of a batch came to: the user it left, or why it failed. */
export type UpsertOutcome = UpsertSuccess | UpsertError;

export const isUpsertError = (outcome: unknown): outcome is UpsertError =>
  outcome instanceof ValidationError || outcome instanceof VersionConflictError || outcome instanceof NotFoundError;

/** The upserts of one user, in input order, each with its index in the batch. */
export type UserUpserts = { index: number; upsert: ParsedUpsert }[];
/** Reads and locks the users that exist among `ids`. */
type Lock = (ids: readonly string[]) => Promise<User[]>;

/**
 * Applies upserts to the project's users inside the caller's transaction,
 * in a fixed number of statements whatever their count: one to check the
 * organizations they name, one to read and lock the users, one to write
 * them, and a few for push tokens (their holders are locked with the users).
 * Each upsert fails alone (an error given in `upserts` stays that upsert's
 * outcome, and so does a user outside the caller's reach, judged on the
 * locked row); several upserts of one user apply in order. Returns one
 * outcome per upsert, in order.
 */
export async function upsertBatch(
  tx: SqlTransaction,
  caller: Auth,
  upserts: readonly (ParsedUpsert | ValidationError)[],
  now: Date,
): Promise<UpsertOutcome[]> {
  const { projectId } = caller;
  const outcomes = new Map<number, UpsertOutcome>();
  const missing = await findMissingOrganizations(
    tx,
    projectId,
    upserts.flatMap((upsert) => (upsert instanceof ValidationError || !upsert.organizationId ? [] : [upsert.organizationId])),
  );
  const byUser = new Map<string, UserUpserts>();
  upserts.forEach((upsert, index) => {
    if (upsert instanceof ValidationError) outcomes.set(index, upsert);
    else if (upsert.organizationId && missing.has(upsert.organizationId)) {
      outcomes.set(index, new NotFoundError("organization", upsert.organizationId));
    } else byUser.set(upsert.id, [...(byUser.get(upsert.id) ?? []), { index, upsert }]);
  });

  const round = (userIds: string[], lock: Lock) => upsertRound(tx, caller, now, userIds, lock, byUser, outcomes);
  const claimed = [...byUser.values()].flatMap((upserts) => upserts.flatMap(({ upsert }) => upsert.pushTokens ?? []));
  const first = await round([...byUser.keys()], (ids) => lockUsersAndTokenHolders(tx, projectId, ids, claimed));
  // A user someone else created between our read and our write is locked by our write,
  // so the second round reads it as it is and always succeeds: never more than two rounds.
  // The holders of the tokens its upserts claim were locked with the first round's users.
  const second = first.raced.length > 0 ? await round(first.raced, (ids) => lockUsers(tx, projectId, ids)) : undefined;
  if (second && second.raced.length > 0) throw new Error("Users created concurrently were not locked.");

  const tokenLists = new Map([...first.tokenLists, ...(second?.tokenLists ?? [])]);
  if (tokenLists.size > 0) await replacePushTokens(tx, projectId, assignTokenOwners(tokenLists), now);
  // Every index got its outcome above: an error given, a missing organization, or a round.
  return upserts.map((_upsert, index) => outcomes.get(index) as UpsertOutcome);
}

/**
 * Reads and locks the users, applies their upserts, records each upsert's
 * outcome and writes the users that changed. Returns the users someone
 * else created meanwhile (raced: their outcomes are to be computed again),
 * and the push token lists to store. The events of the users it writes are
 * recorded with them.
 */
async function upsertRound(
  tx: SqlTransaction,
  caller: Auth,
  now: Date,
  userIds: string[],
  lock: Lock,
  byUser: ReadonlyMap<string, UserUpserts>,
  outcomes: Map<number, UpsertOutcome>,
) {
  const { projectId } = caller;
  const upsertsOf = (id: string) => byUser.get(id) ?? [];
  const stored = new Map((await lock(userIds)).map((row) => [row.id, row]));
  // Web push subscriptions need the tokens too: together they make hasPushToken.
  const settingTokens = new Set(
    [...stored.keys()].filter((id) =>
      upsertsOf(id).some(({ upsert }) => upsert.pushTokens !== undefined || upsert.webPushSubscriptions !== undefined),
    ),
  );
  const storedTokens = settingTokens.size > 0 ? await readPushTokens(tx, projectId, [...settingTokens]) : new Map();

  const changes = userIds.map((id) => {
    const row = stored.get(id);
    const before: UserState = row
      ? { row, pushTokens: settingTokens.has(id) ? (storedTokens.get(id) ?? []) : undefined }
      : blankUser(projectId, id, now);
    return { id, before, after: applyUserUpserts(caller, before, upsertsOf(id), now, outcomes) };
  });

  const toWrite = changes.filter(({ before, after }) => after !== before);
  // The events go with the write, for the users it writes (one raced is written in the next round).
  const events = userEvents(
    toWrite.map(({ before, after }) => ({
      before: before.row,
      after: after.row,
      pushTokens: { before: before.pushTokens, after: after.pushTokens },
    })),
  );
  const written = new Set(
    toWrite.length > 0
      ? await writeUsers(
          tx,
          projectId,
          toWrite.map(({ after }) => after.row),
          recordWithUserWrite(caller, events),
        )
      : [],
  );
  const raced = new Set(toWrite.filter(({ id }) => !written.has(id)).map(({ id }) => id));

  const tokenLists = new Map<string, PushTokenValue[]>();
  for (const { id, before, after } of changes) {
    if (!raced.has(id) && after.pushTokens && !isDeepStrictEqual(after.pushTokens, before.pushTokens)) {
      tokenLists.set(id, after.pushTokens);
    }
  }
  return { raced: [...raced], tokenLists };
}

/**
 * Applies one user's upserts in order, each to the user as the ones before
 * left it (`before`: as stored, or blank), and sets each one's outcome: the
 * user it left, or why it failed (outside the caller's reach, invalid, a
 * version conflict). Returns the user after them, `before` itself when none
 * changed it.
 */
export function applyUserUpserts(
  caller: Auth,
  before: UserState,
  upserts: UserUpserts,
  now: Date,
  outcomes: Map<number, UpsertOutcome>,
): UserState {
  let after = before;
  for (const { index, upsert } of upserts) {
    const outOfReach = upsertOutOfReach(caller, upsert.id, after.row.version > 0 ? after.row : undefined, upsert.organizationId);
    if (outOfReach) {
      outcomes.set(index, outOfReach);
      continue;
    }
    try {
      const next = applyUpsert(after, upsert, now);
      outcomes.set(index, { user: next.row, created: after.row.version === 0 });
      after = next;
    } catch (error) {
      if (!isUpsertError(error)) throw error;
      outcomes.set(index, error);
    }
  }
  return after;
}
