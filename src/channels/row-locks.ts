import type { Prisma } from "../db/generated/prisma/client.ts";
import { NotFoundError } from "../errors.ts";
import type { ChannelSummary } from "./channels.ts";

// The row locks settings writes take, always in this order: the channel, then the user (lockUserInReach).

/**
 * The channel, kept from deletion until the transaction ends. KEY SHARE lets
 * renames and other users' settings writes through.
 */
export async function lockChannel(tx: Prisma.TransactionClient, projectId: string, channelId: string): Promise<ChannelSummary> {
  const [channel] = await tx.$queryRaw<ChannelSummary[]>`
    SELECT id, project_id AS "projectId", name, provider, created_at AS "createdAt", updated_at AS "updatedAt"
    FROM channels WHERE id = ${channelId}::uuid AND project_id = ${projectId}::uuid
    FOR KEY SHARE`;
  if (!channel) throw new NotFoundError("channel", channelId);
  return channel;
}
