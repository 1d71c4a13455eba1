import type { WebhookDelivery, WebhookEndpoint } from "../db/generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { EventTypeEnum } from "../events/event-schema.ts";
import type { EventType } from "../events/event-types.ts";
import { builder } from "../graphql/builder.ts";
import { connectionType } from "../graphql/connection.ts";
import { resultUnion } from "../graphql/result-union.ts";
import { listDeliveries } from "./deliveries.ts";
import {
  type CreateWebhookEndpointInput as CreateFields,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookEndpoints,
  retryWebhookDelivery,
  rotateWebhookSecret,
  type UpdateWebhookEndpointInput as UpdateFields,
  updateWebhookEndpoint,
} from "./endpoints.ts";

const WebhookEndpointType = builder.objectRef<WebhookEndpoint>("WebhookEndpoint").implement({
  description: "Where the project's events are sent, signed the Standard Webhooks way. Its secret is shown only on creation and rotation.",
  fields: (t) => ({
    id: t.exposeID("id"),
    url: t.exposeString("url"),
    description: t.exposeString("description", { nullable: true }),
    eventTypes: t.field({
      type: [EventTypeEnum],
      description: "Empty: every type.",
      resolve: (endpoint) => endpoint.eventTypes as EventType[],
    }),
    enabled: t.exposeBoolean("enabled"),
    disabledReason: t.exposeString("disabledReason", { nullable: true, description: "Why the gateway disabled it (5 days of failures)." }),
    failingSince: t.expose("failingSince", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

const DeliveryStatusEnum = builder.enumType("WebhookDeliveryStatus", { values: ["PENDING", "SUCCEEDED", "FAILED"] as const });

const WebhookDeliveryType = builder.objectRef<WebhookDelivery>("WebhookDelivery").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    endpointId: t.exposeID("endpointId"),
    eventId: t.exposeID("eventId", { description: "The event's id, sent as `webhook-id`." }),
    userId: t.exposeID("userId", { nullable: true }),
    status: t.field({ type: DeliveryStatusEnum, resolve: (delivery) => delivery.status as "PENDING" | "SUCCEEDED" | "FAILED" }),
    attempts: t.exposeInt("attempts"),
    nextAttemptAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "While pending.",
      resolve: (delivery) => (delivery.status === "PENDING" ? delivery.nextAttemptAt : null),
    }),
    lastStatusCode: t.exposeInt("lastStatusCode", { nullable: true }),
    lastError: t.exposeString("lastError", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    deliveredAt: t.expose("deliveredAt", { type: "DateTime", nullable: true }),
  }),
});

const WebhookDeliveryConnection = connectionType("WebhookDelivery", WebhookDeliveryType);

const CreateWebhookEndpointInput = builder.inputType("CreateWebhookEndpointInput", {
  fields: (t) =>
    ({
      url: t.string({ required: true, description: "https, on a public address." }),
      eventTypes: t.field({ type: [EventTypeEnum], description: "The types to send; empty or left out: all." }),
      description: t.string(),
    }) satisfies Record<keyof CreateFields, unknown>,
});

const UpdateWebhookEndpointInput = builder.inputType("UpdateWebhookEndpointInput", {
  fields: (t) =>
    ({
      url: t.string(),
      eventTypes: t.field({ type: [EventTypeEnum] }),
      description: t.string(),
      enabled: t.boolean({ description: "true re-enables a disabled endpoint and clears its failures." }),
    }) satisfies Record<keyof UpdateFields, unknown>,
});

const WithSecret = (name: string) =>
  builder.simpleObject(`${name}Success`, {
    fields: (t) => ({
      endpoint: t.field({ type: WebhookEndpointType }),
      secret: t.string({ description: "The signing secret (whsec_…): shown this once." }),
    }),
  });
const CreateResult = resultUnion("CreateWebhookEndpoint", WithSecret("CreateWebhookEndpoint"), [ValidationError]);
const RotateResult = resultUnion("RotateWebhookSecret", WithSecret("RotateWebhookSecret"), [NotFoundError]);
const UpdateResult = resultUnion(
  "UpdateWebhookEndpoint",
  builder.simpleObject("UpdateWebhookEndpointSuccess", { fields: (t) => ({ endpoint: t.field({ type: WebhookEndpointType }) }) }),
  [ValidationError, NotFoundError],
);
const DeleteResult = resultUnion(
  "DeleteWebhookEndpoint",
  builder.simpleObject("DeleteWebhookEndpointSuccess", { fields: (t) => ({ id: t.id() }) }),
  [NotFoundError],
);
const RetryResult = resultUnion(
  "RetryWebhookDelivery",
  builder.simpleObject("RetryWebhookDeliverySuccess", { fields: (t) => ({ delivery: t.field({ type: WebhookDeliveryType }) }) }),
  [NotFoundError],
);

// Webhooks are the project's: secret keys only (the root types' default), holding webhooks:write.
const WEBHOOKS = { scope: "webhooks:write" } as const;

builder.queryFields((t) => ({
  webhookEndpoints: t.field({
    type: [WebhookEndpointType],
    nullable: true,
    authScopes: WEBHOOKS,
    resolve: (_root, _args, { prisma, auth }) => listWebhookEndpoints(prisma, auth),
  }),
  webhookDeliveries: t.field({
    type: WebhookDeliveryConnection,
    nullable: true,
    description: "An endpoint's deliveries, newest first.",
    authScopes: WEBHOOKS,
    args: { endpointId: t.arg.id({ required: true }), first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, { prisma, auth }) => listDeliveries(prisma, auth, args),
  }),
}));

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: CreateResult,
    authScopes: WEBHOOKS,
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true }) },
    resolve: (_root, { input }, { prisma, auth, changeFeed, encryptionKey }) =>
      createWebhookEndpoint(prisma, auth, input, { allowPrivate: changeFeed.allowPrivateWebhookUrls, encryptionKey }),
  }),
  updateWebhookEndpoint: t.field({
    type: UpdateResult,
    authScopes: WEBHOOKS,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateWebhookEndpointInput, required: true }) },
    resolve: async (_root, { id, input }, { prisma, auth, changeFeed }) => ({
      endpoint: await updateWebhookEndpoint(prisma, auth, id, input, changeFeed.allowPrivateWebhookUrls),
    }),
  }),
  deleteWebhookEndpoint: t.field({
    type: DeleteResult,
    authScopes: WEBHOOKS,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { prisma, auth }) => deleteWebhookEndpoint(prisma, auth, id),
  }),
  rotateWebhookSecret: t.field({
    type: RotateResult,
    authScopes: WEBHOOKS,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { prisma, auth, encryptionKey }) => rotateWebhookSecret(prisma, auth, id, encryptionKey),
  }),
  retryWebhookDelivery: t.field({
    type: RetryResult,
    authScopes: WEBHOOKS,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, { prisma, auth }) => ({ delivery: await retryWebhookDelivery(prisma, auth, id) }),
  }),
}));
