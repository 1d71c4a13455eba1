import { Prisma } from "../db/generated/prisma/client.ts";

/**
 * Free-text search over id, email, name, nickname and phone. Every text
 * column matches a case-insensitive substring (ILIKE); names and nicknames
 * also match fuzzily (pg_trgm's word similarity `<%`), so a typo still finds
 * the person. Ids and emails stay exact-ish on purpose: fuzzy email matching
 * makes every address at the same domain look alike. Both operators are
 * served by the trigram GIN indexes on the plain columns.
 *
 * A query with an `@` is an address: it is looked up in ids and emails only,
 * never fuzzily. Matching it against names finds only noise, and every
 * column searched costs an index scan whose price grows with the query's
 * length (an address has many trigrams that nearly every row shares).
 */
export type Search = { text: string; pattern: string; digits: string | null; address: boolean };

/** LIKE's metacharacters in the query are literal. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, "\\$&");

export function parseSearch(query: string | null | undefined): Search | null {
  const text = query?.trim().toLowerCase();
  if (!text) return null;
  const digits = text.replace(/\D/g, "");
  // Phone numbers are stored as E.164, so digits are what a phone search can match.
  const phoneDigits = digits.length >= 3 && /^[\d\s()+.-]+$/.test(text) ? digits : null;
  return { text, pattern: escapeLike(text), digits: phoneDigits, address: text.includes("@") };
}

const NAME_COLUMNS = [Prisma.sql`u.name`, Prisma.sql`u.nickname`];
const ADDRESS_COLUMNS = [Prisma.sql`u.id`, Prisma.sql`u.email`];
const TEXT_COLUMNS = [...ADDRESS_COLUMNS, ...NAME_COLUMNS];

/** The columns a query is matched against as a substring. */
const searchedColumns = ({ address }: Search) => (address ? ADDRESS_COLUMNS : TEXT_COLUMNS);

/** A case-insensitive substring of a searched column, or the digits of a phone number. */
export function substringCondition(search: Search): Prisma.Sql {
  const { pattern, digits } = search;
  const contains = `%${pattern}%`;
  const matches = searchedColumns(search).map((column) => Prisma.sql`${column} ILIKE ${contains}`);
  if (digits) matches.push(Prisma.sql`u.phone_number LIKE ${`%${digits}%`}`);
  return Prisma.sql`(${Prisma.join(matches, " OR ")})`;
}

/** A name or nickname close to the query (pg_trgm word similarity), or null when the query is not matched fuzzily. */
export function fuzzyCondition({ text, address }: Search): Prisma.Sql | null {
  if (address) return null;
  return Prisma.sql`(${Prisma.join(NAME_COLUMNS.map((column) => Prisma.sql`${text} <% ${column}`), " OR ")})`;
}

export function searchCondition(search: Search): Prisma.Sql {
  const fuzzy = fuzzyCondition(search);
  return fuzzy ? Prisma.sql`(${substringCondition(search)} OR ${fuzzy})` : substringCondition(search);
}

/**
 * 0: the id or email is the query; 1: a field starts with it; 2: a field
 * contains it; 3: only a name is close to it. Substring matches thus come
 * before fuzzy ones, so a page of them is found without ranking every
 * fuzzy match (a short query is close to thousands of names).
 */
export function relevanceRank(search: Search): Prisma.Sql {
  const { pattern, digits } = search;
  const prefix = `${pattern}%`;
  const prefixes = searchedColumns(search).map((column) => Prisma.sql`${column} ILIKE ${prefix}`);
  if (digits) prefixes.push(Prisma.sql`u.phone_number LIKE ${`+${digits}%`}`);
  return Prisma.sql`CASE
    WHEN u.id ILIKE ${pattern} OR u.email ILIKE ${pattern} THEN 0
    WHEN ${Prisma.join(prefixes, " OR ")} THEN 1
    WHEN ${substringCondition(search)} THEN 2
    ELSE ${FUZZY_RANK} END`;
}

export const FUZZY_RANK = 3;

/** Closeness within a rank, as an integer so that cursors carry it exactly. */
export function relevanceScore({ text }: Search): Prisma.Sql {
  const similarities = TEXT_COLUMNS.map((column) => Prisma.sql`word_similarity(${text}, coalesce(${column}, ''))`);
  return Prisma.sql`round(greatest(${Prisma.join(similarities, ", ")}) * 1000000)::int`;
}
