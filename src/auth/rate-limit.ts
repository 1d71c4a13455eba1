import { Redis } from "ioredis";
import type { Logger } from "pino";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimitConfig } from "../config.ts";
import { requestError } from "../graphql/request-errors.ts";
import type { Auth } from "./caller.ts";

const WINDOW_SECONDS = 60;
/** Failed sign-ins allowed per email and project before sign-in waits out the window, right password or not. */
export const SIGN_IN_FAILURES = 5;
const SIGN_IN_WINDOW_SECONDS = 15 * 60;

/** Counts failed sign-ins per key (project and email), shared between processes like the request budget. */
export type SignInThrottle = {
  /** RATE_LIMITED (429, Retry-After) while the key has failed too often lately. */
  assertAllowed(key: string): Promise<void>;
  recordFailure(key: string): Promise<void>;
  reset(key: string): Promise<void>;
};

export type RateLimiter = {
  /** Takes one request from the caller's budget; RATE_LIMITED (429, Retry-After) when it is spent. */
  consume(auth: Auth): Promise<void>;
  signIn: SignInThrottle;
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
  const requests = { points: perMinute, duration: WINDOW_SECONDS, keyPrefix: "directory:rate" };
  const signInFailures = { points: SIGN_IN_FAILURES, duration: SIGN_IN_WINDOW_SECONDS, keyPrefix: "directory:sign-in" };
  if (!redisUrl) {
    return limiter(new RateLimiterMemory(requests), new RateLimiterMemory(signInFailures), perMinute, async () => {});
  }

  // Fail fast while disconnected (the in-memory insurance answers) instead of queueing commands.
  const redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on("error", (error) => logger.warn({ err: error }, "rate limit store unreachable: limiting per process"));
  await new Promise((settled) => {
    redis.once("ready", settled);
    redis.once("error", settled);
  });
  const shared = (options: typeof requests) =>
    new RateLimiterRedis({
      ...options,
      storeClient: redis,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  return limiter(shared(requests), shared(signInFailures), perMinute, async () => redis.disconnect());
}

type Store = RateLimiterMemory | RateLimiterRedis;

function rateLimited(rejection: RateLimiterRes, message: (retryAfter: number) => string, details: Record<string, number>) {
  const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
  return requestError("RATE_LIMITED", message(retryAfter), { retryAfter, ...details }, { "Retry-After": String(retryAfter) });
}

function limiter(requests: Store, signInFailures: Store, perMinute: number, close: () => Promise<void>): RateLimiter {
  return {
    async consume(auth) {
      try {
        await requests.consume(budgetOf(auth));
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        throw rateLimited(
          rejection,
          (retryAfter) => `More than ${perMinute} requests in ${WINDOW_SECONDS} seconds; retry after ${retryAfter} seconds.`,
          { limit: perMinute, window: WINDOW_SECONDS },
        );
      }
    },
    signIn: {
      async assertAllowed(key) {
        const record = await signInFailures.get(key);
        if (record && record.consumedPoints >= SIGN_IN_FAILURES) {
          throw rateLimited(record, (retryAfter) => `Too many failed sign-ins for this email; retry after ${retryAfter} seconds.`, {
            limit: SIGN_IN_FAILURES,
            window: SIGN_IN_WINDOW_SECONDS,
          });
        }
      },
      async recordFailure(key) {
        await signInFailures.penalty(key, 1);
      },
      async reset(key) {
        await signInFailures.delete(key);
      },
    },
    close,
  };
}

/**
 * A secret key has one budget. A publishable key is shared by every end user of
 * a client app, so each user token gets its own: one user cannot drain the rest.
 * A signed-in member has its own, whatever device it signs in from.
 */
function budgetOf(auth: Auth): string {
  switch (auth.kind) {
    case "secretKey":
    case "publishableKey":
      return auth.keyId;
    case "userToken":
      return `${auth.keyId}:${auth.userId}`;
    case "member":
      return `member:${auth.projectId}:${auth.userId}`;
  }
}
