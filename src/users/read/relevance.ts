import { Prisma } from "../../db/generated/prisma/client.ts";
import type { CursorValues } from "../../graphql/cursor.ts";
import {
  fuzzyCondition,
  hasMatchingTerm,
  loweredQuery,
  phoneCondition,
  type Search,
  similarityScore,
  termMatches,
  termsOfUser,
  wholeTermMatch,
  wordTermMatch,
} from "./search.ts";
import type { SortDirection } from "./user-order.ts";

/**
 * The RELEVANCE order, best first, in segments read one after another until
 * a page is full:
 * 0 `exact`: the user's id or email is the query;
 * 1 `whole`: a field (id, email, name, nickname) starts with it;
 * 2 `word`: a word inside a name or nickname, or an email domain, starts with it;
 * 3 `phone`: only the phone number holds its digits;
 * 4 `fuzzy`: only a name or nickname is close to it (a typo).
 * In segments 0–2 users follow their best matching search term, then id: a
 * range of the term index read a page at a time, however many users match
 * (each user's own terms, recomputed from its row, say which term is its best).
 * In 3–4 they follow closeness (pg_trgm word similarity), then id; these
 * are ranked in full, but only when the better segments leave the page short.
 */
export const RELEVANCE_SEGMENTS = ["exact", "whole", "word", "phone", "fuzzy"] as const;
export type RelevanceSegment = (typeof RELEVANCE_SEGMENTS)[number];
const TERM_SEGMENTS: readonly RelevanceSegment[] = ["exact", "whole", "word"];

/** The segment (0–2) a matching term puts its user in. */
const termRank = (alias: Prisma.Sql, search: Search) =>
  Prisma.sql`CASE WHEN ${alias}.whole AND ${alias}.address AND ${alias}.term = ${loweredQuery(search)} THEN 0 WHEN ${alias}.whole THEN 1 ELSE 2 END`;

/** Terms of `alias` in one of the term segments. */
function termSegmentCondition(alias: Prisma.Sql, search: Search, segment: RelevanceSegment): Prisma.Sql {
  if (segment === "exact") return Prisma.sql`${alias}.whole AND ${alias}.address AND ${alias}.term = ${loweredQuery(search)}`;
  return segment === "whole" ? wholeTermMatch(alias, search) : wordTermMatch(alias, search);
}

/** The best of user `u`'s matching terms: its segment and the term (in the index's bytewise order), or no row. */
function bestTerm(search: Search): Prisma.Sql {
  const e = Prisma.raw("e");
  return Prisma.sql`SELECT ${termRank(e, search)} AS rank, e.term COLLATE "C" AS term FROM ${termsOfUser} e
    WHERE ${termMatches(e, search)} ORDER BY 1, 2 LIMIT 1`;
}

/** The segments a search has: phone-like queries have a phone segment, addresses no fuzzy one. */
function segmentsOf(search: Search): RelevanceSegment[] {
  return RELEVANCE_SEGMENTS.filter((segment) =>
    segment === "phone" ? phoneCondition(search) : segment !== "fuzzy" || fuzzyCondition(search),
  );
}

/** The segments walked in `direction`, from the one the cursor is in. */
export function relevanceSegmentsFrom(search: Search, direction: SortDirection, cursor: CursorValues | null): RelevanceSegment[] {
  const segments = segmentsOf(search);
  if (direction === "DESC") segments.reverse();
  return cursor ? segments.slice(segments.indexOf(RELEVANCE_SEGMENTS[cursor[0] as number]!)) : segments;
}

/** Matches in the phone or fuzzy segment: not found through a term (nor, for fuzzy, through the phone number). */
function closenessSegmentCondition(search: Search, segment: RelevanceSegment): Prisma.Sql {
  const phone = phoneCondition(search);
  if (segment === "phone") return Prisma.sql`${phone} AND NOT ${hasMatchingTerm(search)}`;
  const notPhone = phone ? Prisma.sql` AND ${phone} IS NOT TRUE` : Prisma.empty;
  return Prisma.sql`${fuzzyCondition(search)} AND NOT ${hasMatchingTerm(search)}${notPhone}`;
}

