import { builder } from "../graphql/builder.ts";
import type { JsonObject } from "../json.ts";
import { ChannelProviderEnum, ChannelType } from "./channel.ts";
import { channelSettingsOfUsers } from "./settings-of-users.ts";
import { readsUserFields } from "../users/user-columns.ts";

export const ChannelSettingsType = builder.prismaObject("ChannelSettings", {
  // Every ChannelSettings value carries its channel, so no field below needs a query of its own.
  include: { channel: true },
  fields: (t) => ({
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
