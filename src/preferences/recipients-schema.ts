import { ChannelType as ChannelObject, ChannelProviderEnum } from "../channels/channel-schema.ts";
import { builder } from "../graphql/builder.ts";
import { connectionType } from "../graphql/connection.ts";
import { userSelectionOf } from "../users/read/user-selection.ts";
import { UserFilterInput } from "../users/schema/list-schema.ts";
import { UserType } from "../users/schema/user-schema.ts";
import { DECISION_REASONS, type Decision } from "./decide.ts";
import { type Recipient, resolveRecipients } from "./resolve-recipients.ts";
import { ChannelTypeEnum } from "./workflow-schema.ts";

export const DecisionReasonEnum = builder.enumType("DecisionReason", { values: DECISION_REASONS });

const ChannelDecisionType = builder.objectRef<Decision>("ChannelDecision").implement({
  description: "Whether one destination may be sent to, and why.",
  fields: (t) => ({
    // Exposed rather than resolved: read as properties, without a call per field of 5,000 decisions a page.
    channelType: t.expose("channelType", { type: ChannelTypeEnum }),
    channel: t.field({
      type: ChannelObject,
      nullable: true,
      description: "The configured channel whose settings hold the destination; null for the user's own contact fields.",
      resolve: (decision) => decision.channel as never,
    }),
    provider: t.expose("provider", { type: ChannelProviderEnum, nullable: true }),
    destination: t.exposeString("destination", {
      nullable: true,
      description: "The address: email, phone number, token, endpoint or Slack id.",
    }),
    allowed: t.exposeBoolean("allowed"),
    reason: t.expose("reason", { type: DecisionReasonEnum }),
    allowedAt: t.expose("allowedAt", { type: "DateTime", nullable: true, description: "For QUIET_HOURS: when the window ends." }),
  }),
});

const RecipientType = builder.objectRef<Recipient>("Recipient").implement({
  fields: (t) => ({
    user: t.expose("user", { type: UserType }),
    reachable: t.exposeBoolean("reachable", { description: "Whether any destination is allowed." }),
    channels: t.expose("channels", { type: [ChannelDecisionType] }),
  }),
});

const RecipientConnection = connectionType("Recipient", RecipientType);

builder.queryField("resolveRecipients", (t) =>
  t.field({
    type: RecipientConnection,
    nullable: true,
    description: `Who may be reached for the workflow, on which channel and destination, at \`at\` (now by default): \
the users named by userIds, or an audience by filter, a page at a time in id order. See the README's evaluation rules.`,
    skipTypeScopes: true,
    authScopes: { scope: "users:read" },
    args: {
      workflow: t.arg.string({ required: true }),
      category: t.arg.string({ description: "A category the send is under, besides the workflow's own." }),
      organizationId: t.arg.id({ description: "The organization the send is for: users' sets for it override their default sets." }),
      data: t.arg({ type: "JSONObject", description: "The send's data, read by conditions on data.<path>." }),
      at: t.arg({ type: "DateTime" }),
      userIds: t.arg.idList({ description: "At most 1000." }),
      filter: t.arg({ type: UserFilterInput }),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: (_root, args, { prisma, auth, signal }, info) =>
      resolveRecipients(
        prisma,
        auth,
        args,
        userSelectionOf(info, [
          ["nodes", "user"],
          ["edges", "node", "user"],
        ]),
        signal,
      ),
  }),
);
