import type { User } from "../db/generated/prisma/client.ts";
import { changedPaths } from "./changed-fields.ts";
import type { NewDirectoryEvent } from "./event-types.ts";

/**
 * Fields no event names: bookkeeping (version, times), activity (lastSeenAt,
 * lastLoginAt, sessionsCount, platforms: not a change of the directory),
 * what is derived from a reported field (hasPushToken, from pushTokens and
 * webPushSubscriptions) and secrets (the password hash).
 */
const UNREPORTED = new Set<string>([
  "projectId",
  "id",
  "version",
  "createdAt",
  "updatedAt",
  "lastSeenAt",
  "lastLoginAt",
  "sessionsCount",
  "platforms",
  "hasPushToken",
  "passwordHash",
  "incarnation",
]);

/** A user as one write found and left it; push tokens only when the write set them. */
export type UserChange = { before: User; after: User; pushTokens?: { before: unknown; after: unknown } };

/** What changed in a user: its fields, `properties.<key>` for custom properties, `pushTokens`. */
export function changedUserFields({ before, after, pushTokens }: UserChange): string[] {
  const fields = Object.keys(after)
    .filter((field) => !UNREPORTED.has(field))
    .flatMap((field) => {
      const was = before[field as keyof User];
      const is = after[field as keyof User];
      // The same primitive (most fields of most writes): unchanged, without a deep comparison (bulk writes compare 1000 users).
      if (was === is) return [];
      return changedPaths({ [field]: was }, { [field]: is }, field === "properties" ? 2 : 1);
    });
  if (pushTokens && changedPaths(pushTokens.before ?? [], pushTokens.after ?? [], 0, "pushTokens").length > 0) fields.push("pushTokens");
  return fields.sort();
}

/** USER_CREATED for a user stored for the first time (version 0 before), USER_UPDATED otherwise; none when nothing reported changed. */
export function userEvents(changes: readonly UserChange[]): NewDirectoryEvent[] {
  return changes.flatMap((change) => {
    const changedFields = changedUserFields(change);
    const created = change.before.version === 0;
    if (changedFields.length === 0 && !created) return [];
    return [{ type: created ? "USER_CREATED" : "USER_UPDATED", userId: change.after.id, changedFields, version: change.after.version }];
  });
}
