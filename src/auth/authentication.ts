import type { IncomingMessage } from "node:http";
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { authenticate } from "./authenticate.ts";
import type { Auth } from "./caller.ts";
import type { ClientAddressOf } from "./client-address.ts";
import type { RateLimiter } from "./rate-limit.ts";
import type { SecretKeyCache } from "./secret-key-cache.ts";

/** Where the graphql-sse protocol is served, below the GraphQL endpoint (the plugin's default). */
export const GRAPHQL_SSE_PATH = "/stream";

/** What the HTTP server hands Yoga with each request: Node's request, with its socket (none through `yoga.fetch`). */
export type ServerContext = { req?: IncomingMessage };

/** A request's caller and the address it came from. */
export type Caller = { auth: Auth; address: string | undefined };

type Dependencies = {
  prisma: PrismaClient;
  secretKeys: SecretKeyCache;
  rateLimiter: RateLimiter;
  clientAddress: ClientAddressOf;
  /** Where the caller of each request is kept for its context. */
  callers: WeakMap<Request, Caller>;
};

/**
 * Finds each GraphQL request's caller before its body is read: a request
 * without valid credentials is answered 401 without the server parsing what
 * it sent, however large. Each such refusal spends the client address's
 * budget of anonymous requests, so that guessing keys soon meets 429.
 */
export function authentication({
  prisma,
  secretKeys,
  rateLimiter,
  clientAddress,
  callers,
}: Dependencies): Plugin<Record<string, never>, ServerContext> {
  async function identify(request: Request, serverContext: ServerContext) {
    const address = clientAddress(serverContext.req);
    try {
      callers.set(request, { auth: await authenticate(prisma, request.headers, secretKeys), address });
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code === "UNAUTHENTICATED") await rateLimiter.consumeAnonymous(address);
      throw error;
    }
  }
  return {
    onRequestParse: ({ request, serverContext }) => identify(request, serverContext),
    // The graphql-sse protocol's endpoint answers before any request is parsed.
    async onRequest({ request, serverContext, url }) {
      if (url.pathname.endsWith(GRAPHQL_SSE_PATH)) await identify(request, serverContext);
    },
  };
}

/** The caller `authentication` found for this request. */
export function callerOf(callers: WeakMap<Request, Caller>, request: Request): Caller {
  const caller = callers.get(request);
  if (!caller) throw new Error("The request reached its context without being authenticated.");
  return caller;
}
