import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { SCOPES, generateKey, hashKey, keyPrefix } from "./keys.ts";

export const DEFAULT_PROJECT = "default";

/**
 * Makes sure the project `default` exists and can be reached: with a
 * configured secret key, that key is registered for it; otherwise, when
 * `createDevelopmentKey` is set and the project has no key yet, a new key is
 * made and returned so that it can be shown once.
 */
export async function ensureDefaultProject(
  prisma: PrismaClient,
  options: { secretKey: string | undefined; createDevelopmentKey: boolean },
): Promise<{ developmentKey?: string }> {
  const project = await prisma.project.upsert({
    where: { name: DEFAULT_PROJECT },
    create: { name: DEFAULT_PROJECT },
    update: {},
  });
  if (options.secretKey) {
    const hash = hashKey(options.secretKey);
    await prisma.apiKey.upsert({
      where: { hash },
      create: {
        projectId: project.id,
        kind: "SECRET",
        name: "DIRECTORY_SECRET_KEY",
        prefix: keyPrefix(options.secretKey),
        hash,
        scopes: [...SCOPES],
      },
      update: {},
    });
    return {};
  }
  if (!options.createDevelopmentKey) return {};
  const keys = await prisma.apiKey.count({ where: { projectId: project.id } });
  if (keys > 0) return {};
  const developmentKey = generateKey("SECRET");
  await prisma.apiKey.create({
    data: {
      projectId: project.id,
      kind: "SECRET",
      name: "development",
      prefix: keyPrefix(developmentKey),
      hash: hashKey(developmentKey),
      scopes: [...SCOPES],
    },
  });
  return { developmentKey };
}
