import type { SqlTransaction } from "../../db/direct-reads.ts";
import { Prisma } from "../../db/generated/prisma/client.ts";

/**
 * The ids among `ids` that name no organization of the project. The ones
 * found are share-locked until the transaction ends, so none is deleted
 * before the users referring to it are written.
 */
export async function findMissingOrganizations(tx: SqlTransaction, projectId: string, ids: readonly string[]): Promise<Set<string>> {
  const missing = new Set(ids);
  if (missing.size === 0) return missing;
  const found = await tx.rows<{ id: string }>(Prisma.sql`
    SELECT id FROM organizations
    WHERE project_id = ${projectId}::uuid AND id = ANY(${[...missing]}::text[])
    ORDER BY id
    FOR KEY SHARE`);
  for (const { id } of found) missing.delete(id);
  return missing;
}
