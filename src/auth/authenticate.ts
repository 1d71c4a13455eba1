import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { requestError } from "../graphql/request-errors.ts";
import { type KeyKind, type Scope, hashesEqual, hashKey } from "./keys.ts";
import { verifyUserToken } from "./user-tokens.ts";

/** What every caller carries: its project, its key, and the key that signs the project's page cursors. */
type ProjectAuth = { projectId: string; keyId: string; cursorSecret: string };
/** A project's secret key: what its scopes allow, in that project. */
export type SecretKeyAuth = ProjectAuth & { kind: "secretKey"; scopes: readonly Scope[] };
/** One user of a project, through a publishable key and a token signed for that user. */
export type UserTokenAuth = ProjectAuth & { kind: "userToken"; userId: string };
export type Auth = SecretKeyAuth | UserTokenAuth;

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Resolves the request's credentials to a project and a caller. Every query
 * the request makes is scoped by the project found here, never by client input.
 *
 * - `Authorization: Bearer sk_…` alone: a secret key.
 * - `x-api-key: pk_…` with `Authorization: Bearer <user token>`: one user.
 *   A publishable key alone names no one, so it is UNAUTHENTICATED like no key.
 */
export async function authenticate(prisma: PrismaClient, headers: Headers): Promise<Auth> {
  const bearer = BEARER.exec(headers.get("authorization") ?? "")?.[1];
  const publishableKey = headers.get("x-api-key")?.trim();
  if (publishableKey) return authenticateUserToken(prisma, publishableKey, bearer);
  if (bearer?.startsWith("sk_")) return authenticateSecretKey(prisma, bearer);
  throw requestError(
    "UNAUTHENTICATED",
    "Send a secret key as `Authorization: Bearer sk_…`, or a publishable key as `x-api-key: pk_…` with a user token as `Authorization: Bearer …`.",
  );
}

async function authenticateSecretKey(prisma: PrismaClient, key: string): Promise<SecretKeyAuth> {
  const hash = hashKey(key);
  const found = await prisma.apiKey.findUnique({ where: { hash }, select: KEY_FIELDS });
  assertUsable(found, hash, "SECRET");
  return { kind: "secretKey", ...projectAuth(found), scopes: found.scopes as Scope[] };
}

async function authenticateUserToken(prisma: PrismaClient, key: string, token: string | undefined): Promise<UserTokenAuth> {
  if (!key.startsWith("pk_")) throw requestError("UNAUTHENTICATED", "x-api-key takes a publishable key (pk_…).");
  if (!token) {
    throw requestError("UNAUTHENTICATED", "A publishable key needs a user token as `Authorization: Bearer …`.");
  }
  const hash = hashKey(key);
  const found = await prisma.apiKey.findUnique({
    where: { hash },
    select: { ...KEY_FIELDS, project: { select: { cursorSecret: true, tokenSigningSecret: true } } },
  });
  assertUsable(found, hash, "PUBLISHABLE");
  const secret = found.project.tokenSigningSecret;
  const userId = secret ? await verifyUserToken(secret, found.projectId, token) : undefined;
  if (userId === undefined) throw requestError("UNAUTHENTICATED", "The user token is not valid for this key's project.");
  return { kind: "userToken", ...projectAuth(found), userId };
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

const projectAuth = (key: { id: string; projectId: string; project: { cursorSecret: string } }): ProjectAuth => ({
  projectId: key.projectId,
  keyId: key.id,
  cursorSecret: key.project.cursorSecret,
});
type KeyRow = { hash: string; kind: KeyKind; revokedAt: Date | null };

function assertUsable<Row extends KeyRow>(found: Row | null, hash: string, kind: KeyKind): asserts found is Row {
  if (!found || found.kind !== kind || found.revokedAt || !hashesEqual(found.hash, hash)) {
    throw requestError("UNAUTHENTICATED", "The key is not valid.");
  }
}
