import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import proxyAddr from "proxy-addr";
import { z } from "zod";
import { readTrustedDocuments, type TrustedDocuments } from "./plugins/trusted-documents.ts";

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const httpsOrigin = z
  .string()
  .trim()
  .refine((url) => /^https:\/\//.test(url) && isOrigin(url.replace(/\/$/, "")), { message: "must be an https:// origin" })
  .transform((url) => url.replace(/\/$/, ""));

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((url) => url === "memory://" || /^postgres(ql)?:\/\//.test(url), {
      message: "must be memory:// or a postgres:// / postgresql:// URL",
    })
    .optional(),
  DATA_DIR: z.string().trim().min(1).default("./data"),
  // Connections each process keeps to PostgreSQL (with WORKERS, every worker has its own pool).
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  // Gateway processes on this machine (PostgreSQL only): a number, or auto for one per core.
  WORKERS: z.union([z.literal("auto").transform(() => availableParallelism()), z.coerce.number().int().min(1).max(256)]).default(1),
  // PostgreSQL cancels a statement of the gateway's running longer (0: no limit); migrations are exempt.
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(5000),
  DIRECTORY_SECRET_KEY: z
    .string()
    .trim()
    .regex(/^sk_[A-Za-z0-9]{20,}$/, "must look like sk_ followed by at least 20 letters or digits")
    .optional(),
  LOG_LEVEL: z.enum(logLevels).default("info"),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  // Per client address: a publishable key alone (sign-up, sign-in) and credentials that fail.
  ANONYMOUS_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  TRUSTED_PROXIES: z
    .string()
    .trim()
    .transform((value, context) => trustedProxies(value, context))
    .default([]),
  // Half the cores hash passwords at most; the rest keep serving everything else.
  PASSWORD_HASH_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .default(Math.max(1, Math.floor(availableParallelism() / 2))),
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).default(32),
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  // The change feed: how long events are kept, how often a subscriber reads the log without a wake-up.
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  EVENT_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  // Webhook URLs may name loopback, private and link-local addresses (tests, private networks).
  WEBHOOK_ALLOW_PRIVATE_URLS: z.stringbool().default(false),
  // Seconds to wait after each failed attempt (Standard Webhooks' schedule); after the last, a delivery has failed.
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .transform((list) => list.split(",").map((value) => Number(value.trim())))
    .pipe(z.array(z.number().min(0).max(86_400)).min(1).max(20))
    .default([5, 300, 1800, 7200, 18_000, 36_000, 36_000]),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // How long a secret key found valid is taken at its word before it is looked up again (0: every request).
  SECRET_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(5),
  // Bearer token /metrics asks for; unset, /metrics is open (keep it off the public network then).
  METRICS_TOKEN: z.string().trim().min(16, "must be at least 16 characters").optional(),
  GRAPHQL_INTROSPECTION: z.stringbool().default(true),
  // Defaults leave room for the contract's largest page (1000 users with their
  // organization and channel settings) and refuse pages nested in pages.
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).default(12),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(1).default(2000),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(1).default(100_000),
  // Yoga's default; a bulk upsert of 1000 users with their tokens and properties stays far below.
  GRAPHQL_MAX_BODY_BYTES: z.coerce.number().int().min(1).default(25_000_000),
  GRAPHQL_TRUSTED_DOCUMENTS: z.string().trim().min(1).optional(),
  CORS_ORIGINS: z
    .string()
    .transform((list) =>
      list
        .split(",")
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ""),
    )
    .pipe(z.array(z.string().refine(isOrigin, { message: "each must be an origin such as https://app.example.com" })).min(1))
    .optional(),
  // Chromium caps it at 7200, Firefox at 86400.
  CORS_MAX_AGE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  // 32 bytes, base64 or hex: encrypts provider credentials and webhook secrets at rest. Unset on the embedded default: made once in DATA_DIR.
  DIRECTORY_ENCRYPTION_KEY: z
    .string()
    .trim()
    .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, "must be 32 bytes in base64 (44 characters) or hex (64 characters)")
    .optional(),
  // Provider hosts; for tests and proxies. FCM's OAuth2 endpoint is the service account's token_uri.
  PUSH_APNS_PRODUCTION_URL: httpsOrigin.default("https://api.push.apple.com"),
  PUSH_APNS_SANDBOX_URL: httpsOrigin.default("https://api.sandbox.push.apple.com"),
  PUSH_FCM_URL: httpsOrigin.default("https://fcm.googleapis.com"),
  PUSH_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(200),
  PUSH_ATTEMPT_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  PUSH_DEADLINE_MS: z.coerce.number().int().min(1).default(30_000),
  // Below the 30 s a container orchestrator usually waits after SIGTERM before it kills.
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  // Activity on a platform this long after the previous one starts a new session.
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  SESSION_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
});

