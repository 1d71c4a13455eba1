// The auth domain's part of the GraphQL schema: the user behind a user token, and making such tokens.

import { NotFoundError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { resultUnion } from "../graphql/result-union.ts";
import { readUser } from "../users/read/read-user.ts";
import { ROOT, userSelectionOf } from "../users/read/user-selection.ts";
import { UserType } from "../users/schema/user-schema.ts";
import { createUserToken, TOKEN_LIFETIME } from "./user-tokens.ts";

builder.queryField("me", (t) =>
  t.field({
    type: UserType,
    nullable: true,
    description: "The user behind a user token or a member's access token (null once deleted).",
    // Open to user tokens and members, which the Query type's default (secret keys only) would refuse.
    skipTypeScopes: true,
    authScopes: { $any: { userToken: true, member: true } },
    resolve: (_root, _args, { prisma, auth, signal }, info) =>
      "userId" in auth ? readUser(prisma, auth.projectId, auth.userId, null, userSelectionOf(info, ROOT), signal) : null,
  }),
);

const CreateUserTokenSuccess = builder.simpleObject("CreateUserTokenSuccess", {
  fields: (t) => ({
    token: t.string({ description: "Send as `Authorization: Bearer …` with a publishable key as `x-api-key`." }),
    expiresAt: t.field({ type: "DateTime" }),
  }),
});

const CreateUserTokenResult = resultUnion("CreateUserToken", CreateUserTokenSuccess, [NotFoundError]);

builder.mutationField("createUserToken", (t) =>
  t.field({
    type: CreateUserTokenResult,
    description: `A token that lets this user read \`me\` and change its own user and channel settings from a client, with a publishable key. Lifetime ${TOKEN_LIFETIME.minSeconds}–${TOKEN_LIFETIME.maxSeconds} seconds.`,
    authScopes: { scope: "tokens:write" },
    args: {
      userId: t.arg.id({ required: true }),
      expiresInSeconds: t.arg.int({ defaultValue: TOKEN_LIFETIME.defaultSeconds }),
    },
    resolve: (_root, { userId, expiresInSeconds }, { prisma, auth }) =>
      createUserToken(prisma, auth.projectId, userId, expiresInSeconds ?? TOKEN_LIFETIME.defaultSeconds),
  }),
);
