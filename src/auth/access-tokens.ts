import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { signingSecret, signProjectToken, tokenExpiry, verifyProjectToken } from "./project-tokens.ts";

const AUDIENCE = "user-directory:member";

/** Short-lived: a suspended member's token stops at once anyway, but a stolen one should not last. */
export const ACCESS_TOKEN_SECONDS = 15 * 60;

export type Member = { projectId: string; id: string; incarnation: string; organizationId: string | null; roleId: string | null };

/** A dashboard member's access token, carrying its project, user, organization and role. */
export async function signAccessToken(prisma: PrismaClient, member: Member, now = new Date()) {
  const secret = await signingSecret(prisma, member.projectId);
  const expiresAt = tokenExpiry(now, ACCESS_TOKEN_SECONDS);
  const accessToken = await signProjectToken(secret, {
    projectId: member.projectId,
    audience: AUDIENCE,
    subject: member.id,
    incarnation: member.incarnation,
    issuedAt: now,
    expiresAt,
    extra: { org: member.organizationId, role: member.roleId },
  });
  return { accessToken, expiresAt };
}

/** The member the token was signed for, or undefined when it is not a valid access token of this project. */
export const verifyAccessToken = (secret: string, projectId: string, token: string) =>
  verifyProjectToken(secret, projectId, AUDIENCE, token);
