import { z } from "zod";
import type { Auth } from "../auth/caller.ts";
import { lockUserInReach } from "../auth/reach.ts";
import type { PrismaClient, User } from "../db/generated/prisma/client.ts";
import { ValidationError } from "../errors.ts";
import { recordDirectoryEvents } from "../events/record.ts";
import { userEvents } from "../events/user-events.ts";
import { callerId } from "../validation/ids.ts";
import { parseOrThrow } from "../validation/problems.ts";

/** For a setting that cannot be null: null in the input turns it off. */
const setting = z
  .boolean()
  .nullish()
  .transform((value) => (value === null ? false : value));

const uiSettingsSchema = z.strictObject({ userId: callerId, developerMode: setting, darkMode: setting });

/** What updateUiSettings accepts (ui-settings-schema.ts names exactly these fields). */
export type UiSettingsInput = { [Field in Exclude<keyof z.input<typeof uiSettingsSchema>, "userId">]?: unknown };

/**
 * Whose settings a caller changes: a user token's and a member's own when
 * `userId` is left out; a secret key (or a member with users:write, within its
 * reach, which the authScopes check) names the user.
 */
function targetUser(caller: Auth, userId: string | null | undefined): string {
  if (userId != null) return userId;
  if (caller.kind === "userToken" || caller.kind === "member") return caller.userId;
  throw new ValidationError([{ field: "userId", reason: "required", message: "a secret key names the user" }]);
}

/**
 * Changes the user's UI settings (a setting left out stays) in one
 * transaction holding its row lock; version grows by one when one changes,
 * and the change feed records USER_UPDATED (`uiSettings` fields).
 * NotFoundError when the user does not exist or lies outside a member's reach.
 */
export async function updateUiSettings(
  prisma: PrismaClient,
  caller: Auth,
  userId: string | null | undefined,
  input: UiSettingsInput,
): Promise<{ user: User }> {
  const { userId: id, ...settings } = parseOrThrow(uiSettingsSchema, { ...input, userId: targetUser(caller, userId) });
  return prisma.$transaction(async (tx) => {
    await lockUserInReach(tx, caller, id);
    const where = { projectId_id: { projectId: caller.projectId, id } };
    const current = await tx.user.findUniqueOrThrow({ where });
    const changed = Object.entries(settings).some(([key, value]) => value !== undefined && value !== current[key as keyof typeof settings]);
    if (!changed) return { user: current };
    const user = await tx.user.update({ where, data: { ...settings, version: { increment: 1 }, updatedAt: new Date() } });
    await recordDirectoryEvents(tx, caller, userEvents([{ before: current, after: user }]));
    return { user };
  });
}
