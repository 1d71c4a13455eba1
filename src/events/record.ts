import type { Auth } from "../auth/caller.ts";
import type { Prisma } from "../db/generated/prisma/client.ts";
import { actorOf, type SystemCaller } from "./actor.ts";
import type { NewDirectoryEvent } from "./event-types.ts";
import { noteEventsWritten } from "./wake-ups.ts";

/**
 * Appends events to the project's log inside the writer's transaction, in
 * one statement. Their numbers come from the project's counter row, which
 * stays locked until this transaction commits or rolls back: writers of one
 * project commit in the order of their numbers, so a reader that sees event
 * n has seen every event before it (the feed is gap-free). Call it last in
 * the transaction, after every other lock is taken. An event without an
 * organization gets its user's (as the transaction left it). Nothing to
 * record: no statement.
 */
export async function recordDirectoryEvents(
  tx: Prisma.TransactionClient,
  caller: Auth | SystemCaller,
  events: readonly NewDirectoryEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const { projectId } = caller;
  const actor = actorOf(caller);
  const rows = events.map((event, index) => ({
    ord: index + 1,
    type: event.type,
    user_id: event.userId ?? null,
    organization_id: event.organizationId ?? null,
    channel_id: event.channelId ?? null,
    changed_fields: event.changedFields ?? [],
    version: event.version ?? null,
  }));
  const count = rows.length;
  await tx.$executeRaw`
    WITH counter AS (
      INSERT INTO directory_event_counters AS c (project_id, last_seq) VALUES (${projectId}::uuid, ${count})
      ON CONFLICT (project_id) DO UPDATE SET last_seq = c.last_seq + ${count}
      RETURNING last_seq
    )
    INSERT INTO directory_events
      (project_id, seq, type, user_id, organization_id, channel_id, actor_kind, actor_id, changed_fields, version)
    SELECT ${projectId}::uuid, counter.last_seq - ${count} + e.ord, e.type, e.user_id,
      COALESCE(e.organization_id, u.organization_id), e.channel_id::uuid, ${actor.kind}, ${actor.id}, e.changed_fields, e.version
    FROM counter
    CROSS JOIN jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS e(ord int, type text, user_id text, organization_id text, channel_id text, changed_fields text[], version int)
    LEFT JOIN users u ON u.project_id = ${projectId}::uuid AND u.id = e.user_id`;
  noteEventsWritten(projectId);
}

/** One event: see recordDirectoryEvents. For the push-delivery feature's PUSH_TOKEN_REMOVED, among others. */
export function recordDirectoryEvent(tx: Prisma.TransactionClient, caller: Auth | SystemCaller, event: NewDirectoryEvent) {
  return recordDirectoryEvents(tx, caller, [event]);
}
