import { createYoga } from "graphql-yoga";
import { authenticate } from "./auth/authenticate.ts";
import type { RateLimiter } from "./auth/rate-limit.ts";
import { SecretKeyCache } from "./auth/secret-key-cache.ts";
import type { Config } from "./config.ts";
import type { ConnectionPool } from "./db/client.ts";
import type { PrismaClient } from "./db/generated/prisma/client.ts";
import type { Context } from "./graphql/context.ts";
import type { Logger } from "./logger.ts";
import { compiledExecution } from "./plugins/compiled-execution.ts";
import { errorHandling } from "./plugins/error-handling.ts";
import { createMetrics, metricsEndpoint } from "./plugins/metrics.ts";
import { queryLimits } from "./plugins/query-limits.ts";
import { requestBodyLimit } from "./plugins/request-body-limit.ts";
import { logRequest } from "./plugins/request-log.ts";
import { recordRequests } from "./plugins/request-record.ts";
import { schema } from "./schema.ts";

export type ServerDependencies = {
  prisma: PrismaClient;
  logger: Logger;
  rateLimiter: RateLimiter;
  config: Pick<Config, "graphql" | "secretKeyCacheSeconds" | "metrics">;
  /** PostgreSQL's pool, whose use /metrics shows. */
  databasePool?: ConnectionPool;
};

const GRAPHQL_ENDPOINT = "/graphql";

/** The GraphQL service as a fetch handler; main.ts puts it behind HTTP, tests call `yoga.fetch`. */
export function createServer({
  prisma,
  logger,
  rateLimiter,
  config: { graphql, secretKeyCacheSeconds, metrics: metricsConfig },
  databasePool,
}: ServerDependencies) {
  const requestIds = new WeakMap<Request, string>();
  const metrics = createMetrics(GRAPHQL_ENDPOINT, databasePool);
  const secretKeys = new SecretKeyCache(prisma, secretKeyCacheSeconds);
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    landingPage: false,
    maxRequestBodySize: false, // requestBodyLimit instead
    maskedErrors: false, // errorHandling masks, after logging with the request id
    logging: logger,
    graphiql: graphql.introspection && {
      title: "User directory",
      headers: JSON.stringify({ Authorization: "Bearer sk_…" }),
    },
    // Runs after parsing and validation, so only operations that pass the query limits cost budget.
    context: async ({ request }): Promise<Context> => {
      const auth = await authenticate(prisma, request.headers, secretKeys);
      await rateLimiter.consume(auth);
      return { prisma, logger, requestId: requestIds.get(request) ?? "", auth, signInThrottle: rateLimiter.signIn };
    },
    plugins: [
      errorHandling(logger, requestIds),
      recordRequests(requestIds, [logRequest(logger), metrics.record]),
      metricsEndpoint(metrics.registry, metricsConfig.token),
      requestBodyLimit(graphql.maxBodyBytes),
      ...queryLimits(graphql),
      compiledExecution(logger),
      // Yoga itself answers /health (200 while the process is up); /ready also asks the database.
      {
        async onRequest({ url, endResponse, fetchAPI }) {
          if (url.pathname === "/ready") endResponse(await readiness(prisma, fetchAPI.Response));
        },
      },
    ],
  });
}

const json = (response: typeof Response, body: object, status = 200) =>
  new response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

async function readiness(prisma: PrismaClient, response: typeof Response): Promise<Response> {
  try {
    await prisma.$queryRaw`SELECT 1`;
    return json(response, { status: "ready" });
  } catch {
    return json(response, { status: "database unreachable" }, 503);
  }
}
