import { ChannelProvider } from "../db/generated/prisma/enums.ts";
import { builder } from "../graphql/builder.ts";

export const ChannelProviderEnum = builder.enumType(ChannelProvider, { name: "ChannelProvider" });

export const ChannelType = builder.prismaObject("Channel", {
  fields: (t) => ({
    id: t.exposeID("id", { description: "A UUID." }),
    name: t.exposeString("name", { description: "Unique in the project." }),
    provider: t.expose("provider", { type: ChannelProviderEnum }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.queryField("channels", (t) =>
  t.prismaField({
    type: [ChannelType],
    nullable: true,
    description: "The project's channels, ordered by name.",
    // Open to members too (the Query type's default is secret keys only): a dashboard shows settings by channel.
    skipTypeScopes: true,
    authScopes: { scope: "channels:read" },
    resolve: (query, _root, _args, { prisma, auth }) =>
      prisma.channel.findMany({ ...query, where: { projectId: auth.projectId }, orderBy: { name: "asc" } }),
  }),
);
