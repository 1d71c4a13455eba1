import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError } from "../errors.ts";
import { requestError } from "../graphql/request-errors.ts";
import { signingSecret, signProjectToken, tokenExpiry, verifyProjectToken } from "./project-tokens.ts";

/** How long a user token lives unless the caller says otherwise, and the bounds it may ask for. */
export const TOKEN_LIFETIME = { defaultSeconds: 3600, minSeconds: 60, maxSeconds: 7 * 24 * 3600 } as const;

const AUDIENCE = "user-directory";

export type UserToken = { token: string; expiresAt: Date };

/** Signs a token that lets one user of the project act as itself through a publishable key. */
export async function createUserToken(
  prisma: PrismaClient,
  projectId: string,
  userId: string,
  lifetimeSeconds: number,
  now = new Date(),
): Promise<UserToken> {
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds < TOKEN_LIFETIME.minSeconds || lifetimeSeconds > TOKEN_LIFETIME.maxSeconds) {
    throw requestError("BAD_USER_INPUT", "expiresInSeconds is out of range.", {
      field: "expiresInSeconds",
      min: TOKEN_LIFETIME.minSeconds,
      max: TOKEN_LIFETIME.maxSeconds,
    });
  }
  const user = await prisma.user.findUnique({
    where: { projectId_id: { projectId, id: userId } },
    select: { incarnation: true },
  });
  if (!user) throw new NotFoundError("user", userId);
  const secret = await signingSecret(prisma, projectId);
  const expiresAt = tokenExpiry(now, lifetimeSeconds);
  const claims = { projectId, userId, incarnation: user.incarnation, issuedAt: now, expiresAt };
  return { token: await signUserToken(secret, claims), expiresAt };
}

export function signUserToken(
  secret: string,
  claims: { projectId: string; userId: string; incarnation: string; issuedAt: Date; expiresAt: Date },
): Promise<string> {
  return signProjectToken(secret, { ...claims, audience: AUDIENCE, subject: claims.userId });
}

/**
 * The user a token was signed for, or undefined when the token is forged,
 * expired or another project's, or its user was deleted since (even if an
 * upsert has created a user with that id again).
 */
export async function verifyUserToken(prisma: PrismaClient, secret: string, projectId: string, token: string): Promise<string | undefined> {
  const holder = await verifyProjectToken(secret, projectId, AUDIENCE, token);
  if (!holder) return undefined;
  const user = await prisma.user.findUnique({
    where: { projectId_id: { projectId, id: holder.userId } },
    select: { incarnation: true },
  });
  return user?.incarnation === holder.incarnation ? holder.userId : undefined;
}
