import { createApiKey, findOrCreateProject } from "../src/auth/api-keys.ts";
import { createRateLimiter } from "../src/auth/rate-limit.ts";
import { loadConfig } from "../src/config.ts";
import type { PrismaClient } from "../src/db/generated/prisma/client.ts";
import { createLogger } from "../src/logger.ts";
import { createServer } from "../src/server.ts";

/**
 * The gateway in this process, called through yoga.fetch as tests do, with a
 * secret key of the project `projectName` (created if missing) and no rate
 * limit in the way. `post` throws unless the answer has data and no errors.
 */
export async function inProcessGateway(prisma: PrismaClient, projectName: string) {
  const config = loadConfig({ RATE_LIMIT_PER_MINUTE: String(1e9), LOG_LEVEL: "silent" });
  const logger = createLogger("silent");
  const rateLimiter = await createRateLimiter(config.rateLimit, logger);
  const yoga = createServer({ prisma, logger, rateLimiter, config });
  const project = await findOrCreateProject(prisma, projectName);
  const { key } = await createApiKey(prisma, { projectId: project.id, kind: "SECRET", name: "bench" });
  return {
    projectId: project.id,
    close: () => rateLimiter.close(),
    async post(query: string, variables: object): Promise<Record<string, any>> {
      const response = await yoga.fetch("http://bench/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown };
      if (!body.data || body.errors) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
      return body.data;
    },
  };
}
