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
});

export type DatabaseLocation =
  | { kind: "pglite"; dataDir: string }
  | { kind: "postgres"; url: string };

export type Config = {
  port: number;
  database: DatabaseLocation;
  secretKey: string | undefined;
  logLevel: (typeof logLevels)[number];
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
  const { PORT, DATABASE_URL, DATA_DIR, DIRECTORY_SECRET_KEY, LOG_LEVEL } = parsed.data;
  return {
    port: PORT,
    database: databaseLocation(DATABASE_URL, DATA_DIR),
    secretKey: DIRECTORY_SECRET_KEY,
    logLevel: LOG_LEVEL,
  };
}

export function databaseLocation(url: string | undefined, dataDir = "./data"): DatabaseLocation {
  if (url === undefined) return { kind: "pglite", dataDir };
  if (url === "memory://") return { kind: "pglite", dataDir: "memory://" };
  return { kind: "postgres", url };
}
