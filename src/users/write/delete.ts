import type { Auth } from "../../auth/caller.ts";
import { usersInReach } from "../../auth/reach.ts";
import type { PrismaClient } from "../../db/generated/prisma/client.ts";
import { NotFoundError } from "../../errors.ts";

/**
 * Deletes the user, when it is in the caller's reach, in one statement; its
 * push tokens and channel settings go with it (foreign keys cascade).
 */
export async function deleteUser(prisma: PrismaClient, caller: Auth, id: string): Promise<{ id: string }> {
  const { count } = await prisma.user.deleteMany({ where: { projectId: caller.projectId, id, ...usersInReach(caller) } });
  if (count === 0) throw new NotFoundError("user", id);
  return { id };
}
