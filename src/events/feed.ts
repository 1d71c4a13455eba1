import type { Auth } from "../auth/caller.ts";
import { reachableOrganizations } from "../auth/reach.ts";
import type { DirectoryEvent, Prisma, PrismaClient } from "../db/generated/prisma/client.ts";
import { type ConnectionPage, connectionPage } from "../graphql/connection-page.ts";
import { decodeCursor, encodeCursor } from "../graphql/cursor.ts";
import { checkPageSize } from "../graphql/page-size.ts";
import { requestError } from "../graphql/request-errors.ts";
import type { EventType } from "./event-types.ts";
import { numberCommittedEvents } from "./sequencer.ts";

const DEFAULT_PAGE_SIZE = 50;

export type EventFilter = {
  types?: readonly EventType[] | null;
  userId?: string | null;
  organizationId?: string | null;
  since?: Date | null;
};

/** An event with its place in the feed, whose cursor resumes the feed (or a subscription) after it. */
export type FeedEvent = DirectoryEvent & { seq: bigint; cursor: string };

// A position in a project's log means the same under any filter, so a cursor binds to the project alone.
const binding = (projectId: string) => JSON.stringify(["events", projectId]);

export const eventCursor = (auth: Auth, seq: bigint) => encodeCursor([seq.toString()], binding(auth.projectId), auth.cursorSecret);

/** The position a cursor stands for; BAD_USER_INPUT for a forged one or one of another project. */
export function positionOf(auth: Auth, cursor: string): bigint {
  const [seq] = decodeCursor(cursor, binding(auth.projectId), auth.cursorSecret);
  if (typeof seq !== "string" || !/^\d{1,19}$/.test(seq)) throw requestError("BAD_USER_INPUT", "The cursor is not valid.");
  return BigInt(seq);
}

/** The caller's events: a member's within its organizations, a user token's of its own user only, a secret key's all. */
export function eventsInReach(auth: Auth, filter: EventFilter = {}): Prisma.DirectoryEventWhereInput {
  const reach = reachableOrganizations(auth);
  return {
    projectId: auth.projectId,
    seq: { not: null },
    ...(reach !== null && { organizationId: { in: [...reach] } }),
    ...(auth.kind === "userToken" && { userId: auth.userId }),
    AND: [
      filter.types ? { type: { in: [...filter.types] } } : {},
      filter.userId != null ? { userId: filter.userId } : {},
      filter.organizationId != null ? { organizationId: filter.organizationId } : {},
      filter.since != null ? { occurredAt: { gte: filter.since } } : {},
    ],
  };
}

/** Up to `limit` events after `position`, in commit order, once the events committed so far are numbered. */
export async function readEventsAfter(prisma: PrismaClient, auth: Auth, filter: EventFilter, position: bigint, limit: number) {
  await numberCommittedEvents(prisma, auth.projectId);
  const rows = await prisma.directoryEvent.findMany({
    where: { ...eventsInReach(auth, filter), seq: { gt: position } },
    orderBy: { seq: "asc" },
    take: limit,
  });
  return rows.map((row): FeedEvent => {
    const seq = row.seq as bigint;
    return { ...row, seq, cursor: eventCursor(auth, seq) };
  });
}

/** The last position of the project's log: where a subscription without `after` starts. */
export const headOf = numberCommittedEvents;

/**
 * The feed: events in commit order, paged forward by their position. Gap-free
 * because positions are handed out in commit order (sequencer.ts): a page ending
 * at n was read after every event up to n had been numbered and committed.
 */
export async function listEvents(
  prisma: PrismaClient,
  auth: Auth,
  { first, after, filter }: { first?: number | null; after?: string | null; filter?: EventFilter | null },
): Promise<ConnectionPage<FeedEvent>> {
  if (first != null) checkPageSize("first", first);
  const limit = first ?? DEFAULT_PAGE_SIZE;
  const position = after ? positionOf(auth, after) : 0n;
  const rows = limit === 0 ? [] : await readEventsAfter(prisma, auth, filter ?? {}, position, limit + 1);
  return connectionPage(
    rows.slice(0, limit),
    (event) => event.cursor,
    { hasNextPage: rows.length > limit, hasPreviousPage: after != null },
    () => prisma.directoryEvent.count({ where: eventsInReach(auth, filter ?? {}) }),
  );
}
