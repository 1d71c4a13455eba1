import { Agent } from "node:https";
import webpush, { WebPushError } from "web-push";
import type { WebPushCredentials } from "./credentials.ts";
import type { Notification } from "./notification.ts";
import { byStatus, type Outcome, unanswered } from "./outcome.ts";

// VAPID tokens may live 24 hours; each push service origin gets one for 12, renewed an hour early.
const VAPID_LIFETIME_S = 12 * 60 * 60;
const VAPID_RENEW_BEFORE_MS = 60 * 60 * 1000;
const DEFAULT_TTL_SECONDS = 4 * 7 * 24 * 60 * 60;

export type WebPushTarget = { endpoint: string; keys: { p256dh: string; auth: string } };

/** What the service worker receives, decrypted: the notification as JSON. */
export function webPushPayload(notification: Notification): string {
  const { title, body, imageUrl, data, badge, sound } = notification;
  return JSON.stringify({ title, body, image: imageUrl, data, badge, sound });
}

/**
 * Sends Web Push with the `web-push` library (payload encryption, VAPID),
 * over kept-alive connections; the VAPID header of each push service is
 * signed once for its lifetime, not per message.
 */
export class WebPushClient {
  private readonly agent: Agent;
  private readonly vapid = new Map<string, { authorization: string; renewAt: number }>();

  constructor(
    private readonly credentials: WebPushCredentials,
    maxSockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  private authorization(endpoint: string, now: number): string {
    const audience = new URL(endpoint).origin;
    const cached = this.vapid.get(audience);
    if (cached && cached.renewAt > now) return cached.authorization;
    const { subject, vapidPublicKey, vapidPrivateKey } = this.credentials;
    const expiration = Math.floor(now / 1000) + VAPID_LIFETIME_S;
    const headers = webpush.getVapidHeaders(audience, subject, vapidPublicKey, vapidPrivateKey, "aes128gcm", expiration);
    const authorization = String(headers.Authorization);
    this.vapid.set(audience, { authorization, renewAt: expiration * 1000 - VAPID_RENEW_BEFORE_MS });
    return authorization;
  }

  async send(target: WebPushTarget, notification: Notification, payload: string, timeoutMs: number): Promise<Outcome> {
    try {
      const response = await webpush.sendNotification(target, payload, {
        TTL: notification.ttlSeconds ?? DEFAULT_TTL_SECONDS,
        urgency: notification.priority === "HIGH" ? "high" : "normal",
        ...(notification.collapseKey !== null && { topic: notification.collapseKey }),
        headers: { Authorization: this.authorization(target.endpoint, Date.now()) },
        contentEncoding: "aes128gcm",
        agent: this.agent,
        timeout: timeoutMs,
      });
      const location = response.headers.location;
      return { kind: "sent", messageId: typeof location === "string" ? location : null };
    } catch (error) {
      if (!(error instanceof WebPushError)) return unanswered(error);
      if (error.statusCode === 404 || error.statusCode === 410) return { kind: "gone", errorCode: `HTTP_${error.statusCode}` };
      return byStatus(error.statusCode, `HTTP_${error.statusCode}`, error.headers["retry-after"]);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
