import type { Auth } from "../auth/caller.ts";
import { reachableOrganizations } from "../auth/reach.ts";
import type { Organization, PrismaClient } from "../db/generated/prisma/client.ts";
import { type ConnectionPage, connectionPage } from "../graphql/connection-page.ts";
import { decodeCursor, encodeCursor } from "../graphql/cursor.ts";
import { checkPageSize } from "../graphql/page-size.ts";

const DEFAULT_PAGE_SIZE = 50;

/** The caller's organizations (for a member, those in its reach) in id order, paged by keyset on the id. */
export async function listOrganizations(
  prisma: PrismaClient,
  auth: Auth,
  { first, after, parentId }: { first?: number | null; after?: string | null; parentId?: string | null },
): Promise<ConnectionPage<Organization>> {
  if (first != null) checkPageSize("first", first);
  const { projectId, cursorSecret } = auth;
  const limit = first ?? DEFAULT_PAGE_SIZE;
  const reach = reachableOrganizations(auth);
  const binding = JSON.stringify(["organizations", projectId, parentId ?? null, reach]);
  const afterId = after ? String(decodeCursor(after, binding, cursorSecret)[0]) : null;
  const where = {
    projectId,
    ...(parentId != null && { parentId }),
    ...(reach !== null && { id: { in: [...reach] } }),
  };
  const rows =
    limit === 0
      ? []
      : await prisma.organization.findMany({
          where: { ...where, ...(afterId !== null && { AND: [{ id: { gt: afterId } }] }) },
          orderBy: { id: "asc" },
          take: limit + 1,
        });
  return connectionPage(
    rows.slice(0, limit),
    (node) => encodeCursor([node.id], binding, cursorSecret),
    { hasNextPage: rows.length > limit, hasPreviousPage: after != null },
    () => prisma.organization.count({ where }),
  );
}
