import { ChannelType } from "../channels/channel-schema.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { resultUnion } from "../graphql/result-union.ts";
import { configureChannel, credentialFingerprints } from "./channel-credentials.ts";

// Loaded per request, whatever read the channel: every channel of a response shares one statement.
builder.prismaObjectFields("Channel", (t) => ({
  configured: t.loadable({
    type: "Boolean",
    description: "Whether the channel has provider credentials (configureChannel); only configured channels send pushes.",
    load: async (ids: string[], { prisma, auth }) =>
      (await credentialFingerprints(prisma, auth.projectId, ids)).map((fingerprint) => fingerprint !== null),
    resolve: (channel) => channel.id,
  }),
  credentialsFingerprint: t.loadable({
    type: "String",
    nullable: true,
    description: "sha256: and the start of a hash of the credentials: changes when they do; reveals nothing of them.",
    load: (ids: string[], { prisma, auth }) => credentialFingerprints(prisma, auth.projectId, ids),
    resolve: (channel) => channel.id,
  }),
}));

const ConfigureChannelSuccess = builder.simpleObject("ConfigureChannelSuccess", {
  fields: (t) => ({ channel: t.field({ type: ChannelType }) }),
});
const ConfigureChannelResult = resultUnion("ConfigureChannel", ConfigureChannelSuccess, [ValidationError, NotFoundError]);

builder.mutationField("configureChannel", (t) =>
  t.field({
    type: ConfigureChannelResult,
    description: `Sets the provider credentials of an APNS, FCM or WEB_PUSH channel, replacing any before. \
They are validated for the provider, stored encrypted (AES-256-GCM) and never returned or logged.`,
    authScopes: { scope: "channels:write" },
    args: {
      id: t.arg.id({ required: true }),
      credentials: t.arg({
        type: "JSONObject",
        required: true,
        description:
          "APNS: { teamId, keyId, privateKey (.p8 PEM), bundleId }; FCM: { serviceAccount: { project_id, client_email, private_key, token_uri } }; WEB_PUSH: { vapidPublicKey, vapidPrivateKey, subject }.",
      }),
    },
    resolve: async (_root, { id, credentials }, { prisma, auth, push }) => ({
      channel: await configureChannel(prisma, auth.projectId, id, credentials, push.encryptionKey),
    }),
  }),
);
