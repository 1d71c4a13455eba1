import { readRowsByKey } from "../../db/direct-reads.ts";
import { Prisma, type PrismaClient, type User } from "../../db/generated/prisma/client.ts";
import { normalizeUserFilter, userFilterConditions } from "./user-filter.ts";
import { type UserSelection, userSelectList } from "./user-selection.ts";

/**
 * One user by id, read as a page reads its users: only the selected columns,
 * with the values fields join (the organization) in the same statement. Null
 * when there is none in the project, or it lies outside `reach` (a member's
 * organizations; null: all). `signal`: the request's (see readRows).
 */
export async function readUser(
  prisma: PrismaClient,
  projectId: string,
  id: string,
  reach: readonly string[] | null,
  selection: UserSelection,
  signal?: AbortSignal,
): Promise<User | null> {
  const where = userFilterConditions(projectId, normalizeUserFilter(null, reach));
  const [row] = await readRowsByKey<User>(
    prisma,
    Prisma.sql`SELECT ${userSelectList(selection, [])} FROM users u WHERE ${where} AND u.id = ${id}`,
    signal,
  );
  return row ?? null;
}
