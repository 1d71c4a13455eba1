import type { Organization, PrismaClient } from "../db/generated/prisma/client.ts";
import type { ConnectionPage } from "../graphql/connection.ts";
import { decodeCursor, encodeCursor } from "../graphql/cursor.ts";
import { checkPageSize } from "../graphql/page-size.ts";

const DEFAULT_PAGE_SIZE = 50;

/** Organizations in id order, paged by keyset on the id. */
export async function listOrganizations(
  prisma: PrismaClient,
  projectId: string,
  { first, after, parentId }: { first?: number | null; after?: string | null; parentId?: string | null },
  cursorSecret: string,
): Promise<ConnectionPage<Organization>> {
  if (first != null) checkPageSize("first", first);
  const limit = first ?? DEFAULT_PAGE_SIZE;
  const binding = JSON.stringify(["organizations", projectId, parentId ?? null]);
  const afterId = after ? String(decodeCursor(after, binding, cursorSecret)[0]) : null;
  const where = { projectId, ...(parentId != null && { parentId }) };
  const rows =
    limit === 0
      ? []
      : await prisma.organization.findMany({
          where: { ...where, ...(afterId !== null && { id: { gt: afterId } }) },
          orderBy: { id: "asc" },
          take: limit + 1,
        });
  const edges = rows.slice(0, limit).map((node) => ({ cursor: encodeCursor([node.id], binding, cursorSecret), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage: after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: () => prisma.organization.count({ where }),
  };
}
