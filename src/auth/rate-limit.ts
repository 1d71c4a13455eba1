import { Redis } from "ioredis";
import type { Logger } from "pino";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimitConfig } from "../config.ts";
import { requestError } from "../graphql/request-errors.ts";
import type { Auth, PublishableKeyAuth } from "./caller.ts";

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
  /**
   * Takes one request from the caller's budget; RATE_LIMITED (429, Retry-After) when it is spent.
   * A publishable key alone, before anyone signed in, spends its client address's anonymous budget.
   */
  consume(auth: Auth, address: string | undefined): Promise<void>;
  /** Takes one request from the anonymous budget of a client address (undefined: one budget for all unknown). */
  consumeAnonymous(address: string | undefined): Promise<void>;
  signIn: SignInThrottle;
  close(): Promise<void>;
};

/**
 * A budget of `perMinute` requests per caller, refilled whole 60 seconds after
 * the caller's first request of the window (rate-limiter-flexible's fixed
 * window: the burst and long-run rate of a token bucket of that size), and
 * one of `anonymousPerMinute` per client address for requests without a
 * known caller: every client app shares its publishable key, so a budget per
 * key would let one client lock out the sign-ups and sign-ins of all others.
 * With a Redis URL every process counts in Redis, so several gateways enforce
 * one limit; while Redis is unreachable each falls back to its own memory
 * rather than refusing or letting everything through. Resolves once Redis
 * answered or failed to, so the first requests are counted where they belong.
 */
export async function createRateLimiter(config: RateLimitConfig, logger: Logger): Promise<RateLimiter> {
  const { perMinute, anonymousPerMinute, redisUrl } = config;
  const requests = { points: perMinute, duration: WINDOW_SECONDS, keyPrefix: "directory:rate" };
  const anonymous = { points: anonymousPerMinute, duration: WINDOW_SECONDS, keyPrefix: "directory:anonymous" };
  const signInFailures = { points: SIGN_IN_FAILURES, duration: SIGN_IN_WINDOW_SECONDS, keyPrefix: "directory:sign-in" };
  if (!redisUrl) {
    const stores = { requests: new RateLimiterMemory(requests), anonymous: new RateLimiterMemory(anonymous) };
    return limiter({ ...stores, signInFailures: new RateLimiterMemory(signInFailures) }, config, async () => {});
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
  const stores = { requests: shared(requests), anonymous: shared(anonymous), signInFailures: shared(signInFailures) };
  return limiter(stores, config, async () => redis.disconnect());
}

type Store = RateLimiterMemory | RateLimiterRedis;
type Stores = { requests: Store; anonymous: Store; signInFailures: Store };

function rateLimited(rejection: RateLimiterRes, message: (retryAfter: number) => string, details: Record<string, number>) {
  const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
  return requestError("RATE_LIMITED", message(retryAfter), { retryAfter, ...details }, { "Retry-After": String(retryAfter) });
}

/** Takes a point of `key`'s budget in `store`; RATE_LIMITED once `limit` are spent in the window. */
async function spend(store: Store, key: string, limit: number, what: string) {
  try {
    await store.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    throw rateLimited(
      rejection,
      (retryAfter) => `More than ${limit} ${what} in ${WINDOW_SECONDS} seconds; retry after ${retryAfter} seconds.`,
      { limit, window: WINDOW_SECONDS },
    );
  }
}

function limiter(
  { requests, anonymous, signInFailures }: Stores,
  { perMinute, anonymousPerMinute }: RateLimitConfig,
  close: () => Promise<void>,
): RateLimiter {
  const consumeAnonymous = (address: string | undefined) =>
    spend(anonymous, address ?? "unknown", anonymousPerMinute, "requests without a signed-in caller from this address");
  return {
    async consume(auth, address) {
      if (auth.kind === "publishableKey") return consumeAnonymous(address);
      return spend(requests, budgetOf(auth), perMinute, "requests");
    },
    consumeAnonymous,
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
function budgetOf(auth: Exclude<Auth, PublishableKeyAuth>): string {
  switch (auth.kind) {
    case "secretKey":
      return auth.keyId;
    case "userToken":
      return `${auth.keyId}:${auth.userId}`;
    case "member":
      return `member:${auth.projectId}:${auth.userId}`;
  }
}
