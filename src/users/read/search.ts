import { Prisma } from "../../db/generated/prisma/client.ts";
import { requestError } from "../../graphql/request-errors.ts";

/**
 * Free-text search over id, email, name, nickname and phone, case-insensitive.
 * A user matches when
 * - one of those fields starts with the query, or a word inside a name or
 *   nickname does, or the email's domain or a parent domain does (the search
 *   terms triggers keep in `user_search_terms`; a word starts after a space
 *   or punctuation, and leading punctuation in the query is ignored for
 *   words, so "@example.com" finds a domain);
 * - the query is phone-like and its digits are in the phone number (stored
 *   as E.164, so "7946" or "+44 20 7946" find +442079460958);
 * - a name or nickname is close to it (pg_trgm word similarity `<%`), so a
 *   typo still finds the person.
 * Nothing in the query is a pattern: terms are compared with `starts_with`,
 * and the digits in LIKE are digits only.
 *
 * A query with an `@` is an address: it is looked up in ids and emails only,
 * never fuzzily, since against names it finds only noise.
 */
export type Search = { query: string; text: string; digits: string | null; address: boolean };

/**
 * The longest query searched, in characters after trimming. Matching costs
 * grow with the query's length (about 2 ms a character over 75k users), and
 * no id, email or name a person types comes near it.
 */
export const MAX_SEARCH_LENGTH = 200;

export function parseSearch(query: string | null | undefined): Search | null {
  const trimmed = query?.trim();
  if (!trimmed) return null;
  if ([...trimmed].length > MAX_SEARCH_LENGTH) {
    throw requestError("BAD_USER_INPUT", `The search query may have at most ${MAX_SEARCH_LENGTH} characters.`, {
      argument: "filter.query",
      max: MAX_SEARCH_LENGTH,
    });
  }
  const text = trimmed.toLowerCase();
  const digits = text.replace(/\D/g, "");
  const phoneDigits = digits.length >= 3 && /^[\d\s()+.-]+$/.test(text) ? digits : null;
  return { query: trimmed, text, digits: phoneDigits, address: text.includes("@") };
}

/** Terms are lower-cased by the database, so the query is too: the same `lower` whatever the locale. */
export const loweredQuery = (search: Search) => Prisma.sql`lower(${search.query})`;
/** What a word inside a field must start with: the query without leading spaces and punctuation. */
const wordQuery = (search: Search) => Prisma.sql`regexp_replace(lower(${search.query}), '^[[:space:][:punct:]]+', '')`;

const addressOnly = (alias: Prisma.Sql, search: Search) => (search.address ? Prisma.sql` AND ${alias}.address` : Prisma.empty);

/** `alias` is a whole field that starts with the query: a range of the term index. */
export const wholeTermMatch = (alias: Prisma.Sql, search: Search) =>
  Prisma.sql`${alias}.whole AND ${alias}.term >= ${loweredQuery(search)} AND starts_with(${alias}.term, ${loweredQuery(search)})${addressOnly(alias, search)}`;

/** `alias` is a word inside a field that starts with the query: another range. */
export const wordTermMatch = (alias: Prisma.Sql, search: Search) =>
  Prisma.sql`NOT ${alias}.whole AND ${wordQuery(search)} <> '' AND ${alias}.term >= ${wordQuery(search)}
    AND starts_with(${alias}.term, ${wordQuery(search)})${addressOnly(alias, search)}`;

/** User `u`'s own search terms, computed from its row by the function that fills the index. */
export const termsOfUser = Prisma.sql`user_search_terms_of(u.id, u.email, u.name, u.nickname)`;

/** `alias`, one of a user's own terms, is one the query finds. */
export const termMatches = (alias: Prisma.Sql, search: Search) =>
  Prisma.sql`CASE WHEN ${alias}.whole THEN starts_with(${alias}.term, ${loweredQuery(search)})
    ELSE ${wordQuery(search)} <> '' AND starts_with(${alias}.term, ${wordQuery(search)}) END${addressOnly(alias, search)}`;

/** User `u` has a search term the query finds. */
export const hasMatchingTerm = (search: Search) =>
  Prisma.sql`EXISTS (SELECT 1 FROM ${termsOfUser} e WHERE ${termMatches(Prisma.raw("e"), search)})`;

/** User `u`'s phone number holds the query's digits, or null when the query is not phone-like. */
export const phoneCondition = ({ digits }: Search) => (digits ? Prisma.sql`u.phone_number LIKE ${`%${digits}%`}` : null);

/** User `u`'s name or nickname is close to the query, or null when the query is not matched fuzzily. */
export function fuzzyCondition({ text, address }: Search): Prisma.Sql | null {
  if (address) return null;
  return Prisma.sql`(${text} <% u.name OR ${text} <% u.nickname)`;
}

/**
 * Whether user `u` matches. The ids of all matches are gathered first, each
 * kind through its own index, so that a count or another order costs what
 * the matches cost, not what the project's size does.
 */
export function searchCondition(projectId: string, search: Search): Prisma.Sql {
  const t = Prisma.raw("t");
  const terms = Prisma.sql`SELECT t.user_id FROM user_search_terms t WHERE t.project_id = ${projectId}::uuid AND`;
  const sources = [Prisma.sql`${terms} ${wholeTermMatch(t, search)}`, Prisma.sql`${terms} ${wordTermMatch(t, search)}`];
  for (const condition of [phoneCondition(search), fuzzyCondition(search)]) {
    if (condition) sources.push(Prisma.sql`SELECT u.id FROM users u WHERE u.project_id = ${projectId}::uuid AND ${condition}`);
  }
  return Prisma.sql`u.id IN (${Prisma.join(sources, " UNION ")})`;
}

/** Closeness of user `u`'s name or nickname to the query (pg_trgm word similarity), as an integer so that cursors carry it exactly. */
export function similarityScore({ text }: Search): Prisma.Sql {
  return Prisma.sql`round(greatest(word_similarity(${text}, coalesce(u.name, '')), word_similarity(${text}, coalesce(u.nickname, ''))) * 1000000)::int`;
}
