import { Prisma } from "../src/db/generated/prisma/client.ts";
import { relevanceSegmentQuery, relevanceSegmentsFrom } from "../src/users/read/relevance.ts";
import { parseSearch } from "../src/users/read/search.ts";
import { normalizeUserFilter, type UserFilter, userFilterConditions } from "../src/users/read/user-filter.ts";
import type { RawQuery, Statement } from "./raw-baseline.ts";

/**
 * A read as a client sends it to the gateway, and the same read as SQL for the
 * baseline: statements run in turn until one page of rows is found.
 */
export type QueryScenario = {
  name: string;
  query: string;
  variables(i: number): Record<string, unknown>;
  raw(i: number): Statement[];
  pageSize: number;
};

type GraphQL = (query: string, variables: Record<string, unknown>) => Promise<Record<string, any>>;
type SampleUser = { id: string; email: string; name: string; tags: string[] };

const DEEP_PAGES = 500;
const PAGE = 50;
const SEARCH_PAGE = 20;

const USER_BY_ID = `query ($id: ID!) { user(id: $id) { id email name } }`;
const EMPTY = `query { __typename }`;
const FIRST_PAGE = `query { users(first: ${PAGE}) { nodes { id name organization { name } } } }`;
const PAGE_AFTER = `query ($after: String) { users(first: ${PAGE}, after: $after) { pageInfo { endCursor } nodes { id name organization { name } } } }`;
const FILTERED_PAGE = `query ($filter: UserFilter!) { users(first: ${PAGE}, filter: $filter) { nodes { id name organization { name } } } }`;
const SEARCH = `query ($query: String!) { users(first: ${SEARCH_PAGE}, filter: { query: $query }) { nodes { id email name } } }`;

/** The gateway's page in its default order as one statement: its own filter SQL, organizations joined in. */
function pageSql(projectId: string, filter: UserFilter | null, after: Prisma.Sql = Prisma.empty): Statement {
  const sql = Prisma.sql`
    SELECT u.id, u.name, o.name AS organization FROM users u
    LEFT JOIN organizations o ON o.project_id = u.project_id AND o.id = u.organization_id
    WHERE ${userFilterConditions(projectId, normalizeUserFilter(filter, null))} ${after}
    ORDER BY u.created_at, u.id LIMIT ${PAGE + 1}`;
  return [sql.text, sql.values];
}

/** One typo: two letters near the end of the name swapped. */
const withTypo = (name: string) => {
  const at = name.length - 3;
  return name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2);
};

/** The gateway's own relevance-ordered search as plain SQL for the driver: its segments, best first. */
function searchSql(projectId: string, query: string): Statement[] {
  const search = parseSearch(query)!;
  const others = userFilterConditions(projectId, normalizeUserFilter(null, null));
  return relevanceSegmentsFrom(search, "ASC", null).map((segment) => {
    const segmentQuery = relevanceSegmentQuery(
      projectId,
      Prisma.sql`u.id, u.email, u.name`,
      search,
      others,
      segment,
      "ASC",
      null,
      SEARCH_PAGE + 1,
    );
    const sql = Prisma.sql`SELECT s.id, s.email, s.name FROM (${segmentQuery}) s`;
    return [sql.text, sql.values];
  });
}

