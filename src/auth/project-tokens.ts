import { randomBytes } from "node:crypto";
import { decodeJwt, jwtVerify, SignJWT } from "jose";
import type { PrismaClient } from "../db/generated/prisma/client.ts";

// Tokens a project signs with its own key: user tokens for client apps and
// members' access tokens. The issuer is the project's id, so a token is bound
// to its project twice over: by the project's signing key and by that claim;
// the audience keeps one kind of token from passing for the other. Every
// token is for one user and carries that user's incarnation: a token is
// taken only while the same user (not one re-created under its id) exists.
const ALGORITHM = "HS256";
const INCARNATION = "inc";

export type ProjectTokenClaims = {
  projectId: string;
  audience: string;
  subject: string;
  incarnation: string;
  issuedAt: Date;
  expiresAt: Date;
  extra?: Record<string, string | null>;
};

/** The user a verified token was signed for, and which incarnation of it. */
export type TokenHolder = { userId: string; incarnation: string };

export function signProjectToken(secret: string, claims: ProjectTokenClaims): Promise<string> {
  return new SignJWT({ ...claims.extra, [INCARNATION]: claims.incarnation })
    .setProtectedHeader({ alg: ALGORITHM })
    .setIssuer(claims.projectId)
    .setAudience(claims.audience)
    .setSubject(claims.subject)
    .setIssuedAt(claims.issuedAt)
    .setExpirationTime(claims.expiresAt)
    .sign(secretBytes(secret));
}

/** Whom a token was signed for, or undefined when it is forged, expired, another project's or another kind. */
export async function verifyProjectToken(
  secret: string,
  projectId: string,
  audience: string,
  token: string,
): Promise<TokenHolder | undefined> {
  try {
    const { payload } = await jwtVerify(token, secretBytes(secret), {
      algorithms: [ALGORITHM],
      issuer: projectId,
      audience,
      requiredClaims: ["sub", "exp", INCARNATION],
    });
    const incarnation = payload[INCARNATION];
    return typeof incarnation === "string" ? { userId: payload.sub!, incarnation } : undefined;
  } catch {
    return undefined;
  }
}

/** The project a token claims to come from, read without trusting it: only to find the key that verifies it. */
export function claimedProject(token: string): string | undefined {
  try {
    return decodeJwt(token).iss;
  } catch {
    return undefined;
  }
}

/** JWT times are whole seconds: the expiry a token signed now really carries. */
export const tokenExpiry = (now: Date, lifetimeSeconds: number) => new Date((Math.floor(now.getTime() / 1000) + lifetimeSeconds) * 1000);

/**
 * The project's signing secret, made on first use. Concurrent first uses race
 * on `WHERE token_signing_secret IS NULL`: one write wins, the rest read it.
 */
export async function signingSecret(prisma: PrismaClient, projectId: string): Promise<string> {
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
