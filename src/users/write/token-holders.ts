import type { SqlTransaction } from "../../db/direct-reads.ts";
import { Prisma, type User } from "../../db/generated/prisma/client.ts";
import type { PushTokenValue } from "./push-tokens.ts";
import { lockUsers } from "./user-rows.ts";

type TokenKey = Pick<PushTokenValue, "provider" | "token">;

/** The users of the project who hold any of these tokens now. */
async function tokenHolders(tx: SqlTransaction, projectId: string, tokens: string): Promise<string[]> {
  const rows = await tx.rows<{ userId: string }>(Prisma.sql`
    SELECT DISTINCT p.user_id AS "userId" FROM push_tokens p
    JOIN jsonb_to_recordset(${tokens}::jsonb) AS t(provider "PushProvider", token text)
      ON p.provider = t.provider AND p.token = t.token
    WHERE p.project_id = ${projectId}::uuid`);
  return rows.map(({ userId }) => userId);
}

/**
 * Reads and locks the users that exist among `ids`, and with them every
 * other user holding one of the `claimed` tokens, in one id-ordered
 * statement. Taking a token changes its holder too (replacePushTokens), so
 * the holder must be locked; locked after the claimant, two users taking
 * each other's tokens would each hold themselves and wait for the other.
 *
 * A token that moves or appears between looking for its holders and locking
 * them brings a holder we do not hold. Locking it then would break the order,
 * so the locks are released back to a savepoint and taken again, with it,
 * in one ordered statement. Returns the rows of `ids`.
 */
export async function lockUsersAndTokenHolders(
  tx: SqlTransaction,
  projectId: string,
  ids: readonly string[],
  claimed: readonly TokenKey[],
): Promise<User[]> {
  if (claimed.length === 0) return lockUsers(tx, projectId, ids);
  const tokens = JSON.stringify(claimed.map(({ provider, token }) => ({ provider, token })));
  const locking = new Set([...ids, ...(await tokenHolders(tx, projectId, tokens))]);
  for (;;) {
    await tx.execute(Prisma.sql`SAVEPOINT lock_token_holders`);
    const rows = await lockUsers(tx, projectId, [...locking]);
    const unlocked = (await tokenHolders(tx, projectId, tokens)).filter((id) => !locking.has(id));
    if (unlocked.length === 0) {
      await tx.execute(Prisma.sql`RELEASE SAVEPOINT lock_token_holders`);
      const wanted = new Set(ids);
      return rows.filter((row) => wanted.has(row.id));
    }
    await tx.execute(Prisma.sql`ROLLBACK TO SAVEPOINT lock_token_holders`);
    for (const id of unlocked) locking.add(id);
  }
}
