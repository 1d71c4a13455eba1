import type { Auth } from "../auth/caller.ts";
import { organizationInReach } from "../auth/reach.ts";
import type { Prisma, PrismaClient } from "../db/generated/prisma/client.ts";
import { retryOnWriteConflict } from "../db/retry.ts";
import { NotFoundError, ValidationError, VersionConflictError } from "../errors.ts";
import { preferencesEvent } from "../events/preference-events.ts";
import { recordDirectoryEvents } from "../events/record.ts";
import { isUuid } from "../validation/ids.ts";
import {
  documentFrom,
  emptyDocument,
  mergePreferences,
  type ParsedPreferenceSetInput,
  type PreferenceDocument,
  type PreferenceSetInput,
  parsePreferenceInput,
} from "./preference-document.ts";

type Transaction = Prisma.TransactionClient;

/** A set as read: the user's own (version ≥ 1), or the project's defaults standing in for it (version 0, no updatedAt). */
export type PreferenceSetView = { id: string; document: PreferenceDocument; version: number; updatedAt: Date | null };

/** A set as its user's list reads it: which user it belongs to, for grouping a page's sets by user. */
export type OwnedPreferenceSet = PreferenceSetView & { userId: string };

export const DEFAULT_SET_ID = "default";
export const MAX_USERS_PER_SET = 1000;

/** The project's defaults; an empty document (every channel allowed) until setDefaultPreferences. */
export async function readDefaultPreferences(prisma: PrismaClient | Transaction, projectId: string): Promise<PreferenceSetView> {
  const row = await prisma.defaultPreferenceSet.findUnique({ where: { projectId } });
  return {
    id: DEFAULT_SET_ID,
    document: row ? documentFrom(row.document) : emptyDocument(),
    version: row?.version ?? 0,
    updatedAt: row?.updatedAt ?? null,
  };
}

const viewOf = (row: { setId: string; document: unknown; version: number; updatedAt: Date }): PreferenceSetView => ({
  id: row.setId,
  document: documentFrom(row.document),
  version: row.version,
  updatedAt: row.updatedAt,
});

/**
 * For each (user, set id), the user's set, or the project's defaults under
 * that id when the user has none: one statement for the sets of a whole page
 * of users, and one for the defaults if any user lacks its set.
 */
export async function readUserPreferences(
  prisma: PrismaClient,
  projectId: string,
  keys: readonly { userId: string; setId: string }[],
): Promise<PreferenceSetView[]> {
  const rows = await prisma.preferenceSet.findMany({
    where: { projectId, userId: { in: keys.map((key) => key.userId) }, setId: { in: keys.map((key) => key.setId) } },
  });
  const keyOf = ({ userId, setId }: { userId: string; setId: string }) => JSON.stringify([userId, setId]);
  const found = new Map(rows.map((row) => [keyOf(row), viewOf(row)]));
  const missing = keys.some((key) => !found.has(keyOf(key)));
  const defaults = missing ? await readDefaultPreferences(prisma, projectId) : null;
  return keys.map((key) => found.get(keyOf(key)) ?? { ...defaults!, id: key.setId, version: 0, updatedAt: null });
}

/** The users' own sets, ordered by id, each with its user's id. */
export function readUserPreferenceSets(prisma: PrismaClient, projectId: string, userIds: readonly string[]): Promise<OwnedPreferenceSet[]> {
  return prisma.preferenceSet
    .findMany({ where: { projectId, userId: { in: [...userIds] } }, orderBy: { setId: "asc" } })
    .then((rows) => rows.map((row) => ({ ...viewOf(row), userId: row.userId })));
}

/** Each set's channel preferences with their channels, the channels of all the sets read in one statement. */
export async function readChannelPreferences(prisma: PrismaClient, projectId: string, sets: readonly PreferenceSetView[]) {
  const ids = [...new Set(sets.flatMap((set) => Object.keys(set.document.channels)))];
  const channels =
    ids.length === 0 ? [] : await prisma.channel.findMany({ where: { projectId, id: { in: ids } }, orderBy: { name: "asc" } });
  return sets.map((set) =>
    channels
      .filter((channel) => channel.id in set.document.channels)
      .map((channel) => ({ channel, enabled: set.document.channels[channel.id]! })),
  );
}

/**
 * The statements that remove a deleted channel's preferences from the
 * project's sets and defaults, to run in the transaction that deletes it.
 * They follow the DELETE, which waits for writers holding the channel
 * (lockedChannelIds), so a set written meanwhile is cleaned too.
 */
