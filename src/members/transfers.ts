import type { Auth } from "../auth/authenticate.ts";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError } from "../errors.ts";
import { assertOrganizationInReach, requireUserInReach } from "./reach.ts";
import { requireRole } from "./roles.ts";

/** Moves a user to another organization, with a new role when one is named. */
export async function transferUser(
  prisma: PrismaClient,
  auth: Auth,
  { userId, organizationId, roleId }: { userId: string; organizationId: string; roleId?: string | null },
  now = new Date(),
) {
  const { projectId } = auth;
  await requireUserInReach(prisma, auth, userId);
  assertOrganizationInReach(auth, organizationId);
  if (!(await prisma.organization.count({ where: { projectId, id: organizationId } }))) {
    throw new NotFoundError("organization", organizationId);
  }
  if (roleId != null) await requireRole(prisma, projectId, roleId);
  return prisma.user.update({
    where: { projectId_id: { projectId, id: userId } },
    data: { organizationId, ...(roleId != null && { roleId }), version: { increment: 1 }, updatedAt: now },
  });
}

export async function updateUserRole(prisma: PrismaClient, auth: Auth, userId: string, roleId: string, now = new Date()) {
  await requireUserInReach(prisma, auth, userId);
  await requireRole(prisma, auth.projectId, roleId);
  return prisma.user.update({
    where: { projectId_id: { projectId: auth.projectId, id: userId } },
    data: { roleId, version: { increment: 1 }, updatedAt: now },
  });
}
