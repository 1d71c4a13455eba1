import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import type { Auth } from "../auth/caller.ts";
import { type EncryptionKey, encryptAtRest } from "../auth/encryption-at-rest.ts";
import type { PrismaClient, WebhookEndpoint } from "../db/generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { EVENT_TYPES } from "../events/event-types.ts";
import { headOf } from "../events/feed.ts";
import { plainText } from "../validation/formats.ts";
import { isUuid } from "../validation/ids.ts";
import { parseOrThrow } from "../validation/problems.ts";
import { urlProblem } from "./url-safety.ts";

/** How many endpoints a project may have. */
export const MAX_ENDPOINTS = 50;

const endpointFields = {
  url: z.string().max(2048),
  eventTypes: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).nullish(),
  description: plainText(500).nullish(),
};
const createInput = z.strictObject(endpointFields);
const updateInput = z.strictObject({ ...endpointFields, url: endpointFields.url.nullish(), enabled: z.boolean().nullish() });
export type CreateWebhookEndpointInput = z.input<typeof createInput>;
export type UpdateWebhookEndpointInput = z.input<typeof updateInput>;

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(24).toString("base64")}`;

function checkUrl(url: string, allowPrivate: boolean) {
  const problem = urlProblem(url, allowPrivate);
  if (problem) throw new ValidationError([{ field: "url", message: problem, reason: "invalid" }]);
}

async function requireEndpoint(prisma: PrismaClient, caller: Auth, id: string): Promise<WebhookEndpoint> {
  const endpoint = isUuid(id) ? await prisma.webhookEndpoint.findFirst({ where: { id, projectId: caller.projectId } }) : null;
  if (!endpoint) throw new NotFoundError("webhookEndpoint", id);
  return endpoint;
}

/** A new secret for the endpoint `id`: in clear to hand out once, and as it is stored (encrypted, bound to the endpoint). */
async function newStoredSecret(encryptionKey: EncryptionKey, id: string) {
  const secret = newSecret();
  return { secret, stored: encryptAtRest(await encryptionKey(), id, secret) };
}

/** A new endpoint, sent the events committed from now on; its secret is returned here and never again. */
export async function createWebhookEndpoint(
  prisma: PrismaClient,
  caller: Auth,
  input: CreateWebhookEndpointInput,
  { allowPrivate, encryptionKey }: { allowPrivate: boolean; encryptionKey: EncryptionKey },
) {
  const { url, eventTypes, description } = parseOrThrow(createInput, input);
  checkUrl(url, allowPrivate);
  const { projectId } = caller;
  if ((await prisma.webhookEndpoint.count({ where: { projectId } })) >= MAX_ENDPOINTS) {
    throw new ValidationError([{ field: "url", message: `a project has at most ${MAX_ENDPOINTS} endpoints`, reason: "too_many" }]);
  }
  const id = randomUUID();
  const { secret, stored } = await newStoredSecret(encryptionKey, id);
  const endpoint = await prisma.webhookEndpoint.create({
    data: {
      id,
      projectId,
      url,
      eventTypes: [...new Set(eventTypes ?? [])],
      description: description ?? null,
      secret: stored,
      cursorSeq: await headOf(prisma, projectId),
    },
  });
  return { endpoint, secret };
}

/** Changes what the input names; enabling a disabled endpoint clears its failures. */
export async function updateWebhookEndpoint(
  prisma: PrismaClient,
  caller: Auth,
  id: string,
  input: UpdateWebhookEndpointInput,
  allowPrivate: boolean,
) {
  const { url, eventTypes, description, enabled } = parseOrThrow(updateInput, input);
  if (url != null) checkUrl(url, allowPrivate);
  await requireEndpoint(prisma, caller, id);
  return prisma.webhookEndpoint.update({
    where: { id },
    data: {
      ...(url != null && { url }),
      ...(eventTypes !== undefined && { eventTypes: [...new Set(eventTypes ?? [])] }),
      ...(description !== undefined && { description }),
      ...(enabled != null && { enabled, ...(enabled && { disabledReason: null, failingSince: null }) }),
      updatedAt: new Date(),
    },
  });
}

export async function deleteWebhookEndpoint(prisma: PrismaClient, caller: Auth, id: string) {
  await requireEndpoint(prisma, caller, id);
  await prisma.webhookEndpoint.deleteMany({ where: { id, projectId: caller.projectId } });
  return { id };
}

/** A new secret, returned once; deliveries from now on are signed with it. */
export async function rotateWebhookSecret(prisma: PrismaClient, caller: Auth, id: string, encryptionKey: EncryptionKey) {
  await requireEndpoint(prisma, caller, id);
  const { secret, stored } = await newStoredSecret(encryptionKey, id);
  const endpoint = await prisma.webhookEndpoint.update({ where: { id }, data: { secret: stored, updatedAt: new Date() } });
  return { endpoint, secret };
}

export function listWebhookEndpoints(prisma: PrismaClient, caller: Auth) {
  return prisma.webhookEndpoint.findMany({ where: { projectId: caller.projectId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

/** Sends a delivery again now, whatever became of it (a failed one too). */
export async function retryWebhookDelivery(prisma: PrismaClient, caller: Auth, id: string) {
  const { count } = isUuid(id)
    ? await prisma.webhookDelivery.updateMany({
        where: { id, projectId: caller.projectId },
        data: { status: "PENDING", nextAttemptAt: new Date(), leasedUntil: null },
      })
    : { count: 0 };
  if (count === 0) throw new NotFoundError("webhookDelivery", id);
  return prisma.webhookDelivery.findUniqueOrThrow({ where: { id } });
}
