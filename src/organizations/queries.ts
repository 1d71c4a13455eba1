import { builder } from "../graphql/builder.ts";
import { connectionType } from "../graphql/connection.ts";
import { organizationInReach } from "../auth/reach.ts";
import { listOrganizations } from "./list-organizations.ts";
import { OrganizationType } from "./organization.ts";

const OrganizationConnection = connectionType("Organization", OrganizationType);

builder.queryFields((t) => ({
  organization: t.field({
    type: OrganizationType,
    nullable: true,
    // Open to members too (the Query type's default is secret keys only), within their reach.
    skipTypeScopes: true,
    authScopes: { scope: "organizations:read" },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { prisma, auth }) =>
      organizationInReach(auth, id) ? prisma.organization.findUnique({ where: { projectId_id: { projectId: auth.projectId, id } } }) : null,
  }),
  organizations: t.field({
    type: OrganizationConnection,
    description: "Organizations by id; with `parentId`, the direct children of that organization.",
    skipTypeScopes: true,
    authScopes: { scope: "organizations:read" },
    args: { first: t.arg.int(), after: t.arg.string(), parentId: t.arg.id() },
    resolve: (_root, args, { prisma, auth }) => listOrganizations(prisma, auth, args),
  }),
}));
