import { builder } from "../graphql/builder.ts";
import { assertUpsertInReach, assertUserInReach } from "../members/reach.ts";
import { NotFoundError, ValidationError, VersionConflictError } from "../graphql/errors.ts";
import { MAX_BULK_UPSERT, upsertUsers } from "./bulk-upsert.ts";
import { deleteUser } from "./delete.ts";
import { resultTypeName } from "./result-type.ts";
import { upsertUser } from "./upsert.ts";
import { parseUpsert } from "./upsert-input.ts";
import { BulkUpsertUserInput, UpsertOptions, UpsertUserInput } from "./upsert-inputs.ts";
import { UserType } from "./user.ts";

const UpsertUserSuccess = builder.simpleObject("UpsertUserSuccess", {
  fields: (t) => ({
    user: t.field({ type: UserType }),
    created: t.boolean({ description: "Whether the user was new." }),
  }),
});

export const UpsertUserResult = builder.errorUnion("UpsertUserResult", {
  types: [UpsertUserSuccess, ValidationError, VersionConflictError, NotFoundError],
  resolveType: (result) => resultTypeName(result, "UpsertUserSuccess"),
});

const UpsertUsersResult = builder.simpleObject("UpsertUsersResult", {
  fields: (t) => ({
    results: t.field({ type: [UpsertUserResult], description: "One per input, in order." }),
    createdCount: t.int(),
    updatedCount: t.int(),
    failedCount: t.int(),
  }),
});

const DeleteUserSuccess = builder.simpleObject("DeleteUserSuccess", { fields: (t) => ({ id: t.id() }) });

const DeleteUserResult = builder.errorUnion("DeleteUserResult", {
  types: [DeleteUserSuccess, NotFoundError],
  resolveType: (result) => resultTypeName(result, "DeleteUserSuccess"),
});

builder.mutationField("upsertUser", (t) =>
  t.field({
    type: UpsertUserResult,
    skipTypeScopes: true,
    authScopes: (_root, { id }) => ({ $any: { scope: "users:write", selfUser: id } }),
    checksOwnArguments: true,
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpsertUserInput, required: true }),
      options: t.arg({ type: UpsertOptions }),
    },
    resolve: async (_root, { id, input, options }, { prisma, auth }) => {
      // Validated before the reach check, which looks the user and organization up.
      const { organizationId } = parseUpsert(id, input, options ?? {});
      await assertUpsertInReach(prisma, auth, id, organizationId);
      return upsertUser(prisma, auth.projectId, id, input, options ?? {});
    },
  }),
);

builder.mutationField("upsertUsers", (t) =>
  t.field({
    type: UpsertUsersResult,
    description: `Upserts up to ${MAX_BULK_UPSERT} users; a bad input fails alone and the rest are written.`,
    authScopes: { scope: "users:write" },
    // Each input is validated alone, so that a bad one fails alone.
    checksOwnArguments: true,
    args: { users: t.arg({ type: [BulkUpsertUserInput], required: true }) },
    resolve: (_root, { users }, { prisma, auth }) => upsertUsers(prisma, auth.projectId, users),
  }),
);

builder.mutationField("deleteUser", (t) =>
  t.field({
    type: DeleteUserResult,
    description: "Deletes the user with its push tokens and channel settings.",
    // Open to members too (the Mutation type's default is secret keys only), within their reach.
    skipTypeScopes: true,
    authScopes: { scope: "users:write" },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, { prisma, auth }) => {
      await assertUserInReach(prisma, auth, id);
      return deleteUser(prisma, auth.projectId, id);
    },
  }),
);
