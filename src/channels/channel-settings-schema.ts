import { NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { resultUnion } from "../graphql/result-union.ts";
import type { JsonObject } from "../json.ts";
import { readsUserFields } from "../users/read/user-selection.ts";
import { ChannelProviderEnum, ChannelType } from "./channel-schema.ts";
import { setChannelSettings, unsetChannelSettings } from "./channel-settings.ts";
import { channelSettingsOfUsers } from "./settings-of-users.ts";

export const ChannelSettingsType = builder.prismaObject("ChannelSettings", {
  // Every ChannelSettings value carries its channel, so no field below needs a query of its own.
  include: { channel: { select: { id: true, projectId: true, name: true, provider: true, createdAt: true, updatedAt: true } } },
  fields: (t) => ({
    // Read through the settings' own user, which the caller already reached them by.
    user: t.relation("user", { description: "The user whose settings these are." }),
    channel: t.field({ type: ChannelType, resolve: (settings) => settings.channel }),
    provider: t.field({ type: ChannelProviderEnum, resolve: (settings) => settings.channel.provider }),
    settings: t.field({ type: "JSONObject", resolve: (settings) => settings.settings as JsonObject }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.prismaObjectField("User", "channelSettings", (t) =>
  // A dataloader per request: every user of a response shares one statement, whatever the page size.
  t.loadableGroup({
    type: ChannelSettingsType,
    description: "Ordered by channel name.",
    extensions: readsUserFields([]),
    load: (userIds: string[], { prisma, auth }) => channelSettingsOfUsers(prisma, auth.projectId, userIds),
    group: (settings) => settings.userId,
    resolve: (user) => user.id,
  }),
);

const SetChannelSettingsSuccess = builder.simpleObject("SetChannelSettingsSuccess", {
  fields: (t) => ({
    channelSettings: t.field({ type: ChannelSettingsType }),
    created: t.boolean({ description: "Whether the user had no settings for the channel before." }),
  }),
});
const UnsetChannelSettingsSuccess = builder.simpleObject("UnsetChannelSettingsSuccess", {
  fields: (t) => ({ channelId: t.id() }),
});

const SetChannelSettingsResult = resultUnion("SetChannelSettings", SetChannelSettingsSuccess, [ValidationError, NotFoundError]);
const UnsetChannelSettingsResult = resultUnion("UnsetChannelSettings", UnsetChannelSettingsSuccess, [NotFoundError]);

builder.mutationField("setChannelSettings", (t) =>
  t.field({
    type: SetChannelSettingsResult,
    description: `Creates or replaces the user's settings for the channel. Push tokens set here are removed from \
every other user's settings on the channel.`,
    // A user token may change its own settings; a secret key or a member (within its reach) needs users:write.
    skipTypeScopes: true,
    authScopes: (_root, { userId }) => ({ $any: { scope: "users:write", selfUser: userId } }),
    args: {
      userId: t.arg.id({ required: true }),
      channelId: t.arg.id({ required: true }),
      settings: t.arg({
        type: "JSONObject",
        required: true,
        description: `By the channel's provider: APNS, FCM { "device_tokens": [token] }; \
SLACK { "slack_channel_id"?, "slack_user_id"? }; \
WEB_PUSH { "subscriptions": [{ "endpoint", "keys": { "p256dh", "auth" } }] }; EMAIL { "email" }; SMS { "phone_number" }.`,
      }),
    },
    resolve: (_root, { userId, channelId, settings }, { prisma, auth }) => setChannelSettings(prisma, auth, userId, channelId, settings),
  }),
);

builder.mutationField("unsetChannelSettings", (t) =>
  t.field({
    type: UnsetChannelSettingsResult,
    // A user token may change its own settings; a secret key or a member (within its reach) needs users:write.
    skipTypeScopes: true,
    authScopes: (_root, { userId }) => ({ $any: { scope: "users:write", selfUser: userId } }),
    args: { userId: t.arg.id({ required: true }), channelId: t.arg.id({ required: true }) },
    resolve: (_root, { userId, channelId }, { prisma, auth }) => unsetChannelSettings(prisma, auth, userId, channelId),
  }),
);
