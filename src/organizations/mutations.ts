import { builder } from "../graphql/builder.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { resultUnion } from "../graphql/result-union.ts";
import { createOrganization, deleteOrganization, moveOrganization, renameOrganization } from "./hierarchy.ts";
import { OrganizationType } from "./organization.ts";

const CreateOrganizationInput = builder.inputType("CreateOrganizationInput", {
  fields: (t) => ({
    id: t.id({ description: "Your own id for it; generated when left out." }),
    name: t.string({ required: true }),
    parentId: t.id(),
  }),
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
      organization: await createOrganization(prisma, auth.projectId, input),
    }),
  }),
  renameOrganization: t.field({
    type: RenameOrganizationResult,
    authScopes: { scope: "organizations:write" },
    args: { id: t.arg.id({ required: true }), name: t.arg.string({ required: true }) },
    resolve: async (_root, { id, name }, { prisma, auth }) => ({
      organization: await renameOrganization(prisma, auth.projectId, id, name),
    }),
  }),
  moveOrganization: t.field({
    type: MoveOrganizationResult,
    description: "Puts the organization under `parentId`, or at the root when it is null. A cycle is a ValidationError.",
    authScopes: { scope: "organizations:write" },
    args: { id: t.arg.id({ required: true }), parentId: t.arg.id() },
    resolve: async (_root, { id, parentId }, { prisma, auth }) => ({
      organization: await moveOrganization(prisma, auth.projectId, id, parentId ?? null),
    }),
  }),
  deleteOrganization: t.field({
    type: DeleteOrganizationResult,
    description: "Only an organization without users and children can go; otherwise a ValidationError (conflict).",
    authScopes: { scope: "organizations:write" },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { prisma, auth }) => deleteOrganization(prisma, auth.projectId, id),
  }),
}));
