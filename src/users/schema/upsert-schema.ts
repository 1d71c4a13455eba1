import { NotFoundError, ValidationError, VersionConflictError } from "../../errors.ts";
import { builder } from "../../graphql/builder.ts";
import { resultUnion } from "../../graphql/result-union.ts";
import { MAX_BULK_UPSERT, upsertUsers } from "../write/bulk-upsert.ts";
import { deleteUser } from "../write/delete.ts";
import { upsertUser } from "../write/upsert.ts";
import { BulkUpsertUserInput, UpsertOptions, UpsertUserInput } from "./upsert-input-schema.ts";
import { UserType } from "./user-schema.ts";

const UpsertUserSuccess = builder.simpleObject("UpsertUserSuccess", {
  fields: (t) => ({
    user: t.field({ type: UserType }),
    created: t.boolean({ description: "Whether the user was new." }),
  }),
});

export const UpsertUserResult = resultUnion("UpsertUser", UpsertUserSuccess, [ValidationError, VersionConflictError, NotFoundError]);

const UpsertUsersResult = builder.simpleObject("UpsertUsersResult", {
  fields: (t) => ({
    results: t.field({ type: [UpsertUserResult], description: "One per input, in order." }),
    createdCount: t.int(),
    updatedCount: t.int(),
    failedCount: t.int(),
  }),
});

const DeleteUserSuccess = builder.simpleObject("DeleteUserSuccess", { fields: (t) => ({ id: t.id() }) });

const DeleteUserResult = resultUnion("DeleteUser", DeleteUserSuccess, [NotFoundError]);

builder.mutationField("upsertUser", (t) =>
  t.field({
    type: UpsertUserResult,
    skipTypeScopes: true,
    authScopes: (_root, { id }) => ({ $any: { scope: "users:write", selfUser: id } }),
    // The upsert validates its input itself, reporting every problem as a ValidationError.
    checksOwnArguments: true,
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpsertUserInput, required: true }),
      options: t.arg({ type: UpsertOptions }),
    },
    resolve: (_root, { id, input, options }, { prisma, auth }) => upsertUser(prisma, auth, id, input, options ?? {}),
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
    resolve: (_root, { users }, { prisma, auth }) => upsertUsers(prisma, auth, users),
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
    resolve: (_root, { id }, { prisma, auth }) => deleteUser(prisma, auth, id),
  }),
);
