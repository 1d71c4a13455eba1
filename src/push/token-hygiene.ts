import type { Prisma } from "../db/generated/prisma/client.ts";
import { recordDirectoryEvents } from "../events/record.ts";
import type { JsonObject } from "../json.ts";
import type { PushTarget } from "./push-targets.ts";

type Transaction = Prisma.TransactionClient;

const withoutEndpoints = (value: unknown, gone: Set<string>) =>
  (Array.isArray(value) ? value : []).filter((item) => !gone.has(String((item as JsonObject | null)?.endpoint)));

/**
 * Removes the tokens and subscriptions the providers said are gone: the
 * user's own (push_tokens, webPushSubscriptions) and those in channel
 * settings (a settings row left empty is deleted, as its schema needs one).
 * Each user that lost one changes: version and updatedAt. Runs in the
 * caller's transaction; user rows are locked first, in id order, as every
 * writer of users does.
 */
export async function removeGoneTargets(tx: Transaction, projectId: string, gone: readonly PushTarget[], now: Date): Promise<void> {
  if (gone.length === 0) return;
  const userIds = [...new Set(gone.map((target) => target.userId))].sort();
  await tx.$queryRaw`SELECT 1 FROM users WHERE project_id = ${projectId}::uuid AND id = ANY(${userIds}::text[]) ORDER BY id FOR NO KEY UPDATE`;
  // user id → the fields that lost an entry (pushTokens, webPushSubscriptions, channelSettings.<channel id>)
  const changed = new Map<string, Set<string>>();
  const note = (userId: string, field: string) => changed.set(userId, (changed.get(userId) ?? new Set()).add(field));

  const ownTokens = gone.filter((target) => target.channelId === null && target.provider !== "WEB_PUSH");
  if (ownTokens.length > 0) {
    const rows = JSON.stringify(ownTokens.map(({ userId, provider, destination }) => ({ userId, provider, token: destination })));
    const removed = await tx.$queryRaw<{ user_id: string }[]>`
      DELETE FROM push_tokens p USING jsonb_to_recordset(${rows}::jsonb) AS g("userId" text, provider "PushProvider", token text)
      WHERE p.project_id = ${projectId}::uuid AND p.user_id = g."userId" AND p.provider = g.provider AND p.token = g.token
      RETURNING p.user_id`;
    for (const row of removed) note(row.user_id, "pushTokens");
  }

  const ownSubscriptions = groupBy(
    gone.filter((target) => target.channelId === null && target.provider === "WEB_PUSH"),
    (target) => target.userId,
  );
  for (const [userId, targets] of ownSubscriptions) {
    const user = await tx.user.findUnique({ where: { projectId_id: { projectId, id: userId } }, select: { webPushSubscriptions: true } });
    const before = Array.isArray(user?.webPushSubscriptions) ? user.webPushSubscriptions : [];
    const kept = withoutEndpoints(before, new Set(targets.map((target) => target.destination)));
    if (kept.length === before.length) continue;
    await tx.user.update({
      where: { projectId_id: { projectId, id: userId } },
      data: { webPushSubscriptions: kept as Prisma.InputJsonArray },
    });
    note(userId, "webPushSubscriptions");
  }

  const inSettings = groupBy(
    gone.filter((target) => target.channelId !== null),
    (target) => JSON.stringify([target.userId, target.channelId]),
  );
  for (const targets of inSettings.values()) {
    const { userId, channelId } = targets[0]!;
    if (await removeFromSettings(tx, { projectId, userId, channelId: channelId! }, new Set(targets.map((target) => target.destination)))) {
      note(userId, `channelSettings.${channelId}`);
    }
  }

  if (changed.size === 0) return;
  const versions = await tx.$queryRaw<{ id: string; version: number }[]>`
    UPDATE users SET version = version + 1, updated_at = ${now}
    WHERE project_id = ${projectId}::uuid AND id = ANY(${[...changed.keys()]}::text[])
    RETURNING id, version`;
  await recordDirectoryEvents(
    tx,
    { kind: "system", projectId },
    versions.map(({ id, version }) => ({ type: "PUSH_TOKEN_REMOVED", userId: id, changedFields: [...changed.get(id)!].sort(), version })),
  );
}

/** Whether anything was removed from the user's settings on the channel. */
async function removeFromSettings(
  tx: Transaction,
  key: { projectId: string; userId: string; channelId: string },
  gone: Set<string>,
): Promise<boolean> {
  const where = { projectId_userId_channelId: key };
  const row = await tx.channelSettings.findUnique({ where, select: { settings: true } });
  if (!row) return false;
  const settings = row.settings as JsonObject;
  const listKey = Array.isArray(settings.device_tokens) ? "device_tokens" : "subscriptions";
  const before = Array.isArray(settings[listKey]) ? (settings[listKey] as unknown[]) : [];
  const kept = listKey === "device_tokens" ? before.filter((token) => !gone.has(String(token))) : withoutEndpoints(before, gone);
  if (kept.length === before.length) return false;
  if (kept.length === 0) await tx.channelSettings.delete({ where });
  else await tx.channelSettings.update({ where, data: { settings: { ...settings, [listKey]: kept } as Prisma.InputJsonObject } });
  return true;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}
