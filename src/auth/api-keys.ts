import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { seedBuiltInRoles } from "./built-in-roles.ts";
import { generateKey, hashKey, type KeyKind, keyPrefix, SCOPES, type Scope } from "./keys.ts";
import { forgetCachedSecretKeys } from "./secret-key-cache.ts";

export type NewApiKey = { projectId: string; kind: KeyKind; name?: string; scopes?: readonly Scope[] };

/** Stores a key's hash and returns the key itself, which exists nowhere else from then on. */
export async function createApiKey(prisma: PrismaClient, options: NewApiKey, key = generateKey(options.kind)) {
  const record = await prisma.apiKey.create({
    data: {
      projectId: options.projectId,
      kind: options.kind,
      name: options.name ?? null,
      prefix: keyPrefix(key),
      hash: hashKey(key),
      scopes: [...(options.scopes ?? SCOPES)],
    },
  });
  return { id: record.id, key };
}

/** The project with this name, created when missing. */
/** The project by name, created with its built-in roles when missing. */
export async function findOrCreateProject(prisma: PrismaClient, name: string) {
  const project = await prisma.project.upsert({ where: { name }, create: { name }, update: {} });
  await seedBuiltInRoles(prisma, project.id);
  return project;
}

/** A project's keys as listings show them: never the key, not even its hash. */
export function listApiKeys(prisma: PrismaClient, projectId: string) {
  return prisma.apiKey.findMany({
    where: { projectId },
    select: { id: true, prefix: true, kind: true, name: true, scopes: true, createdAt: true, revokedAt: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

/**
 * Revokes a key: in this process, requests made with it fail from the next one
 * on; gateways in other processes stop taking it once their cache of secret
 * keys lets it go (`SECRET_KEY_CACHE_SECONDS` at most, see secret-key-cache.ts).
 */
export async function revokeApiKey(prisma: PrismaClient, keyId: string): Promise<"revoked" | "already revoked" | "not found"> {
  const { count } = await prisma.apiKey.updateMany({ where: { id: keyId, revokedAt: null }, data: { revokedAt: new Date() } });
  // After the write: a lookup from now on reads the key revoked.
  forgetCachedSecretKeys(prisma);
  if (count === 1) return "revoked";
  return (await prisma.apiKey.count({ where: { id: keyId } })) === 1 ? "already revoked" : "not found";
}

export function listProjects(prisma: PrismaClient) {
  return prisma.project.findMany({
    select: { id: true, name: true, createdAt: true, _count: { select: { apiKeys: { where: { revokedAt: null } } } } },
    orderBy: { name: "asc" },
  });
}