export function forgetChannelPreferences(prisma: PrismaClient, projectId: string, channelId: string) {
  return [
    prisma.$executeRaw`
      UPDATE preference_sets SET document = jsonb_set(document, '{channels}', (document->'channels') - ${channelId}::text)
      WHERE project_id = ${projectId}::uuid AND document->'channels'->${channelId}::text IS NOT NULL`,
    prisma.$executeRaw`
      UPDATE default_preference_sets SET document = jsonb_set(document, '{channels}', (document->'channels') - ${channelId}::text)
      WHERE project_id = ${projectId}::uuid AND document->'channels'->${channelId}::text IS NOT NULL`,
  ];
}

/** The ids among `channelIds` of the project's channels, share-locked until the transaction ends so none is deleted meanwhile. */
async function lockedChannelIds(tx: Transaction, projectId: string, channelIds: readonly string[]): Promise<Set<string>> {
  if (channelIds.length === 0) return new Set();
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM channels WHERE project_id = ${projectId}::uuid AND id = ANY(${[...channelIds]}::uuid[]) FOR SHARE`;
  return new Set(rows.map((row) => row.id));
}

/**
 * The input parsed, or a ValidationError with every problem of it and of the
 * set id; the set id is "default" or the id of an organization in the caller's reach.
 */
async function validate(tx: Transaction, auth: Auth, setId: string, input: PreferenceSetInput): Promise<ParsedPreferenceSetInput> {
  const { projectId } = auth;
  const channelIds = (Array.isArray(input.channels) ? input.channels : []).map((channel) => channel?.channelId).filter(isUuid);
  const [channels, organization] = await Promise.all([
    lockedChannelIds(tx, projectId, channelIds),
    setId === DEFAULT_SET_ID
      ? null
      : tx.organization.findUnique({ where: { projectId_id: { projectId, id: setId } }, select: { id: true } }),
  ]);
  const setIdKnown = setId === DEFAULT_SET_ID || (organization !== null && organizationInReach(auth, organization.id));
  const setIdProblems = setIdKnown
    ? []
    : [{ field: "setId", message: `"default" or the id of one of the project's organizations`, reason: "unknown" as const }];
  return parsePreferenceInput(input, channels, setIdProblems);
}

/**
 * Locks the users in id order (writers of the same users queue instead of
 * deadlocking) and returns the ids asked for that do not exist within the caller's reach.
 */
async function lockUsersInReach(tx: Transaction, auth: Auth, userIds: readonly string[]): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string; organization_id: string | null }[]>`
    SELECT id, organization_id FROM users WHERE project_id = ${auth.projectId}::uuid AND id = ANY(${[...userIds]}::text[])
    ORDER BY id FOR UPDATE`;
  const reached = new Set(rows.filter((row) => organizationInReach(auth, row.organization_id)).map((row) => row.id));
  return userIds.filter((id) => !reached.has(id));
}

type StoredRow = { user_id: string; document: unknown; version: number; updated_at: Date };

/**
 * Merges the input into each user's set (or, for a user without one, into the
 * project's defaults) and writes them all in one statement, in one transaction.
 */
async function writeSets(
  tx: Transaction,
  auth: Auth,
  userIds: readonly string[],
  setId: string,
  input: ParsedPreferenceSetInput,
  expectedVersion: number | null,
): Promise<Map<string, PreferenceSetView>> {
  const { projectId } = auth;
  // Locked, so that a channel deleted meanwhile (forgetChannelPreferences) is removed from what is written, not written back.
  const stored = await tx.$queryRaw<{ user_id: string; document: unknown; version: number }[]>`
    SELECT user_id, document, version FROM preference_sets
    WHERE project_id = ${projectId}::uuid AND set_id = ${setId} AND user_id = ANY(${[...userIds]}::text[])
    ORDER BY user_id FOR UPDATE`;
  const byUser = new Map(stored.map((row) => [row.user_id, row]));
  const defaults = stored.length < userIds.length ? (await readDefaultPreferences(tx, projectId)).document : emptyDocument();
  const written = userIds.map((userId) => {
    const current = byUser.get(userId);
    const version = current?.version ?? 0;
    if (expectedVersion !== null && expectedVersion !== version) throw new VersionConflictError(version);
    const document = mergePreferences(current ? documentFrom(current.document) : defaults, input);
    return { user_id: userId, document, version: version + 1 };
  });
  const rows = await tx.$queryRaw<StoredRow[]>`
    INSERT INTO preference_sets (project_id, user_id, set_id, document, version, updated_at)
    SELECT ${projectId}::uuid, w.user_id, ${setId}, w.document, w.version, now()
    FROM jsonb_to_recordset(${JSON.stringify(written)}::jsonb) AS w(user_id text, document jsonb, version int)
    ON CONFLICT (project_id, user_id, set_id)
      DO UPDATE SET document = EXCLUDED.document, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
    RETURNING user_id, document, version, updated_at`;
  await recordDirectoryEvents(
    tx,
    auth,
    written.flatMap(({ user_id, document }) => {
      const current = byUser.get(user_id);
      return preferencesEvent(user_id, setId, current ? documentFrom(current.document) : defaults, document);
    }),
  );
  return new Map(
    rows.map((row) => [row.user_id, viewOf({ setId, document: row.document, version: row.version, updatedAt: new Date(row.updated_at) })]),
  );
}

