import { NotFoundError } from "../../errors.ts";
import { builder } from "../../graphql/builder.ts";
import { resultUnion } from "../../graphql/result-union.ts";
import { clearEmailSuppression, setEmailSuppression } from "../write/email-suppression.ts";
import { EmailSuppressionReasonEnum, UserType } from "./user-schema.ts";

// For an email provider's bounce and complaint webhooks; nothing else changes emailSuppression.

const SetEmailSuppressionSuccess = builder.simpleObject("SetEmailSuppressionSuccess", {
  fields: (t) => ({ user: t.field({ type: UserType }) }),
});
const SetEmailSuppressionResult = resultUnion("SetEmailSuppression", SetEmailSuppressionSuccess, [NotFoundError]);

const ClearEmailSuppressionSuccess = builder.simpleObject("ClearEmailSuppressionSuccess", {
  fields: (t) => ({ user: t.field({ type: UserType }) }),
});
const ClearEmailSuppressionResult = resultUnion("ClearEmailSuppression", ClearEmailSuppressionSuccess, [NotFoundError]);

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
