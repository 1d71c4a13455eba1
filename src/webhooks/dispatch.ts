import { Webhook } from "standardwebhooks";
import { decryptAtRest, type EncryptionKey, isEncryptedAtRest } from "../auth/encryption-at-rest.ts";
import type { DirectoryEvent, PrismaClient, WebhookDelivery } from "../db/generated/prisma/client.ts";
import { numberCommittedEvents } from "../events/sequencer.ts";
import { postJson } from "./post.ts";
import { failingTooLong, nextAttemptAt } from "./schedule.ts";

export type DispatchOptions = {
  allowPrivate: boolean;
  /** The key the endpoints' secrets are encrypted with (the server's). */
  encryptionKey: EncryptionKey;
  scheduleSeconds: readonly number[];
  timeoutMs: number;
  /** Deliveries claimed at once by one worker. */
  batch: number;
};

/** How long a claimed delivery stays a worker's; past it (a crash), another worker takes it over. */
const LEASE_SECONDS = 60;

/**
 * Turns new events into deliveries for up to `limit` endpoints, each under its
 * row lock (SKIP LOCKED: gateways share the work, none does it twice). The
 * log is read from the endpoint's cursor, which is gap-free, so no event is
 * skipped; a delivery exists once per endpoint and event. Events committed
 * since the last round are numbered first.
 */
