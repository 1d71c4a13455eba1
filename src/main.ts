import { createServer as createHttpServer } from "node:http";
import { printAccessHint } from "./auth/access-hint.ts";
import { ensureDefaultProject } from "./auth/default-project.ts";
import { encryptionKeySource } from "./auth/encryption-at-rest.ts";
import { keyPrefix } from "./auth/keys.ts";
import { createRateLimiter } from "./auth/rate-limit.ts";
import { loadConfigOrExit } from "./config.ts";
import { openMigratedDatabaseOrExit } from "./db/migrate.ts";
import { startRetention } from "./events/retention.ts";
import { inProcessSignals, redisSignals } from "./events/signals.ts";
import { gracefulClose } from "./graceful-shutdown.ts";
import { createLogger } from "./logger.ts";
import { createServer } from "./server.ts";
import { startWebhookWorker } from "./webhooks/worker.ts";
import { superviseWorkers } from "./workers.ts";

const config = loadConfigOrExit();

const logger = createLogger(config.logLevel);
await superviseWorkers(config, logger);
const { db, applied } = await openMigratedDatabaseOrExit(config.database, {
  statementTimeoutMs: config.statementTimeoutMs,
  poolSize: config.poolSize,
});
if (applied.length > 0) logger.info({ applied }, "migrations applied");

const { developmentKey } = await ensureDefaultProject(db.prisma, {
  secretKey: config.secretKey,
  createDevelopmentKey: config.database.kind === "pglite",
});

const rateLimiter = await createRateLimiter(config.rateLimit, logger);
const { events } = config;
const eventSignals = events.redisUrl ? redisSignals(events.redisUrl, logger) : inProcessSignals();
// One key source for the server, which encrypts webhook secrets, and the worker, which signs with them.
const encryptionKey = encryptionKeySource(config.push, logger);
const yoga = createServer({ prisma: db.prisma, logger, rateLimiter, config, databasePool: db.pool, eventSignals, encryptionKey });
const stopRetention = startRetention(db.prisma, events.retentionDays, logger);
const webhooks = startWebhookWorker(db.prisma, logger, eventSignals, {
  allowPrivate: events.allowPrivateWebhookUrls,
  scheduleSeconds: events.webhookRetrySchedule,
  timeoutMs: events.webhookTimeoutMs,
  batch: 20,
  pollMs: events.pollMs,
  encryptionKey,
});
const http = createHttpServer(yoga);
const closeGracefully = gracefulClose(http, config.shutdownTimeoutSeconds, logger);
http.listen(config.port, () => {
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://localhost:${port}${yoga.graphqlEndpoint}`;
  logger.info({ url, database: db.kind }, "user directory listening");
  if (developmentKey) {
    // The key itself only to the person at the terminal, on stderr: stdout stays JSON
    // lines, and logs are kept and shipped where a key must not go.
    logger.info(
      { project: "default", keyPrefix: keyPrefix(developmentKey), graphiql: url },
      "development secret key created, printed once on stderr",
    );
    // Shown once: only its hash is stored.
    console.error(
      [
        "",
        "  A development secret key was created for the project `default` (it is shown only this once):",
        "",
        `    ${developmentKey}`,
        "",
        `  Open GraphiQL at ${url} and paste this header:`,
        "",
        `    { "Authorization": "Bearer ${developmentKey}" }`,
        "",
      ].join("\n"),
    );
  } else if (!config.secretKey) {
    printAccessHint(logger, db.kind === "pglite");
  }
});

const DATABASE_CLOSE_GRACE_MS = 5_000;
let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal, timeoutSeconds: config.shutdownTimeoutSeconds }, "stopping: finishing in-flight requests");
  // A statement still running in the database holds the database's close: past the timeout and a grace, exit anyway.
  setTimeout(
    () => {
      logger.error("the database did not close in time: exiting without it");
      process.exit(1);
    },
    config.shutdownTimeoutSeconds * 1000 + DATABASE_CLOSE_GRACE_MS,
  ).unref();
  await closeGracefully();
  stopRetention();
  await webhooks.stop();
  await eventSignals.close();
  await rateLimiter.close();
  await db.close();
  logger.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
