import { randomUUID } from "node:crypto";
import type { Auth } from "../auth/caller.ts";
import { prismaStatements } from "../db/direct-reads.ts";
import type { PrismaClient, PushDelivery } from "../db/generated/prisma/client.ts";
import type { DecisionReason } from "../preferences/decide.ts";
import { resolveRecipients } from "../preferences/resolve-recipients.ts";
import { recordIdempotentResponse } from "../users/write/idempotency.ts";
import { parseOrThrow } from "../validation/problems.ts";
import { apnsPayload } from "./apns.ts";
import { type ConfiguredChannel, configuredPushChannels } from "./channel-credentials.ts";
import { countDeliveries, type DeliveryCounts, deliveriesById, tokenSuffix } from "./deliveries.ts";
import { DeliveryWriter } from "./delivery-writer.ts";
import {
  type Notification,
  notificationOf,
  type SendPushInput,
  type SendPushOptions,
  sendPushOptionsSchema,
  sendPushSchema,
} from "./notification.ts";
import type { Outcome } from "./outcome.ts";
import { type PushTarget, readPushTargets } from "./push-targets.ts";
import { type Attempted, withRetries } from "./retry.ts";
import { claimSendKey, releaseSendKey, type StoredSend } from "./send-idempotency.ts";
import type { PushSenders } from "./senders.ts";
import { removeGoneTargets } from "./token-hygiene.ts";
import { webPushPayload } from "./web-push.ts";

export type SendPushResult = DeliveryCounts & { deliveries: PushDelivery[]; replayed: boolean };

/** What becomes of one destination: sent through a channel, or skipped and why. */
type Plan =
  | { userId: string; target: PushTarget; channel: ConfiguredChannel }
  | {
      userId: string;
      target: PushTarget | null;
      channelId: string | null;
      skip: { reason: DecisionReason | null; errorCode: string | null };
    };

/**
 * Sends one notification to every push destination of the users (or, with a
 * workflow, to those their preferences allow), then records a delivery per
 * destination and removes what the providers said is gone, in one
 * transaction. The sends run outside any transaction, bounded by the
 * process-wide limit, each retried within the deadline.
 */
export async function sendPush(
  prisma: PrismaClient,
  auth: Auth,
  senders: PushSenders,
  input: SendPushInput,
  options: SendPushOptions | null | undefined,
): Promise<SendPushResult> {
  const request = parseOrThrow(sendPushSchema, input);
  const { idempotencyKey } = parseOrThrow(sendPushOptionsSchema, options ?? {}, ["options"]);
  const { projectId } = auth;
  if (idempotencyKey) {
    const stored = await claimSendKey(prisma, projectId, idempotencyKey, request, senders.config.deadlineMs + 10_000);
    if (stored) return replay(prisma, projectId, stored);
  }
  let sending = false;
  try {
    const targets = await readPushTargets(prisma, auth, request.userIds);
    const channels = await configuredPushChannels(prisma, projectId, senders.encryptionKey);
    const refusals = request.workflow ? await preferenceRefusals(prisma, auth, request.userIds, request.workflow, request.category) : null;
    const plans = planSends(request.userIds, targets, channels, refusals);
    const writer = new DeliveryWriter(prisma);
    const deliveries: PushDelivery[] = [];
    const gone: PushTarget[] = [];
    sending = true;
    await runSends(senders, plans, notificationOf(request.notification), (index, attempted) => {
      const plan = plans[index]!;
      const delivery = deliveryOf(projectId, plan, attempted, new Date());
      deliveries[index] = delivery;
      writer.add(delivery);
      if (attempted?.outcome.kind === "gone" && plan.target) gone.push(plan.target);
    });
    // A delivery says what happened even if what follows fails: written outside the transaction.
    await writer.flush();
    await prisma.$transaction(async (tx) => {
      await removeGoneTargets(tx, projectId, gone, new Date());
      if (idempotencyKey) {
        await recordIdempotentResponse(prismaStatements(tx), projectId, idempotencyKey, {
          deliveryIds: deliveries.map((delivery) => delivery.id),
        });
      }
    });
    return { deliveries, ...countDeliveries(deliveries), replayed: false };
  } catch (error) {
    // Once anything may have been sent, the key stays taken: a retry must not send again.
    if (idempotencyKey && !sending) await releaseSendKey(prisma, projectId, idempotencyKey);
    throw error;
  }
}

async function replay(prisma: PrismaClient, projectId: string, stored: StoredSend): Promise<SendPushResult> {
  const deliveries = await deliveriesById(prisma, projectId, stored.deliveryIds);
  return { deliveries, ...countDeliveries(deliveries), replayed: true };
}

const destinationKey = (channelId: string | null, provider: string | null, destination: string | null) =>
  JSON.stringify([channelId, provider, destination]);

