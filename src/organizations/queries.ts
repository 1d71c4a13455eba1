import { builder } from "../graphql/builder.ts";
import { connectionType } from "../graphql/connection.ts";
import { listOrganizations } from "./list-organizations.ts";
import { OrganizationType } from "./organization.ts";

const OrganizationConnection = connectionType("Organization", OrganizationType);

builder.queryFields((t) => ({
  organization: t.field({
    type: OrganizationType,
    nullable: true,
    authScopes: { scope: "organizations:read" },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { prisma, auth }) =>
      prisma.organization.findUnique({ where: { projectId_id: { projectId: auth.projectId, id } } }),
  }),
  organizations: t.field({
    type: OrganizationConnection,
    description: "Organizations by id; with `parentId`, the direct children of that organization.",
    authScopes: { scope: "organizations:read" },
    args: { first: t.arg.int(), after: t.arg.string(), parentId: t.arg.id() },
    resolve: (_root, args, context) => listOrganizations(context.prisma, context.auth.projectId, args, context.auth.cursorSecret),
  }),
}));
