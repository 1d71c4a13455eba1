import type { Organization } from "../db/generated/prisma/client.ts";
import { builder } from "../graphql/builder.ts";
import { organizationInReach } from "../members/reach.ts";
import { listUsersByCursor, userListing } from "../users/list-users.ts";
import { UserConnection } from "../users/queries.ts";
import { UserType } from "../users/user.ts";

/**
 * Organizations load through one DataLoader per request: every
 * `User.organization` and `Organization.parent` of one level of a query is a
 * single statement, whatever the page size.
 */
export const OrganizationType = builder.loadableObjectRef("Organization", {
  load: (ids: string[], { prisma, auth }) =>
    prisma.organization.findMany({ where: { projectId: auth.projectId, id: { in: ids } } }),
  sort: (organization: Organization) => organization.id,
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
      const byParent = new Map(parentIds.map((id) => [id, [] as Organization[]]));
      for (const child of children) byParent.get(child.parentId!)?.push(child);
      return parentIds.map((id) => byParent.get(id)!);
    },
    resolve: (organization) => organization.id,
  }),
  users: t.field({
    type: UserConnection,
    authScopes: { scope: "users:read" },
    args: { first: t.arg.int(), after: t.arg.string(), includeSubOrganizations: t.arg.boolean({ defaultValue: false }) },
    resolve: (organization, { first, after, includeSubOrganizations }, context) =>
      listUsersByCursor(
        context.prisma,
        userListing(context.auth, { organizationId: organization.id, includeSubOrganizations }, null),
        { first, after },
        context.auth.cursorSecret,
      ),
  }),
  createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.objectField(UserType, "organization", (t) =>
  t.field({
    type: OrganizationType,
    nullable: true,
    authScopes: { scope: "organizations:read" },
    resolve: (user) => user.organizationId,
  }),
);
