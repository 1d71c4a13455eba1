import type { Channel, ChannelSettings, PrismaClient } from "../db/generated/prisma/client.ts";
import { assertChannelId } from "./channel-id.ts";
import { takeDeviceTokens } from "./device-token-move.ts";
import { lockChannel, lockUser } from "./row-locks.ts";
import { parseProviderSettings } from "./settings-schemas.ts";

export type ChannelSettingsWithChannel = ChannelSettings & { channel: Channel };
export type SetChannelSettingsResult = { channelSettings: ChannelSettingsWithChannel; created: boolean };

/**
 * Creates or replaces a user's settings for a channel, after validating them
 * for the channel's provider. Push tokens move to this user (see
 * takeDeviceTokens) in the same transaction.
 */
export async function setChannelSettings(
  prisma: PrismaClient,
  projectId: string,
  userId: string,
  channelId: string,
  input: unknown,
): Promise<SetChannelSettingsResult> {
  assertChannelId(channelId);
  return prisma.$transaction(async (tx) => {
    const channel = await lockChannel(tx, projectId, channelId);
    const settings = parseProviderSettings(channel.provider, input);
    await lockUser(tx, projectId, userId);
    if ("device_tokens" in settings) {
      await takeDeviceTokens(tx, { projectId, channelId, userId, tokens: settings.device_tokens });
    }
    const key = { projectId, userId, channelId };
    // With the channel and the user locked, no other writer can delete the row between these two statements.
    const [inserted] = await tx.channelSettings.createManyAndReturn({
      data: [{ ...key, settings }],
      skipDuplicates: true,
    });
    const row =
      inserted ?? (await tx.channelSettings.update({ where: { projectId_userId_channelId: key }, data: { settings } }));
    return { channelSettings: { ...row, channel }, created: inserted !== undefined };
  });
}

/** Removes a user's settings for a channel; settings that do not exist are no error, an unknown user or channel is. */
export async function unsetChannelSettings(
  prisma: PrismaClient,
  projectId: string,
  userId: string,
  channelId: string,
): Promise<{ channelId: string }> {
  assertChannelId(channelId);
  return prisma.$transaction(async (tx) => {
    await lockChannel(tx, projectId, channelId);
    await lockUser(tx, projectId, userId);
    await tx.channelSettings.deleteMany({ where: { projectId, userId, channelId } });
    return { channelId };
  });
}
