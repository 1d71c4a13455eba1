import { Redis } from "ioredis";
import type { Logger } from "pino";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimitConfig } from "../config.ts";
import { requestError } from "../graphql/request-errors.ts";
import type { Auth } from "./authenticate.ts";

const WINDOW_SECONDS = 60;

export type RateLimiter = {
  /** Takes one request from the caller's budget; RATE_LIMITED (429, Retry-After) when it is spent. */
  consume(auth: Auth): Promise<void>;
  close(): Promise<void>;
};

/**
 * A budget of `perMinute` requests per caller, refilled whole 60 seconds after
 * the caller's first request of the window (rate-limiter-flexible's fixed
 * window: the burst and long-run rate of a token bucket of that size).
 * With a Redis URL every process counts in Redis, so several gateways enforce
 * one limit; while Redis is unreachable each falls back to its own memory
 * rather than refusing or letting everything through. Resolves once Redis
 * answered or failed to, so the first requests are counted where they belong.
 */
export async function createRateLimiter({ perMinute, redisUrl }: RateLimitConfig, logger: Logger): Promise<RateLimiter> {
  const options = { points: perMinute, duration: WINDOW_SECONDS, keyPrefix: "directory:rate" };
  const inMemory = new RateLimiterMemory(options);
  if (!redisUrl) return limiter(inMemory, perMinute, async () => {});

  // Fail fast while disconnected (the in-memory insurance answers) instead of queueing commands.
  const redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on("error", (error) => logger.warn({ err: error }, "rate limit store unreachable: limiting per process"));
  await new Promise((settled) => {
    redis.once("ready", settled);
    redis.once("error", settled);
  });
  const shared = new RateLimiterRedis({
    ...options,
    storeClient: redis,
    rejectIfRedisNotReady: true,
    insuranceLimiter: inMemory,
  });
  return limiter(shared, perMinute, async () => redis.disconnect());
}

function limiter(store: RateLimiterMemory | RateLimiterRedis, perMinute: number, close: () => Promise<void>): RateLimiter {
  return {
    async consume(auth) {
      try {
        await store.consume(budgetOf(auth));
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw requestError(
          "RATE_LIMITED",
          `More than ${perMinute} requests in ${WINDOW_SECONDS} seconds; retry after ${retryAfter} seconds.`,
          { retryAfter, limit: perMinute, window: WINDOW_SECONDS },
          { "Retry-After": String(retryAfter) },
        );
      }
    },
    close,
  };
}

/**
 * A secret key has one budget. A publishable key is shared by every end user of
 * a client app, so each user token gets its own: one user cannot drain the rest.
 */
function budgetOf(auth: Auth): string {
  return auth.kind === "secretKey" ? auth.keyId : `${auth.keyId}:${auth.userId}`;
}