/** The preference decisions that refuse a push destination, by destination; the users without any push destination, by user. */
type Refusals = { byDestination: Map<string, DecisionReason>; noDestination: Map<string, DecisionReason> };

async function preferenceRefusals(
  prisma: PrismaClient,
  auth: Auth,
  userIds: string[],
  workflow: string,
  category: string | null | undefined,
): Promise<Refusals> {
  const page = await resolveRecipients(prisma, auth, { workflow, category, userIds, first: userIds.length });
  const refusals: Refusals = { byDestination: new Map(), noDestination: new Map() };
  for (const recipient of page.nodes) {
    for (const decision of recipient.channels) {
      if (decision.channelType !== "PUSH" || decision.allowed) continue;
      if (decision.destination === null) refusals.noDestination.set(recipient.user.id, decision.reason);
      else
        refusals.byDestination.set(destinationKey(decision.channel?.id ?? null, decision.provider, decision.destination), decision.reason);
    }
  }
  return refusals;
}

function planSends(
  userIds: readonly string[],
  targets: readonly PushTarget[],
  channels: readonly ConfiguredChannel[],
  refusals: Refusals | null,
): Plan[] {
  const plans: Plan[] = [];
  for (const userId of userIds) {
    const noDestination = refusals?.noDestination.get(userId);
    if (noDestination) plans.push({ userId, target: null, channelId: null, skip: { reason: noDestination, errorCode: null } });
  }
  for (const target of targets) {
    const refused = refusals?.byDestination.get(destinationKey(target.channelId, target.provider, target.destination));
    // The user's own tokens go through the project's first configured channel of their provider.
    const channel = channels.find((candidate) =>
      target.channelId === null ? candidate.provider === target.provider : candidate.id === target.channelId,
    );
    const { userId, channelId } = target;
    if (refused) plans.push({ userId, target, channelId: channel?.id ?? channelId, skip: { reason: refused, errorCode: null } });
    else if (!channel) plans.push({ userId, target, channelId, skip: { reason: null, errorCode: "CHANNEL_NOT_CONFIGURED" } });
    else plans.push({ userId, target, channel });
  }
  return plans;
}

/**
 * Every planned send at once, as far as the process-wide limit lets them;
 * `settled` hears of each as it ends (skipped plans at once, without an attempt).
 */
async function runSends(
  senders: PushSenders,
  plans: readonly Plan[],
  notification: Notification,
  settled: (index: number, attempted: Attempted | undefined) => void,
): Promise<void> {
  const deadline = Date.now() + senders.config.deadlineMs;
  const { attemptTimeoutMs } = senders.config;
  // Payloads are the same for every device of a provider: made once.
  const apns = apnsPayload(notification);
  const webPush = webPushPayload(notification);
  await Promise.all(
    plans.map(async (plan, index) => {
      if (!("channel" in plan)) return settled(index, undefined);
      const { channel, target } = plan;
      const attempt = (timeoutMs: number): Promise<Outcome> => {
        switch (channel.provider) {
          case "APNS":
            return senders.apns(channel).send({ token: target.destination, sandbox: target.sandbox }, notification, apns, timeoutMs);
          case "FCM":
            return senders.fcm(channel).send(target.destination, notification, timeoutMs);
          case "WEB_PUSH":
            return senders.webPush(channel).send({ endpoint: target.destination, keys: target.keys! }, notification, webPush, timeoutMs);
        }
      };
      settled(index, await senders.limit(() => withRetries(attempt, { deadline, attemptTimeoutMs })));
    }),
  );
}

const STATUS_OF = { sent: "SENT", gone: "TOKEN_REMOVED", failed: "FAILED", retry: "FAILED" } as const;

function deliveryOf(projectId: string, plan: Plan, attempted: Attempted | undefined, createdAt: Date): PushDelivery {
  const base = {
    id: randomUUID(),
    projectId,
    userId: plan.userId,
    provider: plan.target?.provider ?? null,
    tokenSuffix: plan.target ? tokenSuffix(plan.target.destination) : null,
    createdAt,
  };
  if ("skip" in plan || !attempted) {
    const skip = "skip" in plan ? plan.skip : { reason: null, errorCode: null };
    return {
      ...base,
      channelId: "skip" in plan ? plan.channelId : null,
      status: "SKIPPED",
      reason: skip.reason,
      errorCode: skip.errorCode,
      providerMessageId: null,
      attempts: 0,
    };
  }
  const { outcome, attempts } = attempted;
  return {
    ...base,
    channelId: plan.channel.id,
    status: STATUS_OF[outcome.kind],
    reason: null,
    providerMessageId: outcome.kind === "sent" ? outcome.messageId : null,
    errorCode: outcome.kind === "sent" ? null : outcome.errorCode,
    attempts,
  };
}
