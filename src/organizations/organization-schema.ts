import { organizationInReach } from "../auth/reach.ts";
import { readRowsByKey } from "../db/direct-reads.ts";
import { type Organization, Prisma, type PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { connectionType } from "../graphql/connection.ts";
import { CONNECTION_NODES } from "../graphql/connection-page.ts";
import { resultUnion } from "../graphql/result-union.ts";
import { listUsersByCursor, userListing } from "../users/read/list-users.ts";
import { userSelectionOf } from "../users/read/user-selection.ts";
import { UserConnection } from "../users/schema/list-schema.ts";
import type { CreateOrganizationInput as CreateOrganizationFields } from "./hierarchy.ts";
import { createOrganization, deleteOrganization, moveOrganization, renameOrganization } from "./hierarchy.ts";
import { listOrganizations } from "./list-organizations.ts";

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
  load: (ids: string[], { prisma, auth, signal }) => readOrganizations(prisma, auth.projectId, ids, signal),
  sort: (organization: OrganizationNode) => organization.id,
});

/** The organizations with these ids, as the Organization type reads them: its columns alone, one statement. */
const readOrganizations = (prisma: PrismaClient, projectId: string, ids: string[], signal: AbortSignal) =>
  readRowsByKey<OrganizationNode>(
    prisma,
    Prisma.sql`SELECT id, name, parent_id AS "parentId", created_at AS "createdAt" FROM organizations
      WHERE project_id = ${projectId}::uuid AND id = ANY(${ids}::text[])`,
    signal,
  );

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
          userListing(
            context.auth,
            { organizationId: organization.id, includeSubOrganizations },
            null,
            userSelectionOf(info, CONNECTION_NODES),
            context.signal,
          ),
          { first, after },
          context.auth.cursorSecret,
        ),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const OrganizationConnection = connectionType("Organization", OrganizationType);

builder.queryFields((t) => ({
  organization: t.field({
    type: OrganizationType,
    nullable: true,
    // Open to members too (the Query type's default is secret keys only), within their reach.
    skipTypeScopes: true,
    authScopes: { scope: "organizations:read" },
    args: { id: t.arg.id({ required: true }) },
    // Its columns alone, as the loader reads them, rather than the whole row through the ORM.
    resolve: async (_root, { id }, { prisma, auth, signal }) =>
      organizationInReach(auth, id) ? ((await readOrganizations(prisma, auth.projectId, [id], signal))[0] ?? null) : null,
  }),
  organizations: t.field({
    type: OrganizationConnection,
    nullable: true,
    description: "Organizations by id; with `parentId`, the direct children of that organization.",
    skipTypeScopes: true,
    authScopes: { scope: "organizations:read" },
    args: { first: t.arg.int(), after: t.arg.string(), parentId: t.arg.id() },
    resolve: (_root, args, { prisma, auth }) => listOrganizations(prisma, auth, args),
  }),
}));

const CreateOrganizationInput = builder.inputType("CreateOrganizationInput", {
  fields: (t) =>
    ({
      id: t.id({ description: "Your own id for it; generated when left out." }),
      name: t.string({ required: true }),
      parentId: t.id(),
    }) satisfies Record<keyof CreateOrganizationFields, unknown>,
});

/** A success type holding one organization, and the union of it with the errors that apply. */
function organizationResult(name: string, errors: (typeof ValidationError | typeof NotFoundError)[]) {
  const Success = builder.simpleObject(`${name}Success`, {
    fields: (t) => ({ organization: t.field({ type: OrganizationType }) }),
  });
  return resultUnion(name, Success, errors);
}

const CreateOrganizationResult = organizationResult("CreateOrganization", [ValidationError, NotFoundError]);
const RenameOrganizationResult = organizationResult("RenameOrganization", [ValidationError, NotFoundError]);
const MoveOrganizationResult = organizationResult("MoveOrganization", [ValidationError, NotFoundError]);

const DeleteOrganizationSuccess = builder.simpleObject("DeleteOrganizationSuccess", { fields: (t) => ({ id: t.id() }) });
const DeleteOrganizationResult = resultUnion("DeleteOrganization", DeleteOrganizationSuccess, [ValidationError, NotFoundError]);

builder.mutationFields((t) => ({
  createOrganization: t.field({
    type: CreateOrganizationResult,
    authScopes: { scope: "organizations:write" },
    args: { input: t.arg({ type: CreateOrganizationInput, required: true }) },
    resolve: async (_root, { input }, { prisma, auth }) => ({
      organization: await createOrganization(prisma, auth, input),
    }),
  }),
  renameOrganization: t.field({
    type: RenameOrganizationResult,
    authScopes: { scope: "organizations:write" },
    args: { id: t.arg.id({ required: true }), name: t.arg.string({ required: true }) },
    resolve: async (_root, { id, name }, { prisma, auth }) => ({
      organization: await renameOrganization(prisma, auth, id, name),
    }),
  }),
  moveOrganization: t.field({
    type: MoveOrganizationResult,
    description: "Puts the organization under `parentId`, or at the root when it is null. A cycle is a ValidationError.",
    authScopes: { scope: "organizations:write" },
    args: { id: t.arg.id({ required: true }), parentId: t.arg.id() },
    resolve: async (_root, { id, parentId }, { prisma, auth }) => ({
      organization: await moveOrganization(prisma, auth, id, parentId ?? null),
    }),
  }),
  deleteOrganization: t.field({
    type: DeleteOrganizationResult,
    description: "Only an organization without users and children can go; otherwise a ValidationError (conflict).",
    authScopes: { scope: "organizations:write" },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { prisma, auth }) => deleteOrganization(prisma, auth, id),
  }),
}));
