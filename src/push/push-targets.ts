import type { Auth } from "../auth/caller.ts";
import { usersInReach } from "../auth/reach.ts";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { ValidationError } from "../errors.ts";
import type { JsonObject } from "../json.ts";
import type { PushChannelProvider } from "./credentials.ts";

/** One device or browser of a user: a token or subscription of its own (channelId null), or in a channel's settings. */
export type PushTarget = {
  userId: string;
  provider: PushChannelProvider;
  channelId: string | null;
  /** The device token, or the subscription's endpoint. */
  destination: string;
  sandbox: boolean;
  keys: { p256dh: string; auth: string } | null;
};

type Subscription = { endpoint: string; keys: { p256dh: string; auth: string } };

const subscriptions = (value: unknown): Subscription[] =>
  Array.isArray(value) ? value.filter((item): item is Subscription => typeof (item as JsonObject | null)?.endpoint === "string") : [];
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item) => typeof item === "string") : []);

/**
 * Every push destination of the users, in the order named, from one
 * statement. A user that does not exist or lies outside the caller's reach
 * is a validation problem at its index, reported before anything is sent.
 */
export async function readPushTargets(prisma: PrismaClient, auth: Auth, userIds: readonly string[]): Promise<PushTarget[]> {
  const users = await prisma.user.findMany({
    where: { projectId: auth.projectId, id: { in: [...userIds] }, ...usersInReach(auth) },
    select: {
      id: true,
      webPushSubscriptions: true,
      pushTokens: { select: { provider: true, token: true, environment: true }, orderBy: { position: "asc" } },
      channelSettings: {
        where: { channel: { provider: { in: ["APNS", "FCM", "WEB_PUSH"] } } },
        select: { channelId: true, settings: true, channel: { select: { provider: true, name: true } } },
      },
    },
  });
  const byId = new Map(users.map((user) => [user.id, user]));
  const missing = userIds.flatMap((id, index) => (byId.has(id) ? [] : [index]));
  if (missing.length > 0) {
    throw new ValidationError(missing.map((index) => ({ field: `userIds.${index}`, message: "names no user", reason: "invalid" })));
  }
  return userIds.flatMap((id) => {
    const user = byId.get(id)!;
    const own = (target: Omit<PushTarget, "userId" | "channelId">): PushTarget => ({ userId: id, channelId: null, ...target });
    const targets = [
      ...user.pushTokens.map((token) =>
        own({ provider: token.provider, destination: token.token, sandbox: token.environment === "SANDBOX", keys: null }),
      ),
      ...subscriptions(user.webPushSubscriptions).map((s) =>
        own({ provider: "WEB_PUSH", destination: s.endpoint, sandbox: false, keys: s.keys }),
      ),
    ];
    const settings = [...user.channelSettings].sort((a, b) => (a.channel.name < b.channel.name ? -1 : 1));
    for (const { channelId, settings: value, channel } of settings) {
      const stored = value as JsonObject;
      const inChannel = { userId: id, channelId, sandbox: false };
      if (channel.provider === "WEB_PUSH") {
        for (const s of subscriptions(stored.subscriptions))
          targets.push({ ...inChannel, provider: "WEB_PUSH", destination: s.endpoint, keys: s.keys });
      } else {
        for (const token of strings(stored.device_tokens))
          targets.push({ ...inChannel, provider: channel.provider as "APNS" | "FCM", destination: token, keys: null });
      }
    }
    return targets;
  });
}
