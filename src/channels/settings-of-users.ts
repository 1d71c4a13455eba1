import type { ChannelProvider, ChannelSettings, PrismaClient } from "../db/generated/prisma/client.ts";
import type { ChannelSettingsWithChannel } from "./channel-settings.ts";

type ChannelSettingsRow = ChannelSettings & {
  channelName: string;
  channelProvider: ChannelProvider;
  channelCreatedAt: Date;
  channelUpdatedAt: Date;
};

/**
 * The settings of all these users with their channels, each user's ordered by
 * channel name. One statement: Prisma's `include` would load the channels
 * with a second one.
 */
export async function channelSettingsOfUsers(
  prisma: PrismaClient,
  projectId: string,
  userIds: readonly string[],
): Promise<ChannelSettingsWithChannel[]> {
  const rows = await prisma.$queryRaw<ChannelSettingsRow[]>`
    SELECT s.project_id AS "projectId", s.user_id AS "userId", s.channel_id AS "channelId", s.settings,
           s.created_at AS "createdAt", s.updated_at AS "updatedAt",
           c.name AS "channelName", c.provider AS "channelProvider",
           c.created_at AS "channelCreatedAt", c.updated_at AS "channelUpdatedAt"
    FROM channel_settings s JOIN channels c ON c.id = s.channel_id
    WHERE s.project_id = ${projectId}::uuid AND s.user_id = ANY(${userIds}::text[])
    ORDER BY c.name`;
  return rows.map(({ channelName, channelProvider, channelCreatedAt, channelUpdatedAt, ...settings }) => ({
    ...settings,
    channel: {
      id: settings.channelId,
      projectId,
      name: channelName,
      provider: channelProvider,
      createdAt: channelCreatedAt,
      updatedAt: channelUpdatedAt,
    },
  }));
}
