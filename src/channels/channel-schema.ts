import { ChannelProvider } from "../db/generated/prisma/enums.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { resultUnion } from "../graphql/result-union.ts";
import type { NewChannel } from "./channels.ts";
import { createChannel, deleteChannel, renameChannel } from "./channels.ts";

export const ChannelProviderEnum = builder.enumType(ChannelProvider, { name: "ChannelProvider" });

export const ChannelType = builder.prismaObject("Channel", {
  // Never the credentials: channels are read in many places, and only the push domain needs them.
  select: { id: true, name: true, provider: true, createdAt: true },
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

const CreateChannelInput = builder.inputType("CreateChannelInput", {
  fields: (t) =>
    ({
      name: t.string({ required: true, description: "1–200 characters, unique in the project." }),
      provider: t.field({ type: ChannelProviderEnum, required: true }),
    }) satisfies Record<keyof NewChannel, unknown>,
});

const CreateChannelSuccess = builder.simpleObject("CreateChannelSuccess", {
  fields: (t) => ({ channel: t.field({ type: ChannelType }) }),
});
const RenameChannelSuccess = builder.simpleObject("RenameChannelSuccess", {
  fields: (t) => ({ channel: t.field({ type: ChannelType }) }),
});
const DeleteChannelSuccess = builder.simpleObject("DeleteChannelSuccess", {
  fields: (t) => ({ id: t.id() }),
});

const CreateChannelResult = resultUnion("CreateChannel", CreateChannelSuccess, [ValidationError]);
const RenameChannelResult = resultUnion("RenameChannel", RenameChannelSuccess, [ValidationError, NotFoundError]);
const DeleteChannelResult = resultUnion("DeleteChannel", DeleteChannelSuccess, [NotFoundError]);

builder.mutationField("createChannel", (t) =>
  t.field({
    type: CreateChannelResult,
    authScopes: { scope: "channels:write" },
    args: { input: t.arg({ type: CreateChannelInput, required: true }) },
    resolve: async (_root, { input }, { prisma, auth }) => ({
      channel: await createChannel(prisma, auth.projectId, input),
    }),
  }),
);

builder.mutationField("renameChannel", (t) =>
  t.field({
    type: RenameChannelResult,
    authScopes: { scope: "channels:write" },
    args: { id: t.arg.id({ required: true }), name: t.arg.string({ required: true }) },
    resolve: async (_root, { id, name }, { prisma, auth }) => ({
      channel: await renameChannel(prisma, auth.projectId, id, name),
    }),
  }),
);

builder.mutationField("deleteChannel", (t) =>
  t.field({
    type: DeleteChannelResult,
    description: "Deletes the channel and every user's settings for it.",
    authScopes: { scope: "channels:write" },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { prisma, auth }) => deleteChannel(prisma, auth.projectId, id),
  }),
);
