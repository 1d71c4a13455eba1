import { builder } from "../graphql/builder.ts";
import { NotFoundError } from "../graphql/errors.ts";
import { clearEmailSuppression, setEmailSuppression } from "./email-suppression.ts";
import { resultTypeName } from "./result-type.ts";
import { EmailSuppressionReasonEnum, UserType } from "./user.ts";

// For an email provider's bounce and complaint webhooks; nothing else changes emailSuppression.

const SetEmailSuppressionSuccess = builder.simpleObject("SetEmailSuppressionSuccess", {
  fields: (t) => ({ user: t.field({ type: UserType }) }),
});
const SetEmailSuppressionResult = builder.errorUnion("SetEmailSuppressionResult", {
  types: [SetEmailSuppressionSuccess, NotFoundError],
  resolveType: (result) => resultTypeName(result, "SetEmailSuppressionSuccess"),
});

const ClearEmailSuppressionSuccess = builder.simpleObject("ClearEmailSuppressionSuccess", {
  fields: (t) => ({ user: t.field({ type: UserType }) }),
});
const ClearEmailSuppressionResult = builder.errorUnion("ClearEmailSuppressionResult", {
  types: [ClearEmailSuppressionSuccess, NotFoundError],
  resolveType: (result) => resultTypeName(result, "ClearEmailSuppressionSuccess"),
});

builder.mutationField("setEmailSuppression", (t) =>
  t.field({
    type: SetEmailSuppressionResult,
    description: "Stops email to the user's address after a bounce or complaint.",
    authScopes: { scope: "users:write" },
    args: {
      userId: t.arg.id({ required: true }),
      reason: t.arg({ type: EmailSuppressionReasonEnum, required: true }),
    },
    resolve: async (_root, { userId, reason }, { prisma, auth }) => ({
      user: await setEmailSuppression(prisma, auth.projectId, userId, reason),
    }),
  }),
);

builder.mutationField("clearEmailSuppression", (t) =>
  t.field({
    type: ClearEmailSuppressionResult,
    authScopes: { scope: "users:write" },
    args: { userId: t.arg.id({ required: true }) },
    resolve: async (_root, { userId }, { prisma, auth }) => ({
      user: await clearEmailSuppression(prisma, auth.projectId, userId),
    }),
  }),
);
