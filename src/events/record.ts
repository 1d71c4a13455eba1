import type { Auth } from "../auth/caller.ts";
import { Prisma } from "../db/generated/prisma/client.ts";
import { actorOf, type SystemCaller } from "./actor.ts";
import type { NewDirectoryEvent } from "./event-types.ts";
import { noteEventsWritten } from "./wake-ups.ts";

// Events are appended unnumbered, inside the writer's transaction: they take
// their place in the feed once committed (sequencer.ts), so writers never
// wait on one another's commits.

/**
 * `INSERT … SELECT` of the events (`e`), joined with `source`, which gives
 * `organization`: the organization of an event that names none, its user's.
 * `log_id` follows the order of the events.
 */
function insertEvents(caller: Auth | SystemCaller, events: readonly NewDirectoryEvent[], source: Prisma.Sql): Prisma.Sql {
  const actor = actorOf(caller);
  const rows = events.map((event) => ({
    type: event.type,
    user_id: event.userId ?? null,
    organization_id: event.organizationId ?? null,
    channel_id: event.channelId ?? null,
    changed_fields: event.changedFields ?? [],
    version: event.version ?? null,
  }));
  noteEventsWritten(caller.projectId);
  return Prisma.sql`
    INSERT INTO directory_events
      (project_id, type, user_id, organization_id, channel_id, actor_kind, actor_id, changed_fields, version)
    SELECT ${caller.projectId}::uuid, e.type, e.user_id, COALESCE(e.organization_id, organization), e.channel_id::uuid,
      ${actor.kind}, ${actor.id}, e.changed_fields, e.version
    FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) WITH ORDINALITY AS a(event, ord)
    CROSS JOIN LATERAL jsonb_to_record(a.event)
      AS e(type text, user_id text, organization_id text, channel_id text, changed_fields text[], version int)
    ${source}
    ORDER BY a.ord`;
}

/**
 * Appends events to the project's log inside the writer's transaction, in
 * one statement; an event without an organization gets its user's, as the
 * transaction left it. Nothing to record: no statement.
 */
export async function recordDirectoryEvents(
  tx: Prisma.TransactionClient,
  caller: Auth | SystemCaller,
  events: readonly NewDirectoryEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await tx.$executeRaw(
    insertEvents(
      caller,
      events,
      Prisma.sql`LEFT JOIN LATERAL (SELECT u.organization_id AS organization FROM users u
        WHERE u.project_id = ${caller.projectId}::uuid AND u.id = e.user_id) u ON true`,
    ),
  );
}

/** One event: see recordDirectoryEvents. For the push-delivery feature's PUSH_TOKEN_REMOVED, among others. */
export function recordDirectoryEvent(tx: Prisma.TransactionClient, caller: Auth | SystemCaller, event: NewDirectoryEvent) {
  return recordDirectoryEvents(tx, caller, [event]);
}

/**
 * For a statement that writes users in a CTE named `written` (returning `id`
 * and `organization_id`): a further CTE that records the events of the users
 * it wrote, so that the write and its events cost one round trip. Events of
 * users the write left alone are not recorded. Nothing to record: nothing added.
 */
export function recordWithUserWrite(caller: Auth | SystemCaller, events: readonly NewDirectoryEvent[]): Prisma.Sql {
  if (events.length === 0) return Prisma.empty;
  const source = Prisma.sql`JOIN (SELECT w.id, w.organization_id AS organization FROM written w) w ON w.id = e.user_id`;
  return Prisma.sql`, recorded AS (${insertEvents(caller, events, source)})`;
}
