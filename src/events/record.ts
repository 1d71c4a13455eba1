import type { Auth } from "../auth/caller.ts";
import type { Prisma } from "../db/generated/prisma/client.ts";
import { actorOf, type SystemCaller } from "./actor.ts";
import type { NewDirectoryEvent } from "./event-types.ts";
import { noteEventsWritten } from "./wake-ups.ts";

/**
 * Appends events to the project's log inside the writer's transaction, in
 * one statement, unnumbered: they take their place in the feed once
 * committed (sequencer.ts), so writers never wait on one another's commits.
 * An event without an organization gets its user's (as the transaction left
 * it). Nothing to record: no statement.
 */
export async function recordDirectoryEvents(
  tx: Prisma.TransactionClient,
  caller: Auth | SystemCaller,
  events: readonly NewDirectoryEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const { projectId } = caller;
  const actor = actorOf(caller);
  const rows = events.map((event) => ({
    type: event.type,
    user_id: event.userId ?? null,
    organization_id: event.organizationId ?? null,
    channel_id: event.channelId ?? null,
    changed_fields: event.changedFields ?? [],
    version: event.version ?? null,
  }));
  // WITH ORDINALITY: log_id follows the order of the events within the write.
  await tx.$executeRaw`
    INSERT INTO directory_events
      (project_id, type, user_id, organization_id, channel_id, actor_kind, actor_id, changed_fields, version)
    SELECT ${projectId}::uuid, e.type, e.user_id, COALESCE(e.organization_id, u.organization_id), e.channel_id::uuid,
      ${actor.kind}, ${actor.id}, e.changed_fields, e.version
    FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) WITH ORDINALITY AS a(event, ord)
    CROSS JOIN LATERAL jsonb_to_record(a.event)
      AS e(type text, user_id text, organization_id text, channel_id text, changed_fields text[], version int)
    LEFT JOIN users u ON u.project_id = ${projectId}::uuid AND u.id = e.user_id
    ORDER BY a.ord`;
  noteEventsWritten(projectId);
}

/** One event: see recordDirectoryEvents. For the push-delivery feature's PUSH_TOKEN_REMOVED, among others. */
export function recordDirectoryEvent(tx: Prisma.TransactionClient, caller: Auth | SystemCaller, event: NewDirectoryEvent) {
  return recordDirectoryEvents(tx, caller, [event]);
}
