import type { Auth } from "../../auth/caller.ts";
import { reachableOrganizations } from "../../auth/reach.ts";
import { readRows } from "../../db/direct-reads.ts";
import { Prisma, type PrismaClient, type User } from "../../db/generated/prisma/client.ts";
import { type ConnectionPage, connectionPage } from "../../graphql/connection-page.ts";
import { type CursorValues, decodeCursor, encodeCursor } from "../../graphql/cursor.ts";
import { checkPageSize } from "../../graphql/page-size.ts";
import { requestError } from "../../graphql/request-errors.ts";
import { columnOf } from "../user-fields.ts";
import { relevanceCursor, relevancePageQuery, relevanceSegmentQuery, relevanceSegmentsFrom } from "./relevance.ts";
import { type NormalizedUserFilter, normalizeUserFilter, type UserFilter, userFilterConditions } from "./user-filter.ts";
import { SORT_KEYS, type SortDirection, type SortKey, type UserOrder } from "./user-order.ts";
import { EVERY_USER_FIELD, type UserSelection, userSelectList } from "./user-selection.ts";

const DEFAULT_PAGE_SIZE = 50;

/**
 * What to list: one project's users under one filter and one total order,
 * read as the `columns` of `u` (users) that the response needs, for a
 * request whose `signal` stops the listing's statements when its client goes away.
 */
export type UserListing = {
  projectId: string;
  filter: NormalizedUserFilter;
  order: UserOrder;
  binding: string;
  columns: Prisma.Sql;
  signal: AbortSignal | undefined;
};

/**
 * The caller's users under the filter: all of the project's for a key, those
 * in its reach for a member, read as the response needs (user-selection.ts).
 */
export function userListing(
  auth: Auth,
  filter: UserFilter | null | undefined,
  order: { field: UserOrder["field"]; direction?: UserOrder["direction"] | null } | null | undefined,
  selection: UserSelection = EVERY_USER_FIELD,
  signal?: AbortSignal,
): UserListing {
  const { projectId } = auth;
  const normalized = normalizeUserFilter(filter, reachableOrganizations(auth));
  const field = order?.field ?? (normalized.search ? "RELEVANCE" : "CREATED_AT");
  if (field === "RELEVANCE" && !normalized.search) {
    throw requestError("BAD_USER_INPUT", "Ordering by RELEVANCE needs a search query in the filter.");
  }
  const resolved: UserOrder = { field, direction: order?.direction ?? "ASC" };
  return {
    projectId,
    filter: normalized,
    order: resolved,
    binding: JSON.stringify([projectId, normalized, resolved]),
    columns: userSelectList(selection, []),
    signal,
  };
}

/**
 * The sort key `column` as a cursor holds it, for a cursor page to read as
 * `_key`. A time is read as the ISO text `toISOString` writes (the columns
 * keep milliseconds), not as a Date: the driver's date parsing was the
 * largest item of a page's row decoding.
 */
const sortKeyOf = (column: string, kind: SortKey["kind"]) =>
  Prisma.raw(kind === "time" ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : column);

/** A user as its list reads it: the selected fields under Prisma's names, and the list's own `_` values. */
type Row = User & { _rank?: number; _key?: string | number | null };

/**
 * One segment of the order. A nullable sort column splits the order into the
 * rows with a value and the rows without (nulls last ascending, first
 * descending); within a segment a row comparison `(column, id) > (v, id)`
 * lets the btree index start right at the cursor, so a page costs the same
 * at any depth. The relevance order has segments of its own (relevance.ts).
 */
type Segment = "value" | "null";

/** The segments of the order walked in `direction`, from the one the cursor is in. */
function segmentsFrom(listing: UserListing, direction: SortDirection, cursor: CursorValues | null): Segment[] {
  const { field } = listing.order;
  if (field === "RELEVANCE" || field === "ID" || !SORT_KEYS[field].nullable) return ["value"];
  // Bounds on lastSeenAt leave no row without one: the null segment would only scan for nothing.
  if (field === "LAST_SEEN_AT" && (listing.filter.lastSeenAfter !== null || listing.filter.lastSeenBefore !== null)) return ["value"];
  const order: Segment[] = direction === "ASC" ? ["value", "null"] : ["null", "value"];
  return cursor ? order.slice(order.indexOf(cursor[0] === null ? "null" : "value")) : order;
}

