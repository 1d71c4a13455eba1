// Moving members between organizations, roles and statuses.

import { NotFoundError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { ErrorInterface } from "../graphql/error-types.ts";
import { resultUnion } from "../graphql/result-union.ts";
import { UserStatusEnum, UserType } from "../users/schema/user-schema.ts";
import { InvalidTransitionError, setUserStatus } from "./status.ts";
import { transferUser, updateUserRole } from "./transfers.ts";

builder.objectType(InvalidTransitionError, {
  name: "InvalidTransitionError",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    currentStatus: t.expose("currentStatus", { type: UserStatusEnum }),
    allowedTransitions: t.field({ type: [UserStatusEnum], resolve: (error) => [...error.allowedTransitions] }),
  }),
});

/** A success type holding the changed user, and the union of it with the errors that apply. */
function userResult(name: string, errors: (typeof NotFoundError | typeof InvalidTransitionError)[]) {
  const Success = builder.simpleObject(`${name}Success`, { fields: (t) => ({ user: t.field({ type: UserType }) }) });
  return resultUnion(name, Success, errors);
}

builder.mutationFields((t) => ({
  transferUser: t.field({
    type: userResult("TransferUser", [NotFoundError]),
    description: "Moves the user to another organization, and to `roleId` when given.",
    // Open to members (the Mutation type's default is secret keys only), within their reach.
    skipTypeScopes: true,
    authScopes: { scope: "members:write" },
    args: { userId: t.arg.id({ required: true }), organizationId: t.arg.id({ required: true }), roleId: t.arg.id() },
    resolve: async (_root, args, { prisma, auth }) => ({ user: await transferUser(prisma, auth, args) }),
  }),
  updateUserRole: t.field({
    type: userResult("UpdateUserRole", [NotFoundError]),
    skipTypeScopes: true,
    authScopes: { scope: "members:write" },
    args: { userId: t.arg.id({ required: true }), roleId: t.arg.id({ required: true }) },
    resolve: async (_root, { userId, roleId }, { prisma, auth }) => ({ user: await updateUserRole(prisma, auth, userId, roleId) }),
  }),
  setUserStatus: t.field({
    type: userResult("SetUserStatus", [InvalidTransitionError, NotFoundError]),
    description:
      "INVITED→ACTIVE|DEACTIVATED, ACTIVE→SUSPENDED|DEACTIVATED, SUSPENDED→ACTIVE|DEACTIVATED, DEACTIVATED→ACTIVE. Suspended and deactivated members cannot sign in, and their access tokens stop working.",
    skipTypeScopes: true,
    authScopes: { scope: "members:write" },
    args: { userId: t.arg.id({ required: true }), status: t.arg({ type: UserStatusEnum, required: true }) },
    resolve: async (_root, { userId, status }, { prisma, auth }) => ({ user: await setUserStatus(prisma, auth, userId, status) }),
  }),
}));
