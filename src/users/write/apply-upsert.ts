import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { User } from "../../db/generated/prisma/client.ts";
import { type FieldProblem, ValidationError, VersionConflictError } from "../../errors.ts";
import type { JsonObject } from "../../json.ts";
import { newUserRow, type RequiredDefaults } from "../user-fields.ts";
import { profileOnceChanges } from "./profile.ts";
import { MAX_PROPERTIES_BYTES, mergeUserProperties, propertiesTooLarge } from "./properties.ts";
import type { PushTokenValue } from "./push-tokens.ts";
import { editTags, MAX_TAGS_PER_USER } from "./tags.ts";
import type { ParsedUpsert } from "./upsert-input.ts";

/** A user as an upsert sees it; its push tokens are known only when the upsert sets them. */
export type UserState = { row: User; pushTokens?: PushTokenValue[] };

/** What a new user holds where a column cannot be null: the database's defaults, but version 0 (not stored yet). */
const NEW_USER: Omit<RequiredDefaults, "incarnation"> = {
  status: "ACTIVE",
  tags: [],
  properties: {},
  webPushSubscriptions: [],
  unsubscribedEmail: false,
  unsubscribedTexting: false,
  version: 0,
  sessionsCount: 0,
  platforms: [],
  hasPushToken: false,
  developerMode: false,
  darkMode: false,
};

/** The user as it is before it is stored: version 0, every field at its default. */
export function blankUser(projectId: string, id: string, now: Date): UserState {
  return { row: newUserRow(projectId, id, now, { ...NEW_USER, incarnation: randomUUID() }), pushTokens: [] };
}

const definedOnly = <Fields extends object>(fields: Fields) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<Fields>;

/**
 * The user after one upsert. Returns `before` itself when nothing changes;
 * otherwise the version grows by one. Throws VersionConflictError when
 * `expectedVersion` is not the current one, and ValidationError when the
 * merged tags or properties exceed the contract's bounds.
 */
export function applyUpsert(before: UserState, upsert: ParsedUpsert, now: Date): UserState {
  const {
    id: _id,
    options,
    createdAt,
    properties,
    propertiesOnce,
    profileOnce,
    tags,
    addTags,
    removeTags,
    pushTokens,
    ...columns
  } = upsert;
  const current = before.row;
  if (options.expectedVersion != null && options.expectedVersion !== current.version) {
    throw new VersionConflictError(current.version);
  }
  const isNew = current.version === 0;
  // A copy with its fields set in place, never new ones added: it stays in V8's fast mode (see newUserRow).
  const row: User = { ...current };
  Object.assign(row, definedOnly(columns));
  row.properties = mergeUserProperties(current.properties as JsonObject, { properties, propertiesOnce }) as User["properties"];
  row.tags = editTags(current.tags, { tags, addTags, removeTags });
  row.createdAt = isNew && createdAt ? createdAt : current.createdAt;
  row.lastSeenAt = options.touchLastSeen ? now : current.lastSeenAt;
  Object.assign(row, profileOnceChanges(row, profileOnce));
  const problems: FieldProblem[] = [];
  if (row.tags.length > MAX_TAGS_PER_USER && (tags !== undefined || addTags != null)) {
    const field = tags !== undefined ? "tags" : "addTags";
    problems.push({ field, reason: "too_many", message: `would leave more than ${MAX_TAGS_PER_USER} tags` });
  }
  if ((properties != null || propertiesOnce != null) && propertiesTooLarge(row.properties as JsonObject)) {
    const field = properties != null ? "properties" : "propertiesOnce";
    problems.push({ field, reason: "too_long", message: `would leave more than ${MAX_PROPERTIES_BYTES} bytes of JSON` });
  }
  if (problems.length > 0) throw new ValidationError(problems);

  const tokens = pushTokens === undefined ? before.pushTokens : (pushTokens ?? []);
  // As the database's triggers keep it (migration `activity`); the tokens are known whenever web push subscriptions are set.
  if (tokens !== undefined) row.hasPushToken = tokens.length > 0 || (row.webPushSubscriptions as unknown[]).length > 0;
  if (!isNew && isDeepStrictEqual(row, current) && isDeepStrictEqual(tokens, before.pushTokens)) return before;
  row.version = current.version + 1;
  row.updatedAt = now;
  return { row, pushTokens: tokens };
}
