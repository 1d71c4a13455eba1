import type { Auth } from "../auth/caller.ts";
import { assertOrganizationInReach, lockUserInReach } from "../auth/reach.ts";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError } from "../errors.ts";
import { recordDirectoryEvent, recordDirectoryEvents } from "../events/record.ts";
import { userEvents } from "../events/user-events.ts";
import { requireRole } from "./roles.ts";

/** Moves a user in the caller's reach to another organization there, with a new role when one is named. */
export async function transferUser(
  prisma: PrismaClient,
  caller: Auth,
  { userId, organizationId, roleId }: { userId: string; organizationId: string; roleId?: string | null },
  now = new Date(),
) {
  const { projectId } = caller;
  return prisma.$transaction(async (tx) => {
    await lockUserInReach(tx, caller, userId);
    assertOrganizationInReach(caller, organizationId);
    if (!(await tx.organization.count({ where: { projectId, id: organizationId } }))) {
      throw new NotFoundError("organization", organizationId);
    }
    if (roleId != null) await requireRole(tx, projectId, roleId);
    const where = { projectId_id: { projectId, id: userId } };
    const before = await tx.user.findUniqueOrThrow({ where });
    const user = await tx.user.update({
      where,
      data: { organizationId, ...(roleId != null && { roleId }), version: { increment: 1 }, updatedAt: now },
    });
    await recordDirectoryEvents(tx, caller, userEvents([{ before, after: user }]));
    return user;
  });
}

/** Gives a user in the caller's reach another role. */
export async function updateUserRole(prisma: PrismaClient, caller: Auth, userId: string, roleId: string, now = new Date()) {
  return prisma.$transaction(async (tx) => {
    await lockUserInReach(tx, caller, userId);
    await requireRole(tx, caller.projectId, roleId);
    const where = { projectId_id: { projectId: caller.projectId, id: userId } };
    const before = await tx.user.findUniqueOrThrow({ where, select: { roleId: true } });
    const user = await tx.user.update({ where, data: { roleId, version: { increment: 1 }, updatedAt: now } });
    if (before.roleId !== roleId)
      await recordDirectoryEvent(tx, caller, { type: "MEMBER_ROLE_CHANGED", userId, changedFields: ["roleId"], version: user.version });
    return user;
  });
}