export async function queryScenarios(
  raw: RawQuery,
  projectId: string,
  graphql: GraphQL,
  include: (name: string) => boolean = () => true,
): Promise<QueryScenario[]> {
  // Whole pages are sampled, and a page's users are neighbours (alike in this seed): draw from many pages.
  const { rows: sample } = (await raw(
    `SELECT id, email, name, tags FROM users TABLESAMPLE SYSTEM (2)
     WHERE project_id = $1::uuid AND name IS NOT NULL AND cardinality(tags) > 0 ORDER BY random() LIMIT 500`,
    [projectId],
  )) as { rows: SampleUser[] };
  const pick = (i: number) => sample[i % sample.length]!;
  // A dashboard of a top-level organization lists everyone at any depth below it.
  const { rows: roots } = (await raw(`SELECT id FROM organizations WHERE project_id = $1::uuid AND parent_id IS NULL`, [projectId])) as {
    rows: { id: string }[];
  };
  const subtree = (i: number): UserFilter => ({ organizationId: roots[i % roots.length]!.id, includeSubOrganizations: true });
  // A sampled user's first tag: a segment of many users, as dashboards filter by.
  const tagged = (i: number): UserFilter => ({ tags: pick(i).tags.slice(0, 1) });

  // A cursor 500 pages deep, walked to as a client would (when that scenario is run).
  let after: string | null = null;
  let lastId = "";
  for (let page = 0; page < (include(`users(first: ${PAGE}) ${DEEP_PAGES} pages deep`) ? DEEP_PAGES : 0); page++) {
    const { users } = await graphql(PAGE_AFTER, { after });
    if (!users.pageInfo.endCursor)
      throw new Error(`A page ${DEEP_PAGES} pages deep needs more than ${DEEP_PAGES * PAGE} users: seed more.`);
    after = users.pageInfo.endCursor;
    lastId = users.nodes.at(-1).id;
  }
  const { rows } = (await raw(`SELECT created_at FROM users WHERE project_id = $1::uuid AND id = $2`, [projectId, lastId])) as {
    rows: { created_at: Date }[];
  };
  const deepCreatedAt = rows[0]?.created_at;

  const search = (name: string, text: (user: SampleUser) => string): QueryScenario => ({
    name,
    query: SEARCH,
    variables: (i) => ({ query: text(pick(i)) }),
    raw: (i) => searchSql(projectId, text(pick(i))),
    pageSize: SEARCH_PAGE + 1,
  });
  const userById = (i: number): Statement[] => [
    [`SELECT id, email, name FROM users WHERE project_id = $1::uuid AND id = $2`, [projectId, pick(i).id]],
  ];
  const scenarios: QueryScenario[] = [
    {
      name: "user(id)",
      query: USER_BY_ID,
      variables: (i) => ({ id: pick(i).id }),
      raw: userById,
      pageSize: 1,
    },
    {
      // Not a like-for-like pair: the gateway's whole pipeline (HTTP, auth, rate limit, Yoga, the
      // request log) with no resolver of ours and no statement, against the baseline's whole lookup.
      // Its ratio bounds what any lookup through this pipeline can reach on the machine.
      name: "floor: { __typename } (raw: the user by id)",
      query: EMPTY,
      variables: () => ({}),
      raw: userById,
      pageSize: 1,
    },
    {
      name: `users(first: ${PAGE}) with organization`,
      query: FIRST_PAGE,
      variables: () => ({}),
      raw: () => [pageSql(projectId, null)],
      pageSize: PAGE + 1,
    },
    {
      name: `users(first: ${PAGE}) ${DEEP_PAGES} pages deep`,
      query: PAGE_AFTER,
      variables: () => ({ after }),
      raw: () => [pageSql(projectId, null, Prisma.sql`AND (u.created_at, u.id) > (${deepCreatedAt}::timestamptz, ${lastId})`)],
      pageSize: PAGE + 1,
    },
    {
      name: `users(first: ${PAGE}) filtered by a tag`,
      query: FILTERED_PAGE,
      variables: (i) => ({ filter: tagged(i) }),
      raw: (i) => [pageSql(projectId, tagged(i))],
      pageSize: PAGE + 1,
    },
    {
      name: `users(first: ${PAGE}) in an organization tree`,
      query: FILTERED_PAGE,
      variables: (i) => ({ filter: subtree(i) }),
      raw: (i) => [pageSql(projectId, subtree(i))],
      pageSize: PAGE + 1,
    },
    search("search: exact email", (user) => user.email),
    search("search: name prefix", (user) => user.name.slice(0, 7)),
    search("search: name with a typo", (user) => withTypo(user.name)),
  ];
  return scenarios.filter((scenario) => include(scenario.name));
}