async function fetchSegment(
  prisma: PrismaClient,
  listing: UserListing,
  direction: SortDirection,
  segment: Segment,
  cursor: CursorValues | null,
  limit: number,
): Promise<Row[]> {
  const op = Prisma.raw(direction === "ASC" ? ">" : "<");
  const dir = Prisma.raw(direction);
  const { field } = listing.order;
  const where = userFilterConditions(listing.projectId, listing.filter);
  const { columns } = listing;
  if (field === "ID") {
    const after = cursor ? Prisma.sql`AND u.id ${op} ${cursor[0]}` : Prisma.empty;
    return readRows<Row>(
      prisma,
      Prisma.sql`SELECT ${columns} FROM users u WHERE ${where} ${after} ORDER BY u.id ${dir} LIMIT ${limit}`,
      listing.signal,
    );
  }
  const { kind, field: sortField } = SORT_KEYS[field as keyof typeof SORT_KEYS];
  const columnName = `u.${columnOf(sortField)}`;
  const column = Prisma.raw(columnName);
  const read = Prisma.sql`${columns}, ${sortKeyOf(columnName, kind)} AS _key`;
  const value = (v: unknown) =>
    kind === "text" ? Prisma.sql`${v}` : Prisma.sql`${v}::${Prisma.raw(kind === "time" ? "timestamptz" : "int")}`;
  const startsHere = cursor !== null && (cursor[0] === null) === (segment === "null");
  let condition: Prisma.Sql;
  if (segment === "null") {
    condition = startsHere ? Prisma.sql`${column} IS NULL AND u.id ${op} ${cursor![1]}` : Prisma.sql`${column} IS NULL`;
    return readRows<Row>(
      prisma,
      Prisma.sql`SELECT ${read} FROM users u WHERE ${where} AND ${condition} ORDER BY u.id ${dir} LIMIT ${limit}`,
      listing.signal,
    );
  }
  condition = startsHere ? Prisma.sql`(${column}, u.id) ${op} (${value(cursor![0])}, ${cursor![1]})` : Prisma.sql`${column} IS NOT NULL`;
  return readRows<Row>(
    prisma,
    Prisma.sql`SELECT ${read} FROM users u WHERE ${where} AND ${condition} ORDER BY ${column} ${dir}, u.id ${dir} LIMIT ${limit}`,
    listing.signal,
  );
}

/** The relevance order's segments, each read only while the page is short. */
async function fetchRelevant(
  prisma: PrismaClient,
  listing: UserListing,
  direction: SortDirection,
  cursor: CursorValues | null,
  limit: number,
) {
  const search = listing.filter.search!;
  const where = userFilterConditions(listing.projectId, { ...listing.filter, search: null });
  const rows: Row[] = [];
  for (const segment of relevanceSegmentsFrom(search, direction, cursor)) {
    if (rows.length >= limit) break;
    const query = relevanceSegmentQuery(listing.projectId, listing.columns, search, where, segment, direction, cursor, limit - rows.length);
    rows.push(...(await readRows<Row>(prisma, query, listing.signal)));
  }
  return rows;
}

/** Up to `limit` rows following the cursor, walking the order in `direction`. */
async function fetchAfter(
  prisma: PrismaClient,
  listing: UserListing,
  direction: SortDirection,
  cursor: CursorValues | null,
  limit: number,
) {
  if (listing.order.field === "RELEVANCE") return fetchRelevant(prisma, listing, direction, cursor, limit);
  const rows: Row[] = [];
  for (const segment of segmentsFrom(listing, direction, cursor)) {
    if (rows.length >= limit) break;
    rows.push(...(await fetchSegment(prisma, listing, direction, segment, cursor, limit - rows.length)));
  }
  return rows;
}

