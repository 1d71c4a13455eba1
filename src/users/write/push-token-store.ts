import type { SqlTransaction } from "../../db/direct-reads.ts";
import { Prisma } from "../../db/generated/prisma/client.ts";
import type { PushTokenValue } from "./push-tokens.ts";

/** The push tokens of these users, each list in its stored order. */
export async function readPushTokens(
  tx: SqlTransaction,
  projectId: string,
  userIds: readonly string[],
): Promise<Map<string, PushTokenValue[]>> {
  const rows = await tx.rows<PushTokenValue & { userId: string }>(Prisma.sql`
    SELECT user_id AS "userId", provider, token, environment, device FROM push_tokens
    WHERE project_id = ${projectId}::uuid AND user_id = ANY(${userIds}::text[])
    ORDER BY user_id, position`);
  const lists = new Map<string, PushTokenValue[]>();
  for (const { userId, provider, token, environment, device } of rows) {
    let list = lists.get(userId);
    if (!list) {
      list = [];
      lists.set(userId, list);
    }
    list.push({ provider, token, environment, device });
  }
  return lists;
}

/**
 * Makes each listed user's tokens exactly its list, in order. A token that
 * another user of the project holds moves to the listed user, and that user
 * changes too (version and updatedAt). Each token belongs to one listed user
 * (see assignTokenOwners). Three statements whatever the number of users.
 * The caller holds the row locks of the listed users and of the tokens'
 * holders, taken in id order (lockUsersAndTokenHolders).
 */
export async function replacePushTokens(
  tx: SqlTransaction,
  projectId: string,
  lists: ReadonlyMap<string, PushTokenValue[]>,
  now: Date,
): Promise<void> {
  const userIds = [...lists.keys()];
  const tokens = JSON.stringify([...lists].flatMap(([userId, list]) => list.map((token, position) => ({ userId, ...token, position }))));
  // Lock the tokens other users hold first, so that none moves elsewhere before ours does.
  await tx.execute(Prisma.sql`
    WITH taken AS (
      SELECT p.user_id FROM push_tokens p
      JOIN jsonb_to_recordset(${tokens}::jsonb) AS t(provider "PushProvider", token text)
        ON p.provider = t.provider AND p.token = t.token
      WHERE p.project_id = ${projectId}::uuid AND p.user_id <> ALL(${userIds}::text[])
      ORDER BY p.provider, p.token
      FOR UPDATE OF p)
    UPDATE users SET version = version + 1, updated_at = ${now}
    WHERE project_id = ${projectId}::uuid AND id IN (SELECT user_id FROM taken)`);
  await tx.execute(Prisma.sql`
    DELETE FROM push_tokens p
    WHERE p.project_id = ${projectId}::uuid AND p.user_id = ANY(${userIds}::text[])
      AND NOT EXISTS (
        SELECT 1 FROM jsonb_to_recordset(${tokens}::jsonb) AS t(provider "PushProvider", token text)
        WHERE t.provider = p.provider AND t.token = p.token)`);
  await tx.execute(Prisma.sql`
    INSERT INTO push_tokens (project_id, user_id, provider, token, environment, device, position)
    SELECT ${projectId}::uuid, t."userId", t.provider, t.token, t.environment, t.device, t.position
    FROM jsonb_to_recordset(${tokens}::jsonb)
      AS t("userId" text, provider "PushProvider", token text, environment "PushEnvironment", device jsonb, position integer)
    ORDER BY t.provider, t.token
    ON CONFLICT (project_id, provider, token) DO UPDATE SET
      user_id = EXCLUDED.user_id, environment = EXCLUDED.environment, device = EXCLUDED.device,
      position = EXCLUDED.position`);
}
