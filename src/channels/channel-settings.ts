import type { Auth } from "../auth/caller.ts";
import { lockUserInReach } from "../auth/reach.ts";
import type { ChannelSettings, PrismaClient } from "../db/generated/prisma/client.ts";
import { channelSettingsEvent } from "../events/channel-events.ts";
import { recordDirectoryEvents } from "../events/record.ts";
import { assertChannelId } from "./channel-id.ts";
import type { ChannelSummary } from "./channels.ts";
import { takeDeviceTokens } from "./device-token-move.ts";
import { lockChannel } from "./row-locks.ts";
import { parseProviderSettings } from "./settings-schemas.ts";

export type ChannelSettingsWithChannel = ChannelSettings & { channel: ChannelSummary };
export type SetChannelSettingsResult = { channelSettings: ChannelSettingsWithChannel; created: boolean };

/**
 * Creates or replaces a user's settings for a channel, after validating them
 * for the channel's provider. Push tokens move to this user (see
 * takeDeviceTokens) in the same transaction. The user must be in the caller's reach.
 */
export async function setChannelSettings(
  prisma: PrismaClient,
  caller: Auth,
  userId: string,
  channelId: string,
  input: unknown,
): Promise<SetChannelSettingsResult> {
  assertChannelId(channelId);
  const { projectId } = caller;
  return prisma.$transaction(async (tx) => {
    const channel = await lockChannel(tx, projectId, channelId);
    const settings = parseProviderSettings(channel.provider, input);
    await lockUserInReach(tx, caller, userId);
    if ("device_tokens" in settings) {
      await takeDeviceTokens(tx, { projectId, channelId, userId, tokens: settings.device_tokens });
    }
    const key = { projectId, userId, channelId };
    const before = await tx.channelSettings.findUnique({ where: { projectId_userId_channelId: key }, select: { settings: true } });
    // With the channel and the user locked, no other writer can delete the row between these two statements.
    const [inserted] = await tx.channelSettings.createManyAndReturn({
      data: [{ ...key, settings }],
      skipDuplicates: true,
    });
    const row = inserted ?? (await tx.channelSettings.update({ where: { projectId_userId_channelId: key }, data: { settings } }));
    await recordDirectoryEvents(tx, caller, channelSettingsEvent(userId, channelId, before?.settings, settings));
    return { channelSettings: { ...row, channel }, created: inserted !== undefined };
  });
}

/**
 * Removes a user's settings for a channel; settings that do not exist are no
 * error, an unknown channel or a user unknown or outside the caller's reach is.
 */
export async function unsetChannelSettings(
  prisma: PrismaClient,
  caller: Auth,
  userId: string,
  channelId: string,
): Promise<{ channelId: string }> {
  assertChannelId(channelId);
  const { projectId } = caller;
  return prisma.$transaction(async (tx) => {
    await lockChannel(tx, projectId, channelId);
    await lockUserInReach(tx, caller, userId);
    const { count } = await tx.channelSettings.deleteMany({ where: { projectId, userId, channelId } });
    if (count > 0)
      await recordDirectoryEvents(tx, caller, [{ type: "CHANNEL_SETTINGS_UNSET", userId, channelId, changedFields: ["settings"] }]);
    return { channelId };
  });
}
