import { Prisma } from "../db/generated/prisma/client.ts";

export type DeviceTokenClaim = { projectId: string; channelId: string; userId: string; tokens: readonly string[] };

/**
 * A device belongs to one person: the tokens `userId` claims on a channel are
 * taken from every other user's settings on it, and settings left without a
 * token are deleted. Call inside the transaction that writes the claimant's
 * settings.
 */
export async function takeDeviceTokens(tx: Prisma.TransactionClient, claim: DeviceTokenClaim): Promise<void> {
  const { projectId, channelId, userId, tokens } = claim;
  // Serialises claims per channel. Two users taking each other's devices at
  // once would otherwise lock each other's rows in opposite orders. NO KEY
  // UPDATE leaves the share locks of foreign keys (other settings writes) alone.
  await tx.$queryRaw`SELECT 1 FROM channels WHERE id = ${channelId}::uuid FOR NO KEY UPDATE`;

  const claimed = JSON.stringify(tokens);
  // One containment test per token: a GIN index on settings (jsonb_path_ops) serves each of them.
  const holdsAClaimedToken = Prisma.join(
    tokens.map((token) => Prisma.sql`settings @> ${JSON.stringify({ device_tokens: [token] })}::jsonb`),
    " OR ",
  );
  const otherHolders = Prisma.sql`project_id = ${projectId}::uuid AND channel_id = ${channelId}::uuid
    AND user_id <> ${userId} AND (${holdsAClaimedToken})`;

  await tx.$executeRaw`DELETE FROM channel_settings
    WHERE ${otherHolders} AND settings -> 'device_tokens' <@ ${claimed}::jsonb`;
  await tx.$executeRaw`UPDATE channel_settings
    SET updated_at = CURRENT_TIMESTAMP,
        settings = jsonb_set(settings, '{device_tokens}', (
          SELECT jsonb_agg(token ORDER BY position)
          FROM jsonb_array_elements(settings -> 'device_tokens') WITH ORDINALITY AS kept (token, position)
          WHERE NOT ${claimed}::jsonb @> jsonb_build_array(token)))
    WHERE ${otherHolders}`;
}
