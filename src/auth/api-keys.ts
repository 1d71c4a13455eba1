import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { type KeyKind, SCOPES, type Scope, generateKey, hashKey, keyPrefix } from "./keys.ts";

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
export function findOrCreateProject(prisma: PrismaClient, name: string) {
  return prisma.project.upsert({ where: { name }, create: { name }, update: {} });
}
