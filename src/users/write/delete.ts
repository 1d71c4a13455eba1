import type { Auth } from "../../auth/caller.ts";
import { usersInReach } from "../../auth/reach.ts";
import type { PrismaClient } from "../../db/generated/prisma/client.ts";
import { NotFoundError } from "../../errors.ts";
import { recordDirectoryEvent } from "../../events/record.ts";

/**
 * Deletes the user, when it is in the caller's reach; its push tokens and
 * channel settings go with it (foreign keys cascade). The deletion and its
 * event are one transaction.
 */
export async function deleteUser(prisma: PrismaClient, caller: Auth, id: string): Promise<{ id: string }> {
  return prisma.$transaction(async (tx) => {
    const [deleted] = await tx.user.findMany({
      where: { projectId: caller.projectId, id, ...usersInReach(caller) },
      select: { organizationId: true, version: true },
    });
    const { count } = deleted
      ? await tx.user.deleteMany({ where: { projectId: caller.projectId, id, ...usersInReach(caller) } })
      : { count: 0 };
    if (!deleted || count === 0) throw new NotFoundError("user", id);
    await recordDirectoryEvent(tx, caller, {
      type: "USER_DELETED",
      userId: id,
      organizationId: deleted.organizationId,
      version: deleted.version,
    });
    return { id };
  });
}