/**
 * One segment's rows after the cursor, as `columns` of `u` with `_rank` and
 * `_key` (the term, or the closeness score) for the next cursor. `where` holds
 * the listing's other filters on `u`.
 */
export function relevanceSegmentQuery(
  projectId: string,
  columns: Prisma.Sql,
  search: Search,
  where: Prisma.Sql,
  segment: RelevanceSegment,
  direction: SortDirection,
  cursor: CursorValues | null,
  limit: number,
): Prisma.Sql {
  const rank = RELEVANCE_SEGMENTS.indexOf(segment);
  const op = Prisma.raw(direction === "ASC" ? ">" : "<");
  const dir = Prisma.raw(direction);
  const inSegment = cursor !== null && cursor[0] === rank;
  if (TERM_SEGMENTS.includes(segment)) {
    // A user found through several terms is listed once, at its best; and only through terms its row has now.
    const best = Prisma.sql`AND (${rank}, t.term) = (${bestTerm(search)})`;
    const after = inSegment ? Prisma.sql`AND (t.term, t.user_id) ${op} (${cursor[1]}, ${cursor[2]})` : Prisma.empty;
    return Prisma.sql`
      SELECT ${columns}, ${rank}::int AS _rank, t.term AS _key FROM user_search_terms t
      JOIN users u ON u.project_id = t.project_id AND u.id = t.user_id
      WHERE t.project_id = ${projectId}::uuid AND ${termSegmentCondition(Prisma.raw("t"), search, segment)} AND ${where} ${best} ${after}
      ORDER BY t.term ${dir}, t.user_id ${dir} LIMIT ${limit}`;
  }
  // Closer first: the score descends when the order ascends.
  const after = inSegment ? Prisma.sql`WHERE (-s._key, s.id) ${op} (${-Number(cursor[1])}::int, ${cursor[2]})` : Prisma.empty;
  return Prisma.sql`
    SELECT * FROM (
      SELECT ${columns}, ${rank}::int AS _rank, ${similarityScore(search)} AS _key FROM users u
      WHERE ${where} AND ${closenessSegmentCondition(search, segment)}) s
    ${after} ORDER BY s._key ${Prisma.raw(direction === "ASC" ? "DESC" : "ASC")}, s.id ${dir} LIMIT ${limit}`;
}

/** A row's place in the order, for its cursor. */
export const relevanceCursor = (row: { id: string; _rank?: number; _key?: unknown }): CursorValues => [
  row._rank!,
  row._key as string | number,
  row.id,
];

/**
 * Every match of `where` (which holds the search) ranked at once, for
 * numbered pages: the segments' order in one statement with OFFSET.
 */
export function relevancePageQuery(
  columns: Prisma.Sql,
  search: Search,
  where: Prisma.Sql,
  direction: SortDirection,
  limit: number,
  offset: number,
) {
  const dir = Prisma.raw(direction);
  const closerFirst = Prisma.raw(direction === "ASC" ? "DESC" : "ASC");
  const phone = phoneCondition(search);
  const closeness = phone ? Prisma.sql`CASE WHEN ${phone} THEN 3 ELSE 4 END` : Prisma.sql`4`;
  return Prisma.sql`
    SELECT * FROM (
      SELECT ${columns}, coalesce(b.rank, ${closeness}) AS _rank, b.term AS _term,
        CASE WHEN b.rank IS NULL THEN ${similarityScore(search)} END AS _score
      FROM users u LEFT JOIN LATERAL (${bestTerm(search)}) b ON true WHERE ${where}) s
    ORDER BY s._rank ${dir}, s._term ${dir}, s._score ${closerFirst}, s.id ${dir} LIMIT ${limit} OFFSET ${offset}`;
}
