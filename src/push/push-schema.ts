import { ChannelProviderEnum } from "../channels/channel-schema.ts";
import { DeliveryStatus } from "../db/generated/prisma/enums.ts";
import { ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { connectionType } from "../graphql/connection.ts";
import { resultUnion } from "../graphql/result-union.ts";
import type { DecisionReason } from "../preferences/decide.ts";
import { DecisionReasonEnum } from "../preferences/recipients-schema.ts";
import { listDeliveries } from "./deliveries.ts";
import {
  type NotificationInput,
  PUSH_PRIORITIES,
  type SendPushOptions as SendPushOptionsShape,
  type SendPushInput as SendPushShape,
} from "./notification.ts";
import { sendPush } from "./send-push.ts";

const DeliveryStatusEnum = builder.enumType(DeliveryStatus, {
  name: "DeliveryStatus",
  description:
    "SENT: the provider accepted it. FAILED: it did not, after retries. TOKEN_REMOVED: the provider said the device is gone, and it was removed from the user. SKIPPED: not sent (see reason, errorCode).",
});
const PushPriorityEnum = builder.enumType("PushPriority", { values: PUSH_PRIORITIES });

const PushDeliveryType = builder.prismaObject("PushDelivery", {
  fields: (t) => ({
    id: t.exposeID("id"),
    user: t.relation("user"),
    channel: t.relation("channel", {
      nullable: true,
      description: "The channel it went through; null when none is configured for the provider.",
    }),
    provider: t.expose("provider", { type: ChannelProviderEnum, nullable: true }),
    tokenSuffix: t.exposeString("tokenSuffix", { nullable: true, description: "The last 8 characters of the token or endpoint." }),
    status: t.expose("status", { type: DeliveryStatusEnum }),
    reason: t.field({
      type: DecisionReasonEnum,
      nullable: true,
      description: "Why the preferences skipped it (sends with a workflow).",
      resolve: (delivery) => delivery.reason as DecisionReason | null,
    }),
    providerMessageId: t.exposeString("providerMessageId", {
      nullable: true,
      description: "apns-id, FCM message name or Web Push Location.",
    }),
    errorCode: t.exposeString("errorCode", {
      nullable: true,
      description: "The provider's reason (BadDeviceToken, UNREGISTERED, HTTP_410, TIMEOUT…), or CHANNEL_NOT_CONFIGURED.",
    }),
    attempts: t.exposeInt("attempts"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const PushNotificationInput = builder.inputType("PushNotificationInput", {
  fields: (t) =>
    ({
      title: t.string({ required: true, description: "1–200 characters." }),
      body: t.string({ description: "At most 2000 characters." }),
      imageUrl: t.string({ description: "An https URL." }),
      data: t.field({ type: "JSONObject", description: "At most 2 KiB of JSON; FCM receives each value as a string." }),
      badge: t.int(),
      sound: t.string(),
      ttlSeconds: t.int({ description: "How long providers keep trying to deliver, up to 28 days." }),
      collapseKey: t.string({ description: "1–32 letters, digits, - or _: a newer notification with the key replaces an older one." }),
      priority: t.field({ type: PushPriorityEnum, description: "HIGH by default." }),
    }) satisfies Record<keyof NotificationInput, unknown>,
});

const SendPushInput = builder.inputType("SendPushInput", {
  fields: (t) =>
    ({
      userIds: t.idList({ required: true, description: "1–1000 users." }),
      notification: t.field({ type: PushNotificationInput, required: true }),
      workflow: t.string({ description: "Who is reached follows the users' preferences for it (see resolveRecipients)." }),
      category: t.string({ description: "A category the send is under, besides the workflow's own." }),
    }) satisfies Record<keyof SendPushShape, unknown>,
});

const SendPushOptions = builder.inputType("SendPushOptions", {
  fields: (t) =>
    ({
      idempotencyKey: t.string({
        description: "1–255 characters. The same key within 24 hours replays the first result and sends nothing.",
      }),
    }) satisfies Record<keyof SendPushOptionsShape, unknown>,
});

const SendPushSuccess = builder.simpleObject("SendPushSuccess", {
  fields: (t) => ({
    deliveries: t.field({ type: [PushDeliveryType] }),
    sentCount: t.int(),
    failedCount: t.int({ description: "FAILED and TOKEN_REMOVED." }),
    skippedCount: t.int(),
    replayed: t.boolean({ description: "Whether this is the stored result of an earlier send with the same idempotency key." }),
  }),
});
const SendPushResult = resultUnion("SendPush", SendPushSuccess, [ValidationError]);

builder.mutationField("sendPush", (t) =>
  t.field({
    type: SendPushResult,
    description: `Sends a notification to every device and browser of the users (APNs, FCM, Web Push) and records a delivery \
for each. Devices the providers say are gone are removed from their users.`,
    authScopes: { scope: "push:send" },
    args: {
      input: t.arg({ type: SendPushInput, required: true }),
      options: t.arg({ type: SendPushOptions }),
    },
    resolve: (_root, { input, options }, { prisma, auth, push }) => sendPush(prisma, auth, push, input, options),
  }),
);

const PushDeliveryConnection = connectionType("PushDelivery", PushDeliveryType);

builder.queryField("pushDeliveries", (t) =>
  t.field({
    type: PushDeliveryConnection,
    nullable: true,
    description: "Deliveries newest first: of one user, or of every user in the caller's reach.",
    skipTypeScopes: true,
    authScopes: { scope: "push:read" },
    args: { userId: t.arg.id(), first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, { prisma, auth }) => listDeliveries(prisma, auth, args),
  }),
);
