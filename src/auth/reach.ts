import type { Prisma } from "../db/generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { Auth } from "./caller.ts";

// What a caller may see and change of its project. Keys see all of it (a user
// token's fields are bound to its own user by their scopes); a member sees its
// organization's subtree and the users in it. Outside its reach a member gets
// the answers it would get if the rows did not exist. Services check reach in
// their own transaction, on the rows they lock or in the statement that writes.

/** The organizations the caller may see, or null for all of the project's. */
export const reachableOrganizations = (auth: Auth): readonly string[] | null => (auth.kind === "member" ? auth.organizationIds : null);

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
 * Locks the user until the transaction ends, so that no other writer changes
 * its organization meanwhile (NO KEY UPDATE: rows referring to it are not
 * held up). NotFoundError when it does not exist or lies outside the caller's reach.
 */
export async function lockUserInReach(tx: Prisma.TransactionClient, auth: Auth, userId: string): Promise<void> {
  const [user] = await tx.$queryRaw<{ organizationId: string | null }[]>`
    SELECT organization_id AS "organizationId" FROM users
    WHERE project_id = ${auth.projectId}::uuid AND id = ${userId} FOR NO KEY UPDATE`;
  if (!user || !organizationInReach(auth, user.organizationId)) throw new NotFoundError("user", userId);
}

/**
 * Why the caller may not upsert the user, or undefined when it may. `stored`
 * is the user as the upsert's transaction locked it (undefined: a new user);
 * `organizationId` what the upsert sets (undefined: unchanged). A member
 * updates users within its reach, creates them in one of its organizations,
 * and cannot move one out.
 */
export function upsertOutOfReach(
  auth: Auth,
  userId: string,
  stored: { organizationId: string | null } | undefined,
  organizationId: string | null | undefined,
): NotFoundError | ValidationError | undefined {
  if (reachableOrganizations(auth) === null) return undefined;
  if (stored && !organizationInReach(auth, stored.organizationId)) return new NotFoundError("user", userId);
  if (organizationId === undefined && stored) return undefined;
  if (organizationId == null) {
    const message = stored ? "a member cannot take a user out of its organizations" : "a member creates users in one of its organizations";
    return new ValidationError([{ field: "organizationId", message, reason: stored ? "invalid" : "required" }]);
  }
  return organizationInReach(auth, organizationId) ? undefined : new NotFoundError("organization", organizationId);
}
