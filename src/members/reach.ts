import type { Auth } from "../auth/authenticate.ts";
import type { Prisma, PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { organizationSubtree } from "../users/user-filter.ts";

// What a caller may see of its project. Keys see all of it; a member sees its
// organization's subtree and the users in it. Outside its reach a member gets
// the answers it would get if the rows did not exist.

export async function organizationSubtreeIds(prisma: PrismaClient, projectId: string, organizationId: string) {
  const rows = await prisma.$queryRaw<{ id: string }[]>`SELECT id FROM ${organizationSubtree(projectId, organizationId)} AS s`;
  return rows.map((row) => row.id).sort();
}

/** The organizations the caller may see, or null for all of the project's. */
export const reachableOrganizations = (auth: Auth): readonly string[] | null =>
  auth.kind === "member" ? auth.organizationIds : null;

export function organizationInReach(auth: Auth, organizationId: string | null): boolean {
  const reachable = reachableOrganizations(auth);
  return reachable === null || (organizationId !== null && reachable.includes(organizationId));
}

/** A condition on users: those the caller may see. */
export function usersInReach(auth: Auth): Prisma.UserWhereInput {
  const reachable = reachableOrganizations(auth);
  return reachable === null ? {} : { organizationId: { in: [...reachable] } };
}

/** NotFoundError when a member names an organization outside its reach. */
export function assertOrganizationInReach(auth: Auth, organizationId: string): void {
  if (!organizationInReach(auth, organizationId)) throw new NotFoundError("organization", organizationId);
}

/**
 * NotFoundError when a member names a user outside its reach; whether the user
 * exists at all is for the caller to find out, as it would for a key.
 * Resolves to whether the user exists (always true for keys, which are not checked).
 */
export async function assertUserInReach(prisma: PrismaClient, auth: Auth, userId: string): Promise<boolean> {
  if (reachableOrganizations(auth) === null) return true;
  const user = await prisma.user.findUnique({
    where: { projectId_id: { projectId: auth.projectId, id: userId } },
    select: { organizationId: true },
  });
  if (user && !organizationInReach(auth, user.organizationId)) throw new NotFoundError("user", userId);
  return user !== null;
}

/**
 * A member writes users within its reach only: it updates users there, creates
 * them in one of its organizations, and cannot move one out.
 */
export async function assertUpsertInReach(
  prisma: PrismaClient,
  auth: Auth,
  userId: string,
  organizationId: string | null | undefined,
): Promise<void> {
  const exists = await assertUserInReach(prisma, auth, userId);
  if (reachableOrganizations(auth) === null) return;
  if (organizationId === undefined && exists) return;
  if (organizationId == null) {
    const message = exists ? "a member cannot take a user out of its organizations" : "a member creates users in one of its organizations";
    throw new ValidationError([{ field: "organizationId", message, reason: exists ? "invalid" : "required" }]);
  }
  assertOrganizationInReach(auth, organizationId);
}

/** NotFoundError unless the user exists within the caller's reach. */
export async function requireUserInReach(prisma: PrismaClient, auth: Auth, userId: string): Promise<void> {
  const user = await prisma.user.findUnique({
    where: { projectId_id: { projectId: auth.projectId, id: userId }, ...usersInReach(auth) },
    select: { id: true },
  });
  if (!user) throw new NotFoundError("user", userId);
}
