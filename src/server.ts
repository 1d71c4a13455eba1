import { useGraphQLSSE } from "@graphql-yoga/plugin-graphql-sse";
import { createYoga } from "graphql-yoga";
import { authentication, type Caller, callerOf, type ServerContext } from "./auth/authentication.ts";
import { clientAddressOf } from "./auth/client-address.ts";
import { type EncryptionKey, encryptionKeySource } from "./auth/encryption-at-rest.ts";
import { PasswordHasher } from "./auth/passwords.ts";
import type { RateLimiter } from "./auth/rate-limit.ts";
import { SecretKeyCache } from "./auth/secret-key-cache.ts";
import type { Config } from "./config.ts";
import type { ConnectionPool } from "./db/client.ts";
import type { PrismaClient } from "./db/generated/prisma/client.ts";
import { type EventSignals, inProcessSignals } from "./events/signals.ts";
import { wakeAfter } from "./events/wake-ups.ts";
import type { Context } from "./graphql/context.ts";
import type { Logger } from "./logger.ts";
import { automaticPersistedQueries } from "./plugins/automatic-persisted-queries.ts";
import { compiledExecution } from "./plugins/compiled-execution.ts";
import { corsPolicy, varyByOrigin } from "./plugins/cors.ts";
import { errorHandling } from "./plugins/error-handling.ts";
import { knownOperationTypes } from "./plugins/known-operation-types.ts";
import { createMetrics, metricsEndpoint } from "./plugins/metrics.ts";
import { queryLimits } from "./plugins/query-limits.ts";
import { requestBodyLimit } from "./plugins/request-body-limit.ts";
import { logRequest } from "./plugins/request-log.ts";
import { recordRequests } from "./plugins/request-record.ts";
import { trustedDocumentsOnly } from "./plugins/trusted-documents.ts";
import { PushSenders } from "./push/senders.ts";
import { schema } from "./schema.ts";

export type ServerDependencies = {
  prisma: PrismaClient;
  logger: Logger;
  rateLimiter: RateLimiter;
  config: Pick<
    Config,
    "graphql" | "secretKeyCacheSeconds" | "metrics" | "trustedProxies" | "passwordHashing" | "cors" | "activity" | "push"
  > &
    Partial<Pick<Config, "events">>;
  /** Wake-ups of the change feed's subscribers (through Redis when configured); default: within this process. */
  eventSignals?: EventSignals;
  /** PostgreSQL's pool, whose use /metrics shows. */
  databasePool?: ConnectionPool;
  /**
   * The key of secrets at rest, shared with the webhook worker that decrypts
   * what this server encrypts (an in-memory database's key lives only in its
   * process); default: one of this server's own.
   */
  encryptionKey?: EncryptionKey;
};

const GRAPHQL_ENDPOINT = "/graphql";

/** The GraphQL service as a fetch handler; main.ts puts it behind HTTP, tests call `yoga.fetch`. */
export function createServer({
  prisma,
  logger,
  rateLimiter,
  config: {
    graphql,
    secretKeyCacheSeconds,
    metrics: metricsConfig,
    trustedProxies,
    passwordHashing,
    cors,
    activity,
    events,
    push: pushConfig,
  },
  databasePool,
  eventSignals = inProcessSignals(),
  encryptionKey = encryptionKeySource(pushConfig, logger),
}: ServerDependencies) {
  const changeFeed = {
    signals: eventSignals,
    pollMs: events?.pollMs ?? 1000,
    allowPrivateWebhookUrls: events?.allowPrivateWebhookUrls ?? false,
  };
  const requestIds = new WeakMap<Request, string>();
  const metrics = createMetrics(GRAPHQL_ENDPOINT, databasePool);
  const secretKeys = new SecretKeyCache(prisma, secretKeyCacheSeconds);
  const callers = new WeakMap<Request, Caller>();
  const clientAddress = clientAddressOf(trustedProxies);
  const passwords = new PasswordHasher(passwordHashing);
  const push = new PushSenders(pushConfig, encryptionKey);
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    landingPage: false,
    maxRequestBodySize: false, // requestBodyLimit instead
    maskedErrors: false, // errorHandling masks, after logging with the request id
    logging: logger,
    cors: corsPolicy(cors),
    // GraphiQL from the installed package, not a CDN, so that it works without internet access;
    // imported on first use, as its 9 MB take a third of a second to load.
    renderGraphiQL: async (options) => (await import("@graphql-yoga/render-graphiql")).renderGraphiQL(options),
    graphiql: graphql.introspection && {
      title: "User directory",
      headers: JSON.stringify({ Authorization: "Bearer sk_…" }),
    },
    // Runs after parsing and validation, so only operations that pass the query limits cost budget.
    context: async ({ request }): Promise<Context> => {
      const { auth, address } = callerOf(callers, request);
      await rateLimiter.consume(auth, address);
      return {
        prisma,
        logger,
        requestId: requestIds.get(request) ?? "",
        signal: request.signal,
        auth,
        signInThrottle: rateLimiter.signIn,
        passwords,
        activity,
        changeFeed,
        push,
        encryptionKey,
      };
    },
    plugins: [
      errorHandling(logger, requestIds),
      recordRequests(requestIds, [logRequest(logger), metrics.record]),
      metricsEndpoint(metrics.registry, metricsConfig.token),
      requestBodyLimit(graphql.maxBodyBytes),
      authentication({ prisma, secretKeys, rateLimiter, clientAddress, callers }),
      ...(cors.origins ? [varyByOrigin] : []),
      ...(graphql.trustedDocuments ? trustedDocumentsOnly(graphql.trustedDocuments) : [automaticPersistedQueries()]),
      ...queryLimits(graphql),
      // Subscriptions over SSE: Yoga's own at /graphql, and the graphql-sse protocol at /graphql/stream.
      useGraphQLSSE(),
      knownOperationTypes,
      compiledExecution(logger),
      // Once a mutation has committed, the subscribers of the project it wrote events for are woken.
      {
        instrumentation: {
          execute: ({ context }: { context: Context }, execute: () => void | Promise<void>) =>
            wakeAfter(context.auth.projectId, execute, eventSignals.publish),
        },
      },
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
