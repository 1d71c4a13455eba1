import { builder } from "../graphql/builder.ts";
import { ValidationError } from "../graphql/errors.ts";
import { upsertUser } from "./upsert.ts";
import { UserType } from "./user.ts";

const UpsertUserInput = builder.inputType("UpsertUserInput", {
  description: "A field left out stays as it is; null clears it; a value replaces it.",
  fields: (t) => ({
    email: t.string(),
    phoneNumber: t.string({ description: "Any notation with its country code; stored as E.164." }),
    name: t.string(),
    title: t.string(),
    nickname: t.string(),
    avatarUrl: t.string({ description: "An absolute https URL." }),
    locale: t.string({ description: "A BCP 47 tag; stored canonical." }),
    timezone: t.string({ description: "An IANA tz database name." }),
  }),
});

const UpsertUserSuccess = builder.simpleObject("UpsertUserSuccess", {
  fields: (t) => ({
    user: t.field({ type: UserType }),
    created: t.boolean({ description: "Whether the user was new." }),
  }),
});

export const UpsertUserResult = builder.errorUnion("UpsertUserResult", {
  types: [UpsertUserSuccess, ValidationError],
  // Error instances are resolved by the errors plugin; anything else is the success.
  resolveType: () => "UpsertUserSuccess",
});

builder.mutationField("upsertUser", (t) =>
  t.field({
    type: UpsertUserResult,
    authScopes: { scope: "users:write" },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpsertUserInput, required: true }) },
    resolve: (_root, { id, input }, { prisma, auth }) => upsertUser(prisma, auth.projectId, id, input),
  }),
);
