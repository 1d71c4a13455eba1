import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { createApiKey, findOrCreateProject } from "./api-keys.ts";
import { hashKey } from "./keys.ts";

export const DEFAULT_PROJECT = "default";

/**
 * Makes sure the project `default` exists and can be reached: a configured
 * secret key is registered for it (once; a key revoked since stays revoked);
 * otherwise, when `createDevelopmentKey` is set and the project has no key yet,
 * a new key is made and returned so that it can be shown once.
 */
export async function ensureDefaultProject(
  prisma: PrismaClient,
  options: { secretKey: string | undefined; createDevelopmentKey: boolean },
): Promise<{ developmentKey?: string }> {
  const project = await findOrCreateProject(prisma, DEFAULT_PROJECT);
  if (options.secretKey) {
    const registered = await prisma.apiKey.findUnique({ where: { hash: hashKey(options.secretKey) } });
    if (!registered) {
      await createApiKey(prisma, { projectId: project.id, kind: "SECRET", name: "DIRECTORY_SECRET_KEY" }, options.secretKey);
    }
    return {};
  }
  if (!options.createDevelopmentKey) return {};
  if ((await prisma.apiKey.count({ where: { projectId: project.id } })) > 0) return {};
  const { key } = await createApiKey(prisma, { projectId: project.id, kind: "SECRET", name: "development" });
  return { developmentKey: key };
}
