import type { Logger } from "pino";
import type { PrismaClient } from "../db/generated/prisma/client.ts";

/**
 * Deletes the events older than `days` in every project, and the webhook
 * deliveries made as long ago; returns how many events. Safe on any number
 * of gateways at once.
 */
export async function pruneEvents(prisma: PrismaClient, days: number, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - days * 86_400_000);
  await prisma.webhookDelivery.deleteMany({ where: { createdAt: { lt: before }, status: { not: "PENDING" } } });
  const { count } = await prisma.directoryEvent.deleteMany({ where: { occurredAt: { lt: before } } });
  return count;
}

const HOUR_MS = 3_600_000;

/** Prunes a minute after the start (not in the way of starting up) and every hour after, until stopped. */
export function startRetention(prisma: PrismaClient, days: number, logger: Logger): () => void {
  const prune = () =>
    pruneEvents(prisma, days).then(
      (count) => count > 0 && logger.info({ count, days }, "change feed: events past retention deleted"),
      (error) => logger.error({ err: error }, "change feed: pruning failed"),
    );
  const first = setTimeout(prune, 60_000);
  const timer = setInterval(prune, HOUR_MS);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
