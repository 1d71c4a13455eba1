import { reachableOrganizations } from "../../auth/reach.ts";
import { EmailSuppressionReason, Platform, PushEnvironment, PushProvider, UserStatus } from "../../db/generated/prisma/enums.ts";
import { builder } from "../../graphql/builder.ts";
import type { JsonObject } from "../../json.ts";
import { readUser } from "../read/read-user.ts";
import { ROOT, readsUserFields, userSelectionOf } from "../read/user-selection.ts";

export const UserStatusEnum = builder.enumType(UserStatus, { name: "UserStatus" });
export const PushProviderEnum = builder.enumType(PushProvider, { name: "PushProvider" });
export const PushEnvironmentEnum = builder.enumType(PushEnvironment, { name: "PushEnvironment" });
export const PlatformEnum = builder.enumType(Platform, { name: "Platform" });
export const EmailSuppressionReasonEnum = builder.enumType(EmailSuppressionReason, { name: "EmailSuppressionReason" });

const PushTokenType = builder.prismaObject("PushToken", {
  fields: (t) => ({
    provider: t.expose("provider", { type: PushProviderEnum }),
    token: t.exposeString("token"),
    environment: t.expose("environment", { type: PushEnvironmentEnum, nullable: true }),
    device: t.field({ type: "JSONObject", nullable: true, resolve: (token) => token.device as JsonObject | null }),
  }),
});

const WebPushSubscriptionType = builder.simpleObject("WebPushSubscription", {
  fields: (t) => ({
    endpoint: t.string(),
    expirationTime: t.float({ nullable: true, description: "When the subscription ends, in milliseconds since the epoch." }),
    keys: t.field({ type: "JSONObject" }),
  }),
});

const EmailSuppressionType = builder.simpleObject("EmailSuppression", {
  fields: (t) => ({
    reason: t.field({ type: EmailSuppressionReasonEnum }),
    at: t.field({ type: "DateTime" }),
  }),
});

export const UserType = builder.prismaObject("User", {
  fields: (t) => ({
    id: t.exposeID("id", { description: "The caller's own identifier for the user." }),
    email: t.exposeString("email", { nullable: true }),
    phoneNumber: t.exposeString("phoneNumber", { nullable: true, description: "E.164" }),
    name: t.exposeString("name", { nullable: true }),
    title: t.exposeString("title", { nullable: true }),
    nickname: t.exposeString("nickname", { nullable: true }),
    avatarUrl: t.exposeString("avatarUrl", { nullable: true }),
    locale: t.exposeString("locale", { nullable: true, description: "BCP 47, canonical form (en-US)" }),
    timezone: t.exposeString("timezone", { nullable: true, description: "IANA tz database name" }),
    status: t.expose("status", { type: UserStatusEnum }),
    tags: t.exposeStringList("tags"),
    properties: t.field({ type: "JSONObject", resolve: (user) => user.properties as JsonObject }),
    pushTokens: t.loadableGroup({
      type: PushTokenType,
      description: "In the order they were given.",
      extensions: readsUserFields([]),
      // A dataloader per request: every user of a response (a page, a bulk upsert's results) shares one statement.
      load: (userIds: string[], { prisma, auth }) =>
        prisma.pushToken.findMany({ where: { projectId: auth.projectId, userId: { in: userIds } }, orderBy: { position: "asc" } }),
      group: (token) => token.userId,
      resolve: (user) => user.id,
    }),
    webPushSubscriptions: t.field({
      type: [WebPushSubscriptionType],
      resolve: (user) => user.webPushSubscriptions as { endpoint: string; expirationTime?: number | null; keys: JsonObject }[],
    }),
    slackDestination: t.exposeString("slackDestination", { nullable: true }),
    unsubscribedEmail: t.exposeBoolean("unsubscribedEmail"),
    unsubscribedTexting: t.exposeBoolean("unsubscribedTexting"),
    emailSuppression: t.field({
      type: EmailSuppressionType,
      nullable: true,
      description: "Set by bounce and complaint webhooks; read-only otherwise.",
      extensions: readsUserFields(["emailSuppressionReason", "emailSuppressedAt"]),
      resolve: ({ emailSuppressionReason: reason, emailSuppressedAt: at }) => (reason && at ? { reason, at } : null),
    }),
    lastSeenAt: t.expose("lastSeenAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    version: t.exposeInt("version", { description: "+1 on every change" }),
    lastLoginAt: t.expose("lastLoginAt", { type: "DateTime", nullable: true, description: "The member's last signIn." }),
  }),
});

builder.queryField("user", (t) =>
  t.field({
    type: UserType,
    nullable: true,
    description: "The user with this id, or null.",
    // Open to members too (the Query type's default is secret keys only), within their reach.
    skipTypeScopes: true,
    authScopes: { scope: "users:read" },
    args: { id: t.arg.id({ required: true }) },
    // One statement, as a page reads its users: the selected columns and the organization.
    resolve: (_root, { id }, { prisma, auth, signal }, info) =>
      readUser(prisma, auth.projectId, id, reachableOrganizations(auth), userSelectionOf(info, ROOT), signal),
  }),
);
