import { builder } from "../../graphql/builder.ts";
import type { ProfileField } from "../write/profile.ts";
import type { UpsertInput, UpsertOptions as UpsertOptionFields } from "../write/upsert-input.ts";
import { PushEnvironmentEnum, PushProviderEnum } from "./user-schema.ts";

const PushTokenInput = builder.inputType("PushTokenInput", {
  fields: (t) => ({
    provider: t.field({ type: PushProviderEnum, required: true }),
    token: t.string({ required: true }),
    environment: t.field({ type: PushEnvironmentEnum }),
    device: t.field({ type: "JSONObject" }),
  }),
});

const WebPushSubscriptionInput = builder.inputType("WebPushSubscriptionInput", {
  fields: (t) => ({
    endpoint: t.string({ required: true, description: "An absolute https URL." }),
    expirationTime: t.float({ description: "PushSubscription.toJSON()'s: milliseconds since the epoch, or null." }),
    keys: t.field({ type: "JSONObject", required: true, description: "p256dh and auth, base64url." }),
  }),
});

const ProfileOnceInput = builder.inputType("ProfileOnceInput", {
  description: "Each field is written only when the user has none yet; checked as the same field of the input.",
  fields: (t) =>
    ({
      email: t.string(),
      phoneNumber: t.string(),
      name: t.string(),
      title: t.string(),
      nickname: t.string(),
      avatarUrl: t.string(),
      locale: t.string(),
      timezone: t.string(),
    }) satisfies Record<ProfileField, unknown>,
});

export const UpsertUserInput = builder.inputType("UpsertUserInput", {
  description: "A field left out stays as it is; null clears it; a value replaces it.",
  fields: (t) =>
    ({
      email: t.string(),
      phoneNumber: t.string({ description: "Any notation with its country code; stored as E.164." }),
      name: t.string(),
      title: t.string(),
      nickname: t.string(),
      avatarUrl: t.string({ description: "An absolute https URL." }),
      locale: t.string({ description: "A BCP 47 tag; stored canonical." }),
      timezone: t.string({ description: "An IANA tz database name." }),
      profileOnce: t.field({ type: ProfileOnceInput, description: "Profile fields written only where the user has none yet." }),
      organizationId: t.id(),
      createdAt: t.field({ type: "DateTime", description: "When the caller's system created the user; kept on create only." }),
      properties: t.field({
        type: "JSONObject",
        description: "Deep-merged; a key set to null is removed, at any depth.",
      }),
      propertiesOnce: t.field({
        type: "JSONObject",
        description: "Top-level keys written only where the user has none yet.",
      }),
      tags: t.stringList({ description: "Replaces every tag; not with addTags or removeTags." }),
      addTags: t.stringList(),
      removeTags: t.stringList(),
      unsubscribedEmail: t.boolean(),
      unsubscribedTexting: t.boolean(),
      pushTokens: t.field({ type: [PushTokenInput], description: "Replaces the list; duplicates are merged." }),
      webPushSubscriptions: t.field({ type: [WebPushSubscriptionInput], description: "Replaces the list." }),
      slackDestination: t.string({
        description: 'A channel "name" or "#name", a channel id "C…", a user id "U…" or "@username".',
      }),
    }) satisfies Record<keyof UpsertInput, unknown>,
});

export const UpsertOptions = builder.inputType("UpsertOptions", {
  fields: (t) =>
    ({
      expectedVersion: t.int({
        description: "Write only if the user's version is this one (0: only if the user does not exist yet).",
      }),
      idempotencyKey: t.string({
        description: "The same key within 24 hours returns the first result and writes nothing again.",
      }),
      touchLastSeen: t.boolean({ defaultValue: true, description: "Set lastSeenAt to now." }),
    }) satisfies Record<keyof UpsertOptionFields, unknown>,
});

export const BulkUpsertUserInput = builder.inputType("BulkUpsertUserInput", {
  fields: (t) => ({
    id: t.id({ required: true }),
    input: t.field({ type: UpsertUserInput, required: true }),
  }),
});
