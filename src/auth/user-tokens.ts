import { randomBytes } from "node:crypto";
import { SignJWT, jwtVerify } from "jose";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError } from "../graphql/errors.ts";
import { requestError } from "../graphql/request-errors.ts";

/** How long a user token lives unless the caller says otherwise, and the bounds it may ask for. */
export const TOKEN_LIFETIME = { defaultSeconds: 3600, minSeconds: 60, maxSeconds: 7 * 24 * 3600 } as const;

// The issuer is the project's id, so a token is bound to its project twice over:
// by the project's own signing key and by this claim.
const AUDIENCE = "user-directory";
const ALGORITHM = "HS256";

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
  const user = await prisma.user.findUnique({ where: { projectId_id: { projectId, id: userId } }, select: { id: true } });
  if (!user) throw new NotFoundError("user", userId);
  const secret = await signingSecret(prisma, projectId);
  // JWT times are whole seconds; report the expiry the token really carries.
  const expiresAt = new Date((Math.floor(now.getTime() / 1000) + lifetimeSeconds) * 1000);
  return { token: await signUserToken(secret, { projectId, userId, issuedAt: now, expiresAt }), expiresAt };
}

export function signUserToken(
  secret: string,
  claims: { projectId: string; userId: string; issuedAt: Date; expiresAt: Date },
): Promise<string> {
  return new SignJWT()
    .setProtectedHeader({ alg: ALGORITHM })
    .setIssuer(claims.projectId)
    .setAudience(AUDIENCE)
    .setSubject(claims.userId)
    .setIssuedAt(claims.issuedAt)
    .setExpirationTime(claims.expiresAt)
    .sign(secretBytes(secret));
}

/** The user id a token was signed for, or undefined when it is forged, expired or another project's. */
export async function verifyUserToken(secret: string, projectId: string, token: string): Promise<string | undefined> {
  try {
    const { payload } = await jwtVerify(token, secretBytes(secret), {
      algorithms: [ALGORITHM],
      issuer: projectId,
      audience: AUDIENCE,
      requiredClaims: ["sub", "exp"],
    });
    return payload.sub;
  } catch {
    return undefined;
  }
}

/**
 * The project's signing secret, made on first use. Concurrent first uses race
 * on `WHERE token_signing_secret IS NULL`: one write wins, the rest read it.
 */
async function signingSecret(prisma: PrismaClient, projectId: string): Promise<string> {
  await prisma.project.updateMany({
    where: { id: projectId, tokenSigningSecret: null },
    data: { tokenSigningSecret: randomBytes(32).toString("base64url") },
  });
  const { tokenSigningSecret } = await prisma.project.findUniqueOrThrow({
    where: { id: projectId },
    select: { tokenSigningSecret: true },
  });
  return tokenSigningSecret!;
}

const secretBytes = (secret: string) => Buffer.from(secret, "base64url");