const WRITE_TRANSACTION = { maxWait: 30_000, timeout: 60_000 } as const;

/** setPreferences: NotFoundError for a user outside the caller's reach, VersionConflictError when expectedVersion is stale. */
export function setPreferences(
  prisma: PrismaClient,
  auth: Auth,
  userId: string,
  setId: string,
  input: PreferenceSetInput,
  expectedVersion: number | null,
): Promise<PreferenceSetView> {
  return retryOnWriteConflict(() =>
    prisma.$transaction(async (tx) => {
      if ((await lockUsersInReach(tx, auth, [userId])).length > 0) throw new NotFoundError("user", userId);
      const parsed = await validate(tx, auth, setId, input);
      return (await writeSets(tx, auth, [userId], setId, parsed, expectedVersion)).get(userId)!;
    }, WRITE_TRANSACTION),
  );
}

/** setPreferencesForUsers: all or nothing; every unknown user id is reported at once under `userIds.<index>`. */
export function setPreferencesForUsers(
  prisma: PrismaClient,
  auth: Auth,
  userIds: readonly string[],
  setId: string,
  input: PreferenceSetInput,
): Promise<PreferenceSetView[]> {
  const unique = [...new Set(userIds)];
  if (unique.length > MAX_USERS_PER_SET) {
    throw new ValidationError([{ field: "userIds", message: `at most ${MAX_USERS_PER_SET} users`, reason: "too_many" }]);
  }
  return retryOnWriteConflict(() =>
    prisma.$transaction(async (tx) => {
      const missing = new Set(await lockUsersInReach(tx, auth, unique));
      if (missing.size > 0) {
        throw new ValidationError(
          userIds.flatMap((id, index) =>
            missing.has(id) ? [{ field: `userIds.${index}`, message: "no user with this id", reason: "unknown" as const }] : [],
          ),
        );
      }
      const parsed = await validate(tx, auth, setId, input);
      const written = await writeSets(tx, auth, unique, setId, parsed, null);
      return unique.map((id) => written.get(id)!);
    }, WRITE_TRANSACTION),
  );
}

/** setDefaultPreferences: merges into the project's defaults like setPreferences does into a user's set. */
export function setDefaultPreferences(
  prisma: PrismaClient,
  auth: Auth,
  input: PreferenceSetInput,
  expectedVersion: number | null,
): Promise<PreferenceSetView> {
  const { projectId } = auth;
  return retryOnWriteConflict(() =>
    prisma.$transaction(async (tx) => {
      const parsed = await validate(tx, auth, DEFAULT_SET_ID, input);
      // The row exists (version 0) before it is locked, so concurrent first writes queue on it too.
      await tx.$executeRaw`
        INSERT INTO default_preference_sets (project_id, document, version) VALUES (${projectId}::uuid, '{}'::jsonb, 0)
        ON CONFLICT (project_id) DO NOTHING`;
      const [current] = await tx.$queryRaw<{ document: unknown; version: number }[]>`
        SELECT document, version FROM default_preference_sets WHERE project_id = ${projectId}::uuid FOR UPDATE`;
      if (expectedVersion !== null && expectedVersion !== current!.version) throw new VersionConflictError(current!.version);
      const document = mergePreferences(documentFrom(current!.document), parsed);
      await recordDirectoryEvents(tx, auth, preferencesEvent(null, DEFAULT_SET_ID, documentFrom(current!.document), document));
      const row = await tx.defaultPreferenceSet.update({
        where: { projectId },
        data: {
          document: document as Prisma.InputJsonObject,
          version: current!.version + 1,
          updatedAt: new Date(),
        },
      });
      return viewOf({ ...row, setId: DEFAULT_SET_ID });
    }, WRITE_TRANSACTION),
  );
}
