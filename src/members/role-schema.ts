// Roles in the GraphQL schema: the Role type, User.role, and managing roles.
import type { Role } from "../db/generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { resultUnion } from "../graphql/result-union.ts";
import { readsUserFields } from "../users/read/user-selection.ts";
import { UserType } from "../users/schema/user-schema.ts";
import type { CreateRoleInput as CreateRoleFields } from "./roles.ts";
import { createRole, deleteRole, listRoles } from "./roles.ts";

/** Loaded through one DataLoader per request: every `User.role` of a page is one statement. */
export const RoleType = builder.loadableObjectRef("Role", {
  load: (ids: string[], { prisma, auth }) => prisma.role.findMany({ where: { projectId: auth.projectId, id: { in: ids } } }),
  sort: (role: Role) => role.id,
});

RoleType.implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    permissions: t.exposeStringList("permissions", { description: "Scope names, as secret keys carry them." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.objectField(UserType, "role", (t) =>
  t.field({
    type: RoleType,
    nullable: true,
    description: "The member's role in its organization.",
    extensions: readsUserFields(["roleId"]),
    resolve: (user) => user.roleId,
  }),
);

builder.queryField("roles", (t) =>
  t.field({
    type: [RoleType],
    nullable: true,
    description: "The project's roles, oldest first.",
    // Open to members too (the Query type's default is secret keys only).
    skipTypeScopes: true,
    authScopes: { scope: "users:read" },
    resolve: (_root, _args, { prisma, auth }) => listRoles(prisma, auth.projectId),
  }),
);

const CreateRoleInput = builder.inputType("CreateRoleInput", {
  fields: (t) =>
    ({
      id: t.id({ description: "Your own id for it; generated when left out." }),
      name: t.string({ required: true }),
      permissions: t.stringList({ required: true, description: "Scope names such as users:read." }),
    }) satisfies Record<keyof CreateRoleFields, unknown>,
});

const CreateRoleSuccess = builder.simpleObject("CreateRoleSuccess", { fields: (t) => ({ role: t.field({ type: RoleType }) }) });
const CreateRoleResult = resultUnion("CreateRole", CreateRoleSuccess, [ValidationError]);

const DeleteRoleSuccess = builder.simpleObject("DeleteRoleSuccess", { fields: (t) => ({ id: t.id() }) });
const DeleteRoleResult = resultUnion("DeleteRole", DeleteRoleSuccess, [ValidationError, NotFoundError]);

builder.mutationFields((t) => ({
  createRole: t.field({
    type: CreateRoleResult,
    authScopes: { scope: "roles:write" },
    args: { input: t.arg({ type: CreateRoleInput, required: true }) },
    resolve: async (_root, { input }, { prisma, auth }) => ({ role: await createRole(prisma, auth.projectId, input) }),
  }),
  deleteRole: t.field({
    type: DeleteRoleResult,
    description: "Only a role no user holds can go, and never the built-in admin and member.",
    authScopes: { scope: "roles:write" },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { prisma, auth }) => deleteRole(prisma, auth.projectId, id),
  }),
}));