/** `scheme://host[:port]` as browsers send it in `Origin`: no path, no trailing slash. */
function isOrigin(origin: string): boolean {
  try {
    return new URL(origin).origin === origin;
  } catch {
    return false;
  }
}

export type DatabaseLocation = { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string };

export type Config = {
  port: number;
  database: DatabaseLocation;
  /** PostgreSQL's statement_timeout for the gateway's sessions, in milliseconds; 0: none. */
  statementTimeoutMs: number;
  /** Connections to PostgreSQL per process. */
  poolSize: number;
  /** Gateway processes serving the port (node:cluster); more than one only on PostgreSQL. */
  workers: number;
  secretKey: string | undefined;
  logLevel: (typeof logLevels)[number];
  rateLimit: RateLimitConfig;
  /** Which proxies' X-Forwarded-For names the client: how many hops in front, or their addresses and subnets. */
  trustedProxies: TrustedProxies;
  passwordHashing: PasswordHashingConfig;
  /** Seconds a secret key found valid is kept in the process before it is looked up again; 0 turns the cache off. */
  secretKeyCacheSeconds: number;
  graphql: GraphQLConfig;
  cors: CorsConfig;
  metrics: MetricsConfig;
  events: EventsConfig;
  push: PushConfig;
  /** How long a stop waits for in-flight requests before it closes their connections. */
  shutdownTimeoutSeconds: number;
  activity: ActivityConfig;
};

/**
 * Requests per key and minute, and per client address for requests without
 * a known caller; shared through Redis when a URL is set, else per process.
 */
export type RateLimitConfig = { perMinute: number; anonymousPerMinute: number; redisUrl: string | undefined };

/** A hop count, or addresses, subnets and proxy-addr's names (loopback, linklocal, uniquelocal); none by default. */
export type TrustedProxies = number | readonly string[];

/** Passwords hashed or checked at once in a process, and how many more may wait for their turn. */
export type PasswordHashingConfig = { concurrency: number; queue: number };

/** How activity becomes sessions (src/activity): the idle gap that starts a new one, and how long they are kept. */
export type ActivityConfig = { sessionIdleMinutes: number; sessionRetentionDays: number };

/** Who may read /metrics: holders of the token, or anyone when there is none. */
export type MetricsConfig = { token: string | undefined };

/** What a query may ask for before it is executed, and whether the schema can be explored. */
export type GraphQLConfig = {
  introspection: boolean;
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  maxBodyBytes: number;
  /** When set, the only documents that run (GRAPHQL_TRUSTED_DOCUMENTS); else clients may register their own (APQ). */
  trustedDocuments: TrustedDocuments | undefined;
};

/**
 * Where pushes go and how hard they try. `encryptionKey` (32 bytes) encrypts
 * provider credentials and webhook secrets; undefined: one kept in `dataDir`, or none on PostgreSQL.
 */
export type PushConfig = {
  encryptionKey: Buffer | undefined;
  database: DatabaseLocation;
  apnsProductionUrl: string;
  apnsSandboxUrl: string;
  fcmUrl: string;
  concurrency: number;
  attemptTimeoutMs: number;
  deadlineMs: number;
};

/** Which browser origins may call the API (undefined: any, for development) and how long they may cache a preflight. */
export type CorsConfig = { origins: string[] | undefined; maxAgeSeconds: number };

/** The change feed and its webhooks. `redisUrl`: wake-ups shared by every gateway; unset, within this process. */
export type EventsConfig = {
  retentionDays: number;
  pollMs: number;
  allowPrivateWebhookUrls: boolean;
  webhookRetrySchedule: readonly number[];
  webhookTimeoutMs: number;
  redisUrl: string | undefined;
};

export class ConfigError extends Error {}

