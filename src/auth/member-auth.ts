import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { requestError } from "../graphql/request-errors.ts";
import { organizationSubtreeIds } from "../organizations/subtree.ts";
import { isUuid } from "../validation/ids.ts";
import { verifyAccessToken } from "./access-tokens.ts";
import type { MemberAuth } from "./caller.ts";
import { SCOPES } from "./keys.ts";
import { claimedProject } from "./project-tokens.ts";

/**
 * Verifies an access token and reads the member as it is now, not as the
 * token says: a suspension, a transfer or a role change applies to the next
 * request, without waiting for the token to expire.
 */
export async function authenticateMember(prisma: PrismaClient, token: string): Promise<MemberAuth> {
  const projectId = claimedProject(token);
  const project =
    projectId && isUuid(projectId)
      ? await prisma.project.findUnique({ where: { id: projectId }, select: { tokenSigningSecret: true, cursorSecret: true } })
      : null;
  const holder = project?.tokenSigningSecret ? await verifyAccessToken(project.tokenSigningSecret, projectId!, token) : undefined;
  if (!project || holder === undefined) throw requestError("UNAUTHENTICATED", "The access token is not valid.");
  const { userId } = holder;

  const member = await prisma.user.findUnique({
    where: { projectId_id: { projectId: projectId!, id: userId } },
    select: { incarnation: true, status: true, organizationId: true, role: { select: { permissions: true } } },
  });
  // A user deleted since, or another one created under its id, is not the member the token was for.
  if (member?.incarnation !== holder.incarnation) throw requestError("UNAUTHENTICATED", "The access token is not valid.");
  if (member.status !== "ACTIVE") {
    throw requestError("UNAUTHENTICATED", `The member is ${member.status.toLowerCase()}; its tokens no longer work.`);
  }
  const granted = new Set(member.role?.permissions ?? []);
  return {
    kind: "member",
    projectId: projectId!,
    cursorSecret: project.cursorSecret,
    userId,
    organizationId: member.organizationId,
    permissions: SCOPES.filter((scope) => granted.has(scope)),
    organizationIds: member.organizationId ? await organizationSubtreeIds(prisma, projectId!, member.organizationId) : [],
  };
}
