import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError } from "../errors.ts";

/** Deletes the user; its push tokens and channel settings go with it (foreign keys cascade). */
export async function deleteUser(prisma: PrismaClient, projectId: string, id: string): Promise<{ id: string }> {
  const { count } = await prisma.user.deleteMany({ where: { projectId, id } });
  if (count === 0) throw new NotFoundError("user", id);
  return { id };
}
