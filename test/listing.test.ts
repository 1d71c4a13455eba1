import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type GraphQLResponse, startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;

type Seed = { id: string; name: string | null; email: string | null; createdAt: Date; updatedAt: Date; lastSeenAt: Date | null };
const seeds: Seed[] = [];

const SORTS = {
  ID: (u: Seed) => u.id,
  NAME: (u: Seed) => u.name,
  EMAIL: (u: Seed) => u.email,
  CREATED_AT: (u: Seed) => u.createdAt.getTime(),
  UPDATED_AT: (u: Seed) => u.updatedAt.getTime(),
  LAST_SEEN_AT: (u: Seed) => u.lastSeenAt?.getTime() ?? null,
} as const;

/** The contract's order: by the field, nulls last ascending (first descending), ties by id. */
function expectedOrder(field: keyof typeof SORTS, direction: "ASC" | "DESC") {
  const key = SORTS[field];
  const sign = direction === "ASC" ? 1 : -1;
  const compare = (a: string | number | null, b: string | number | null) => {
    if (a === b) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    return a < b ? -1 : 1;
  };
  return [...seeds].sort((a, b) => sign * (compare(key(a), key(b)) || compare(a.id, b.id))).map((u) => u.id);
}

beforeAll(async () => {
  server = await startTestServer();
  const base = Date.parse("2026-01-01T00:00:00Z");
  for (let i = 0; i < 37; i++) {
    seeds.push({
      id: `user-${String((i * 7) % 37).padStart(2, "0")}`,
      // repeated values and nulls, so ties and null segments are exercised
      name: i % 5 === 0 ? null : `Name ${i % 4}`,
      email: i % 6 === 0 ? null : `person${i % 9}@example.com`,
      createdAt: new Date(base + (i % 3) * 1000),
      updatedAt: new Date(base + i * 1000),
      lastSeenAt: i % 2 === 0 ? null : new Date(base + (i % 4) * 60_000),
    });
  }
  await server.prisma.user.createMany({ data: seeds.map((seed) => ({ projectId: server.projectId, ...seed })) });
});
afterAll(() => server.close());

const USERS = /* GraphQL */ `
  query Users($first: Int, $after: String, $last: Int, $before: String, $filter: UserFilter, $orderBy: UserOrder) {
    users(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      edges { cursor node { id } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

async function pageForward(orderBy: object, first: number, filter?: object) {
  const ids: string[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const response: GraphQLResponse = await server.graphql(USERS, { first, after, orderBy, filter });
    expect(response.errors).toBeUndefined();
    const { edges, pageInfo } = response.data.users as {
      edges: { node: { id: string } }[];
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
    };
    ids.push(...edges.map((edge: { node: { id: string } }) => edge.node.id));
    if (!pageInfo.hasNextPage) return ids;
    after = pageInfo.endCursor;
  }
  throw new Error("paging did not end");
}

async function pageBackward(orderBy: object, last: number) {
  const ids: string[] = [];
  let before: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const response: GraphQLResponse = await server.graphql(USERS, { last, before, orderBy });
    const { edges, pageInfo } = response.data.users as {
      edges: { node: { id: string } }[];
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
    };
    ids.unshift(...edges.map((edge: { node: { id: string } }) => edge.node.id));
    if (!pageInfo.hasPreviousPage) return ids;
    before = pageInfo.startCursor;
  }
  throw new Error("paging did not end");
}

describe("users: cursor paging", () => {
  for (const field of Object.keys(SORTS) as (keyof typeof SORTS)[]) {
    for (const direction of ["ASC", "DESC"] as const) {
      test(`${field} ${direction}: every row once, in order, forwards and backwards`, async () => {
        const expected = expectedOrder(field, direction);
        expect(await pageForward({ field, direction }, 7)).toEqual(expected);
        expect(await pageBackward({ field, direction }, 5)).toEqual(expected);
      });
    }
  }

  test("the default order is CREATED_AT ascending, ties broken by id", async () => {
    expect(await pageForward(undefined as never, 50)).toEqual(expectedOrder("CREATED_AT", "ASC"));
  });

  test("pageInfo and totalCount", async () => {
    const response = await server.graphql(
      "{ users(first: 10) { totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
    );
    const { totalCount, nodes, pageInfo } = response.data.users;
    expect(totalCount).toBe(37);
    expect(nodes).toHaveLength(10);
    expect(pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(pageInfo.startCursor).toEqual(expect.any(String));
  });

  test("a cursor from another order, another filter or a forged one is BAD_USER_INPUT", async () => {
    const first = await server.graphql(USERS, { first: 3, orderBy: { field: "NAME" } });
    const cursor: string = first.data.users.pageInfo.endCursor;
    const [payload, signature] = cursor.split(".");
    const forged = `${Buffer.from(JSON.stringify(["Name 9", "user-99"])).toString("base64url")}.${signature}`;
    for (const variables of [
      { first: 3, after: cursor, orderBy: { field: "EMAIL" } },
      { first: 3, after: cursor, orderBy: { field: "NAME", direction: "DESC" } },
      { first: 3, after: cursor, orderBy: { field: "NAME" }, filter: { tags: ["x"] } },
      { first: 3, after: forged, orderBy: { field: "NAME" } },
      { first: 3, after: `${payload}.AAAA`, orderBy: { field: "NAME" } },
      { first: 3, after: "garbage", orderBy: { field: "NAME" } },
    ]) {
      const response = await server.graphql(USERS, variables);
      expect(response.errors?.[0]?.extensions.code, JSON.stringify(variables)).toBe("BAD_USER_INPUT");
    }
  });

  test("more than 1000 per page, a negative count, or first with last are BAD_USER_INPUT", async () => {
    for (const variables of [{ first: 1001 }, { last: 1001 }, { first: -1 }, { first: 2, last: 2 }]) {
      const response = await server.graphql(USERS, variables);
      expect(response.errors?.[0]?.extensions.code, JSON.stringify(variables)).toBe("BAD_USER_INPUT");
    }
    const page = await server.graphql("{ userPage(size: 1001) { page } }");
    expect(page.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
  });

  test("RELEVANCE without a query is BAD_USER_INPUT", async () => {
    const response = await server.graphql(USERS, { first: 3, orderBy: { field: "RELEVANCE" } });
    expect(response.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("userPage", () => {
  test("0-indexed pages walk the same order as the cursors", async () => {
    const ids: string[] = [];
    for (let page = 0; ; page++) {
      const response = await server.graphql(
        "query ($page: Int!) { userPage(page: $page, size: 8, orderBy: { field: EMAIL, direction: DESC }) { items { id } page size totalCount hasNextPage } }",
        { page },
      );
      const result = response.data.userPage;
      expect(result).toMatchObject({ page, size: 8, totalCount: 37 });
      ids.push(...result.items.map((item: { id: string }) => item.id));
      if (!result.hasNextPage) break;
    }
    expect(ids).toEqual(expectedOrder("EMAIL", "DESC"));
  });
});
