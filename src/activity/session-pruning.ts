import type { PrismaClient } from "../db/generated/prisma/client.ts";

const DAY_MS = 86_400_000;
/** Sessions one pass deletes at most, so that a backlog never makes one statement long. */
const PRUNE_BATCH = 1000;
/** A process prunes at most this often; each activity also prunes its own user's old sessions. */
const PRUNE_INTERVAL_MS = 60_000;

const lastPruned = new WeakMap<PrismaClient, number>();

/**
 * Deletes a batch of every project's sessions last seen before the retention,
 * at most once a minute per database client. Rows another transaction holds
 * are skipped (a later pass takes them); the users' counts stay.
 */
export async function pruneStaleSessions(prisma: PrismaClient, now: Date, retentionDays: number): Promise<number> {
  const last = lastPruned.get(prisma);
  if (last !== undefined && now.getTime() - last < PRUNE_INTERVAL_MS) return 0;
  lastPruned.set(prisma, now.getTime());
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  return prisma.$executeRaw`
    DELETE FROM sessions WHERE id IN (
      SELECT id FROM sessions WHERE last_seen_at < ${cutoff}::timestamptz LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED
    )`;
}