export async function enqueueDeliveries(prisma: PrismaClient, limit = 20): Promise<number> {
  const projects = await prisma.webhookEndpoint.findMany({
    where: { enabled: true },
    distinct: ["projectId"],
    select: { projectId: true },
  });
  if (projects.length === 0) return 0;
  await Promise.all(projects.map(({ projectId }) => numberCommittedEvents(prisma, projectId)));
  return prisma.$transaction(async (tx) => {
    const endpoints = await tx.$queryRaw<{ id: string; project_id: string; cursor_seq: bigint; event_types: string[] }[]>`
      SELECT e.id, e.project_id, e.cursor_seq, e.event_types FROM webhook_endpoints e
      WHERE e.enabled AND EXISTS (SELECT 1 FROM directory_event_counters c WHERE c.project_id = e.project_id AND c.last_seq > e.cursor_seq)
      LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
    let created = 0;
    for (const endpoint of endpoints) {
      created += await tx.$executeRaw`
        WITH events AS (
          SELECT seq, id, user_id, type FROM directory_events
          WHERE project_id = ${endpoint.project_id}::uuid AND seq > ${endpoint.cursor_seq} ORDER BY seq LIMIT 1000
        ), advanced AS (
          UPDATE webhook_endpoints SET cursor_seq = COALESCE((SELECT max(seq) FROM events), cursor_seq) WHERE id = ${endpoint.id}::uuid
        )
        INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_id, event_seq, user_id)
        SELECT gen_random_uuid(), ${endpoint.project_id}::uuid, ${endpoint.id}::uuid, id, seq, user_id FROM events
        WHERE cardinality(${endpoint.event_types}::text[]) = 0 OR type = ANY(${endpoint.event_types}::text[])
        ON CONFLICT (endpoint_id, event_seq) DO NOTHING`;
    }
    return created;
  });
}

/**
 * Leases up to `limit` due deliveries. A delivery waits while an earlier one
 * to the same endpoint for the same user is pending, so each user's events
 * arrive in order.
 */
function claimDeliveries(prisma: PrismaClient, limit: number) {
  return prisma.$queryRaw<(WebhookDelivery & { url: string; secret: string })[]>`
    WITH due AS (
      SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
      WHERE d.status = 'PENDING' AND d.next_attempt_at <= now() AND (d.leased_until IS NULL OR d.leased_until < now())
        AND NOT EXISTS (
          SELECT 1 FROM webhook_deliveries p
          WHERE p.endpoint_id = d.endpoint_id AND p.user_id = d.user_id AND p.status = 'PENDING' AND p.event_seq < d.event_seq)
      ORDER BY d.next_attempt_at, d.event_seq LIMIT ${limit}
      FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE webhook_deliveries w SET leased_until = now() + make_interval(secs => ${LEASE_SECONDS}), attempts = w.attempts + 1
    FROM due, webhook_endpoints e WHERE w.id = due.id AND e.id = w.endpoint_id
    RETURNING w.id, w.project_id AS "projectId", w.endpoint_id AS "endpointId", w.event_id AS "eventId", w.attempts, e.url, e.secret`;
}

/** The body of a delivery: Standard Webhooks' `{ type, timestamp, data }`, the event as the feed shows it. */
export function payloadOf(event: DirectoryEvent): string {
  return JSON.stringify({
    type: event.type,
    timestamp: event.occurredAt.toISOString(),
    data: {
      id: event.id,
      type: event.type,
      occurredAt: event.occurredAt.toISOString(),
      userId: event.userId,
      organizationId: event.organizationId,
      channelId: event.channelId,
      actor: { kind: event.actorKind, id: event.actorId },
      changedFields: event.changedFields,
      version: event.version,
    },
  });
}

/** Claims due deliveries and sends them, outside any transaction, then records each outcome. Returns how many it sent. */
export async function sendDueDeliveries(prisma: PrismaClient, options: DispatchOptions): Promise<number> {
  const claimed = await claimDeliveries(prisma, options.batch);
  if (claimed.length === 0) return 0;
  const events = new Map(
    (await prisma.directoryEvent.findMany({ where: { id: { in: claimed.map((delivery) => delivery.eventId) } } })).map((event) => [
      event.id,
      event,
    ]),
  );
  await Promise.all(
    claimed.map(async (delivery) => {
      const event = events.get(delivery.eventId);
      if (!event) {
        // Pruned by retention before it could be sent.
        await prisma.webhookDelivery.update({
          where: { id: delivery.id },
          data: { status: "FAILED", lastError: "event no longer retained", leasedUntil: null },
        });
        return;
      }
      let secret: string;
      try {
        secret = await secretOf(delivery, options.encryptionKey);
      } catch (error) {
        // A key that changed (or went missing) without the secrets being rotated: retried on schedule, and visible on the delivery.
        const reason = `not sent: the endpoint's secret could not be decrypted with this gateway's key (${(error as Error).message})`;
        await recordOutcome(prisma, delivery, { ok: false, status: null, error: reason }, options.scheduleSeconds);
        return;
      }
      const body = payloadOf(event);
      const now = new Date();
      const signature = new Webhook(secret).sign(event.id, now, body);
      const headers = {
        "webhook-id": event.id,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": signature,
      };
      const outcome = await postJson(delivery.url, body, headers, options.timeoutMs, options.allowPrivate);
      await recordOutcome(prisma, delivery, outcome, options.scheduleSeconds);
    }),
  );
  return claimed.length;
}

async function recordOutcome(
  prisma: PrismaClient,
  delivery: { id: string; endpointId: string; attempts: number },
  outcome: { ok: boolean; status: number | null; error: string | null },
  scheduleSeconds: readonly number[],
) {
  const now = new Date();
  const next = outcome.ok ? null : nextAttemptAt(delivery.attempts, now, scheduleSeconds);
  await prisma.webhookDelivery.update({
    where: { id: delivery.id },
    data: {
      status: outcome.ok ? "SUCCEEDED" : next ? "PENDING" : "FAILED",
      leasedUntil: null,
      lastStatusCode: outcome.status,
      lastError: outcome.error,
      ...(outcome.ok && { deliveredAt: now }),
      ...(next && { nextAttemptAt: next }),
    },
  });
  if (outcome.ok) {
    await prisma.webhookEndpoint.updateMany({
      where: { id: delivery.endpointId, failingSince: { not: null } },
      data: { failingSince: null },
    });
    return;
  }
  await prisma.webhookEndpoint.updateMany({ where: { id: delivery.endpointId, failingSince: null }, data: { failingSince: now } });
  const endpoint = await prisma.webhookEndpoint.findUnique({
    where: { id: delivery.endpointId },
    select: { failingSince: true, enabled: true },
  });
  if (endpoint?.enabled && failingTooLong(endpoint.failingSince, now)) {
    await prisma.webhookEndpoint.update({
      where: { id: delivery.endpointId },
      data: { enabled: false, disabledReason: `failing since ${endpoint.failingSince!.toISOString()}: disabled after 5 days of failures` },
    });
  }
}

/** The endpoint's signing secret in clear; one stored before secrets were encrypted is in clear already. */
async function secretOf({ endpointId, secret }: { endpointId: string; secret: string }, encryptionKey: EncryptionKey): Promise<string> {
  return isEncryptedAtRest(secret) ? decryptAtRest(await encryptionKey(), endpointId, secret) : secret;
}