function cursorValues(listing: UserListing, row: Row): CursorValues {
  const { field } = listing.order;
  if (field === "RELEVANCE") return relevanceCursor(row);
  if (field === "ID") return [row.id];
  return [row._key ?? null, row.id];
}

export function countUsers(prisma: PrismaClient, listing: UserListing): Promise<number> {
  return readRows<{ count: number }>(
    prisma,
    Prisma.sql`SELECT count(*)::int AS count FROM users u WHERE ${userFilterConditions(listing.projectId, listing.filter)}`,
    listing.signal,
  ).then(([row]) => row!.count);
}

export type CursorArguments = { first?: number | null; after?: string | null; last?: number | null; before?: string | null };

/** A Relay page: `first`/`after` forwards, `last`/`before` backwards. */
export async function listUsersByCursor(
  prisma: PrismaClient,
  listing: UserListing,
  { first, after, last, before }: CursorArguments,
  cursorSecret: string,
): Promise<ConnectionPage<User>> {
  if (first != null && last != null) throw requestError("BAD_USER_INPUT", "Pass either first or last, not both.");
  if (first != null) checkPageSize("first", first);
  if (last != null) checkPageSize("last", last);
  const backwards = last != null || (before != null && first == null);
  const limit = (backwards ? last : first) ?? DEFAULT_PAGE_SIZE;
  const given = backwards ? before : after;
  const cursor = given ? decodeCursor(given, listing.binding, cursorSecret) : null;
  const forward = listing.order.direction;
  const direction: SortDirection = backwards ? (forward === "ASC" ? "DESC" : "ASC") : forward;

  const rows = limit === 0 ? [] : await fetchAfter(prisma, listing, direction, cursor, limit + 1);
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  if (backwards) page.reverse();
  return connectionPage(
    page,
    (row) => encodeCursor(cursorValues(listing, row), listing.binding, cursorSecret),
    { hasNextPage: backwards ? before != null : hasMore, hasPreviousPage: backwards ? hasMore : after != null },
    () => countUsers(prisma, listing),
  );
}

/** A numbered page (0-indexed), for dashboards that show page numbers. */
export async function listUsersByPage(prisma: PrismaClient, listing: UserListing, { page, size }: { page: number; size: number }) {
  checkPageSize("size", size);
  if (!Number.isInteger(page) || page < 0) throw requestError("BAD_USER_INPUT", "page must be 0 or more.", { argument: "page" });
  const rows = await fetchPage(prisma, listing, page * size, size + 1);
  return {
    items: rows.slice(0, size) as User[],
    page,
    size,
    hasNextPage: rows.length > size,
    totalCount: () => countUsers(prisma, listing),
  };
}

function orderBy({ order: { field, direction } }: UserListing): Prisma.Sql {
  const dir = Prisma.raw(direction);
  if (field === "ID" || field === "RELEVANCE") return Prisma.sql`u.id ${dir}`;
  const column = Prisma.raw(`u.${columnOf(SORT_KEYS[field].field)}`);
  return Prisma.sql`${column} ${dir} ${Prisma.raw(direction === "ASC" ? "NULLS LAST" : "NULLS FIRST")}, u.id ${dir}`;
}

function fetchPage(prisma: PrismaClient, listing: UserListing, offset: number, limit: number): Promise<Row[]> {
  const where = userFilterConditions(listing.projectId, listing.filter);
  const { search } = listing.filter;
  if (listing.order.field === "RELEVANCE") {
    return readRows<Row>(
      prisma,
      relevancePageQuery(listing.columns, search!, where, listing.order.direction, limit, offset),
      listing.signal,
    );
  }
  return readRows<Row>(
    prisma,
    Prisma.sql`SELECT ${listing.columns} FROM users u WHERE ${where} ORDER BY ${orderBy(listing)} LIMIT ${limit} OFFSET ${offset}`,
    listing.signal,
  );
}