/** Reads the service's configuration from environment variables, the only place it comes from. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // A variable set to the empty string counts as unset, as shells and compose files tend to mean it.
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = environmentSchema.safeParse(set);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
  }
  const environment = parsed.data;
  const database = databaseLocation(environment.DATABASE_URL, environment.DATA_DIR);
  if (environment.WORKERS > 1 && database.kind === "pglite") {
    throw new ConfigError(
      "Invalid configuration:\n  WORKERS: more than one process needs PostgreSQL (DATABASE_URL); the embedded PGlite is owned by one process",
    );
  }
  return {
    port: environment.PORT,
    database,
    statementTimeoutMs: environment.DATABASE_STATEMENT_TIMEOUT_MS,
    poolSize: environment.DATABASE_POOL_SIZE,
    workers: environment.WORKERS,
    secretKey: environment.DIRECTORY_SECRET_KEY,
    logLevel: environment.LOG_LEVEL,
    rateLimit: {
      perMinute: environment.RATE_LIMIT_PER_MINUTE,
      anonymousPerMinute: environment.ANONYMOUS_RATE_LIMIT_PER_MINUTE,
      redisUrl: environment.REDIS_URL,
    },
    trustedProxies: environment.TRUSTED_PROXIES,
    passwordHashing: { concurrency: environment.PASSWORD_HASH_CONCURRENCY, queue: environment.PASSWORD_HASH_QUEUE },
    secretKeyCacheSeconds: environment.SECRET_KEY_CACHE_SECONDS,
    graphql: {
      introspection: environment.GRAPHQL_INTROSPECTION,
      maxDepth: environment.GRAPHQL_MAX_DEPTH,
      maxAliases: environment.GRAPHQL_MAX_ALIASES,
      maxTokens: environment.GRAPHQL_MAX_TOKENS,
      maxCost: environment.GRAPHQL_MAX_COST,
      maxBodyBytes: environment.GRAPHQL_MAX_BODY_BYTES,
      trustedDocuments: trustedDocumentsAt(environment.GRAPHQL_TRUSTED_DOCUMENTS),
    },
    cors: { origins: environment.CORS_ORIGINS, maxAgeSeconds: environment.CORS_MAX_AGE_SECONDS },
    metrics: { token: environment.METRICS_TOKEN },
    push: {
      encryptionKey: encryptionKey(environment.DIRECTORY_ENCRYPTION_KEY),
      database: databaseLocation(environment.DATABASE_URL, environment.DATA_DIR),
      apnsProductionUrl: environment.PUSH_APNS_PRODUCTION_URL,
      apnsSandboxUrl: environment.PUSH_APNS_SANDBOX_URL,
      fcmUrl: environment.PUSH_FCM_URL,
      concurrency: environment.PUSH_CONCURRENCY,
      attemptTimeoutMs: environment.PUSH_ATTEMPT_TIMEOUT_MS,
      deadlineMs: environment.PUSH_DEADLINE_MS,
    },
    shutdownTimeoutSeconds: environment.SHUTDOWN_TIMEOUT_SECONDS,
    activity: { sessionIdleMinutes: environment.SESSION_IDLE_MINUTES, sessionRetentionDays: environment.SESSION_RETENTION_DAYS },
    events: {
      retentionDays: environment.EVENT_RETENTION_DAYS,
      pollMs: environment.EVENT_POLL_MS,
      allowPrivateWebhookUrls: environment.WEBHOOK_ALLOW_PRIVATE_URLS,
      webhookRetrySchedule: environment.WEBHOOK_RETRY_SCHEDULE,
      webhookTimeoutMs: environment.WEBHOOK_TIMEOUT_MS,
      redisUrl: environment.REDIS_URL,
    },
  };
}

function encryptionKey(text: string | undefined): Buffer | undefined {
  if (text === undefined) return undefined;
  return /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
}

function trustedDocumentsAt(path: string | undefined): TrustedDocuments | undefined {
  if (path === undefined) return undefined;
  try {
    return readTrustedDocuments(path);
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  GRAPHQL_TRUSTED_DOCUMENTS: ${(error as Error).message}`);
  }
}

/** The configuration, or the problems printed and the process ended: for entry points. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

export function databaseLocation(url: string | undefined, dataDir = "./data"): DatabaseLocation {
  if (url === undefined) return { kind: "pglite", dataDir };
  if (url === "memory://") return { kind: "pglite", dataDir: "memory://" };
  return { kind: "postgres", url };
}

/** TRUSTED_PROXIES: a hop count, or a comma-separated list that proxy-addr understands. */
function trustedProxies(value: string, context: z.RefinementCtx): TrustedProxies {
  if (/^\d+$/.test(value)) return Number(value);
  const list = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  try {
    proxyAddr.compile(list);
  } catch (error) {
    context.addIssue({ code: "custom", message: `must be a hop count or addresses and subnets: ${(error as Error).message}` });
  }
  return list;
}

/** The database in words, for scripts to say what they are about to write to; a URL's password is left out. */
export function describeDatabase(location: DatabaseLocation): string {
  if (location.kind === "pglite") {
    return location.dataDir === "memory://" ? "the in-memory PGlite (gone on exit)" : `the PGlite database in ${resolve(location.dataDir)}`;
  }
  const url = new URL(location.url);
  url.password = "";
  url.searchParams.delete("password");
  return `the PostgreSQL database ${url.toString()}`;
}
