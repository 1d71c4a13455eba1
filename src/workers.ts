import cluster, { type Worker } from "node:cluster";
import type { Config } from "./config.ts";
import type { Logger } from "./logger.ts";

/** A worker that dies within this long of its start is not started again: it would only die again. */
const STEADY_MS = 5_000;

/**
 * With WORKERS above 1, the process started is a supervisor: it forks that
 * many full gateways, one after another (node:cluster; they share the port,
 * and the supervisor hands them connections in turn), starts a new one for each that
 * dies unexpectedly, and on SIGTERM or SIGINT passes the signal on and exits
 * once all have finished their requests. Each worker has its own connection
 * pool, secret key cache and, without REDIS_URL, its own rate limit budgets.
 * Resolves in a worker (or with one process) for it to serve; never in the supervisor.
 */
export async function superviseWorkers(config: Pick<Config, "workers" | "rateLimit">, logger: Logger): Promise<void> {
  if (config.workers <= 1 || !cluster.isPrimary) return;
  if (!config.rateLimit.redisUrl) {
    logger.warn(
      { workers: config.workers },
      "WORKERS without REDIS_URL: each worker counts rate limits on its own, so a caller gets up to that many budgets",
    );
  }
  let stopping = false;
  const startedAt = new Map<Worker, number>();
  const fork = () => startedAt.set(cluster.fork(), Date.now());
  cluster.on("exit", (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (startedAt.size === 0) process.exit(0);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, "a worker exited");
    if (lived >= STEADY_MS) fork();
    else if (startedAt.size === 0) process.exit(1);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: startedAt.size }, "stopping the workers");
    for (const worker of startedAt.keys()) worker.process.kill(signal);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  logger.info({ workers: config.workers }, "starting workers");
  // One after another: the first applies the migrations and registers the default project's key alone.
  let toStart = config.workers - 1;
  cluster.on("listening", () => {
    if (toStart > 0 && !stopping) {
      toStart--;
      fork();
    }
  });
  fork();
  // The supervisor serves nothing itself: it ends in the exit handler.
  await new Promise<never>(() => {});
}
