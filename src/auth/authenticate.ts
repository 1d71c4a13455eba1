import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { requestError } from "../graphql/request-errors.ts";
import type { Auth, ProjectAuth, PublishableKeyAuth, SecretKeyAuth, UserTokenAuth } from "./caller.ts";
import { hashesEqual, hashKey, type KeyKind, type Scope } from "./keys.ts";
import { authenticateMember } from "./member-auth.ts";
import type { SecretKeyCache } from "./secret-key-cache.ts";
import { verifyUserToken } from "./user-tokens.ts";

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Resolves the request's credentials to a project and a caller. Every query
 * the request makes is scoped by the project found here, never by client input.
 *
 * - `Authorization: Bearer sk_…` alone: a secret key.
 * - `x-api-key: pk_…` with `Authorization: Bearer <user token>`: one user.
 * - `x-api-key: pk_…` alone: only the sign-up and sign-in mutations.
 * - `Authorization: Bearer <access token>` from `signIn`: a dashboard member.
 *
 * Secret keys found valid are kept in `secretKeys` for a few seconds (see
 * secret-key-cache.ts); publishable keys, the users of tokens and members are
 * read anew on every request.
 */
export async function authenticate(prisma: PrismaClient, headers: Headers, secretKeys: SecretKeyCache): Promise<Auth> {
  const bearer = BEARER.exec(headers.get("authorization") ?? "")?.[1];
  const publishableKey = headers.get("x-api-key")?.trim();
  if (publishableKey) return authenticateUserToken(prisma, publishableKey, bearer);
  if (bearer?.startsWith("sk_")) {
    const hash = hashKey(bearer);
    return secretKeys.get(hash, () => authenticateSecretKey(prisma, hash));
  }
  if (bearer) return authenticateMember(prisma, bearer);
  throw requestError(
    "UNAUTHENTICATED",
    "Send a secret key as `Authorization: Bearer sk_…`, a member's access token as `Authorization: Bearer …`, or a publishable key as `x-api-key: pk_…` (with a user token as `Authorization: Bearer …`).",
  );
}

async function authenticateSecretKey(prisma: PrismaClient, hash: string): Promise<SecretKeyAuth> {
  const found = await prisma.apiKey.findUnique({ where: { hash }, select: KEY_FIELDS });
  assertUsable(found, hash, "SECRET");
  // Frozen: a cached key's auth is shared by every request that sends the key.
  return { kind: "secretKey", ...projectAuth(found), keyId: found.id, scopes: Object.freeze(found.scopes as Scope[]) };
}

async function authenticateUserToken(
  prisma: PrismaClient,
  key: string,
  token: string | undefined,
): Promise<UserTokenAuth | PublishableKeyAuth> {
  if (!key.startsWith("pk_")) throw requestError("UNAUTHENTICATED", "x-api-key takes a publishable key (pk_…).");
  const hash = hashKey(key);
  const found = await prisma.apiKey.findUnique({
    where: { hash },
    select: { ...KEY_FIELDS, project: { select: { cursorSecret: true, tokenSigningSecret: true } } },
  });
  assertUsable(found, hash, "PUBLISHABLE");
  if (!token) return { kind: "publishableKey", ...projectAuth(found), keyId: found.id };
  const secret = found.project.tokenSigningSecret;
  const userId = secret ? await verifyUserToken(prisma, secret, found.projectId, token) : undefined;
  if (userId === undefined) throw requestError("UNAUTHENTICATED", "The user token is not valid for this key's project.");
  return { kind: "userToken", ...projectAuth(found), keyId: found.id, userId };
}

// One statement finds the key and what its project needs to serve the request.
const KEY_FIELDS = {
  id: true,
  projectId: true,
  hash: true,
  scopes: true,
  kind: true,
  revokedAt: true,
  project: { select: { cursorSecret: true } },
} as const;

const projectAuth = (key: { projectId: string; project: { cursorSecret: string } }): ProjectAuth => ({
  projectId: key.projectId,
  cursorSecret: key.project.cursorSecret,
});
type KeyRow = { hash: string; kind: KeyKind; revokedAt: Date | null };

function assertUsable<Row extends KeyRow>(found: Row | null, hash: string, kind: KeyKind): asserts found is Row {
  if (!found || found.kind !== kind || found.revokedAt || !hashesEqual(found.hash, hash)) {
    throw requestError("UNAUTHENTICATED", "The key is not valid.");
  }
}
