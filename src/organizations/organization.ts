import type { Organization } from "../db/generated/prisma/client.ts";
import { builder } from "../graphql/builder.ts";
import { organizationInReach } from "../auth/reach.ts";
import { listUsersByCursor, userListing } from "../users/list-users.ts";
import { UserConnection } from "../users/queries.ts";
import { userSelectionOf } from "../users/user-columns.ts";
import { CONNECTION_NODES } from "../graphql/connection.ts";

/** What the Organization type reads of a row; whole rows (mutation results, listings) fit too. */
export type OrganizationNode = Pick<Organization, "id" | "name" | "parentId" | "createdAt">;

/**
 * Organizations load through one DataLoader per request: every
 * `User.organization` and `Organization.parent` of one level of a query is a
 * single statement, whatever the page size (a list of users reads their
 * organizations along: user-organization.ts). A batch holds up to a thousand
 * organizations, so it reads only the columns the type needs, as a plain
 * statement (half the client-side cost of `findMany` on the whole rows,
 * measured on a page of 50). Organizations resolved whole are not primed into
 * the loader: that cost a tenth of a page's time, for parents that are seldom
 * on the page themselves.
 */
export const OrganizationType = builder.loadableObjectRef("Organization", {
  load: (ids: string[], { prisma, auth }) =>
    prisma.$queryRaw<OrganizationNode[]>`
      SELECT id, name, parent_id AS "parentId", created_at AS "createdAt" FROM organizations
      WHERE project_id = ${auth.projectId}::uuid AND id = ANY(${ids}::text[])`,
  sort: (organization: OrganizationNode) => organization.id,
});

OrganizationType.implement({
  fields: (t) => ({
  id: t.exposeID("id"),
  name: t.exposeString("name"),
  parent: t.field({
    type: OrganizationType,
    nullable: true,
    description: "Null at the root, and for a member above its own organization.",
    resolve: ({ parentId }, _args, { auth }) => (organizationInReach(auth, parentId) ? parentId : null),
  }),
  children: t.loadableList({
    type: OrganizationType,
    description: "Direct children, by id.",
    load: async (parentIds: string[], { prisma, auth }) => {
      const children = await prisma.organization.findMany({
        where: { projectId: auth.projectId, parentId: { in: parentIds } },
        orderBy: { id: "asc" },
      });
      const byParent = new Map(parentIds.map((id) => [id, [] as OrganizationNode[]]));
      for (const child of children) byParent.get(child.parentId!)?.push(child);
      return parentIds.map((id) => byParent.get(id)!);
    },
    resolve: (organization) => organization.id,
  }),
  users: t.field({
    type: UserConnection,
    authScopes: { scope: "users:read" },
    args: { first: t.arg.int(), after: t.arg.string(), includeSubOrganizations: t.arg.boolean({ defaultValue: false }) },
    resolve: (organization, { first, after, includeSubOrganizations }, context, info) =>
      listUsersByCursor(
        context.prisma,
        userListing(context.auth, { organizationId: organization.id, includeSubOrganizations }, null, userSelectionOf(info, CONNECTION_NODES)),
        { first, after },
        context.auth.cursorSecret,
      ),
  }),
  createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});
