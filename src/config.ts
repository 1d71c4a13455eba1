import { z } from "zod";

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

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
  DIRECTORY_SECRET_KEY: z
    .string()
    .trim()
    .regex(/^sk_[A-Za-z0-9]{20,}$/, "must look like sk_ followed by at least 20 letters or digits")
    .optional(),
  LOG_LEVEL: z.enum(logLevels).default("info"),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
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
});

export type DatabaseLocation = { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string };

export type Config = {
  port: number;
  database: DatabaseLocation;
  secretKey: string | undefined;
  logLevel: (typeof logLevels)[number];
  rateLimit: RateLimitConfig;
  /** Seconds a secret key found valid is kept in the process before it is looked up again; 0 turns the cache off. */
  secretKeyCacheSeconds: number;
  graphql: GraphQLConfig;
  metrics: MetricsConfig;
};

/** Who may read /metrics: holders of the token, or anyone when there is none. */
export type MetricsConfig = { token: string | undefined };

/** Requests per key and minute; shared through Redis when a URL is set, else per process. */
export type RateLimitConfig = { perMinute: number; redisUrl: string | undefined };

/** What a query may ask for before it is executed, and whether the schema can be explored. */
export type GraphQLConfig = {
  introspection: boolean;
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  maxBodyBytes: number;
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
  return {
    port: environment.PORT,
    database: databaseLocation(environment.DATABASE_URL, environment.DATA_DIR),
    secretKey: environment.DIRECTORY_SECRET_KEY,
    logLevel: environment.LOG_LEVEL,
    rateLimit: { perMinute: environment.RATE_LIMIT_PER_MINUTE, redisUrl: environment.REDIS_URL },
    secretKeyCacheSeconds: environment.SECRET_KEY_CACHE_SECONDS,
    graphql: {
      introspection: environment.GRAPHQL_INTROSPECTION,
      maxDepth: environment.GRAPHQL_MAX_DEPTH,
      maxAliases: environment.GRAPHQL_MAX_ALIASES,
      maxTokens: environment.GRAPHQL_MAX_TOKENS,
      maxCost: environment.GRAPHQL_MAX_COST,
      maxBodyBytes: environment.GRAPHQL_MAX_BODY_BYTES,
    },
    metrics: { token: environment.METRICS_TOKEN },
  };
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
