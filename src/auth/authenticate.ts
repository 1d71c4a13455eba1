import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { requestError } from "../graphql/request-errors.ts";
import { type Scope, hashesEqual, hashKey } from "./keys.ts";

export type Auth = { projectId: string; keyId: string; scopes: readonly Scope[] };

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Resolves the request's credentials to a project. Every query the request
 * makes is scoped by the project found here, never by client input.
 */
export async function authenticate(prisma: PrismaClient, headers: Headers): Promise<Auth> {
  const token = BEARER.exec(headers.get("authorization") ?? "")?.[1];
  if (!token?.startsWith("sk_")) {
    throw requestError("UNAUTHENTICATED", "Send a secret key as `Authorization: Bearer sk_…`.");
  }
  const hash = hashKey(token);
  const key = await prisma.apiKey.findUnique({
    where: { hash },
    select: { id: true, projectId: true, hash: true, scopes: true, kind: true, revokedAt: true },
  });
  if (!key || key.kind !== "SECRET" || key.revokedAt || !hashesEqual(key.hash, hash)) {
    throw requestError("UNAUTHENTICATED", "The key is not valid.");
  }
  return { projectId: key.projectId, keyId: key.id, scopes: key.scopes as Scope[] };
}
