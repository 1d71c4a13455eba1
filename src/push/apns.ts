import { importPKCS8, SignJWT } from "jose";
import type { ApnsCredentials } from "./credentials.ts";
import { Http2Origin } from "./http2-origin.ts";
import { expiresAt, type Notification } from "./notification.ts";
import { byStatus, type Outcome, unanswered } from "./outcome.ts";

// Apple refuses tokens older than an hour and too frequent refreshes: one every 50 minutes.
const PROVIDER_TOKEN_LIFETIME_MS = 50 * 60 * 1000;
// What Apple answers for a token that no longer reaches a device.
const GONE_REASONS = new Set(["BadDeviceToken", "Unregistered"]);
const STALE_PROVIDER_TOKEN = new Set(["ExpiredProviderToken", "InvalidProviderToken"]);

export type ApnsTarget = { token: string; sandbox: boolean };

/** The JSON payload Apple delivers; the notification's data sits beside `aps`, as Apple asks for custom keys. */
export function apnsPayload(notification: Notification): string {
  const alert = { title: notification.title, ...(notification.body !== null && { body: notification.body }) };
  return JSON.stringify({
    ...notification.data,
    aps: {
      alert,
      ...(notification.badge !== null && { badge: notification.badge }),
      ...(notification.sound !== null && { sound: notification.sound }),
      // Lets a notification service extension fetch the image.
      ...(notification.imageUrl !== null && { "mutable-content": 1 }),
    },
    ...(notification.imageUrl !== null && { imageUrl: notification.imageUrl }),
  });
}

/**
 * Sends to APNs over HTTP/2 for one channel's credentials: one connection per
 * host (production, sandbox), one ES256 provider token reused for its lifetime.
 */
export class ApnsClient {
  private readonly production: Http2Origin;
  private readonly sandbox: Http2Origin;
  private providerToken: { value: Promise<string>; madeAt: number } | undefined;

  constructor(
    private readonly credentials: ApnsCredentials,
    urls: { production: string; sandbox: string },
  ) {
    this.production = new Http2Origin(urls.production);
    this.sandbox = new Http2Origin(urls.sandbox);
  }

  private bearer(now: number): Promise<string> {
    if (!this.providerToken || now - this.providerToken.madeAt >= PROVIDER_TOKEN_LIFETIME_MS) {
      const { teamId, keyId, privateKey } = this.credentials;
      const value = importPKCS8(privateKey, "ES256").then((key) =>
        new SignJWT({})
          .setProtectedHeader({ alg: "ES256", kid: keyId })
          .setIssuer(teamId)
          .setIssuedAt(Math.floor(now / 1000))
          .sign(key),
      );
      this.providerToken = { value, madeAt: now };
    }
    return this.providerToken.value;
  }

  async send(target: ApnsTarget, notification: Notification, payload: string, timeoutMs: number): Promise<Outcome> {
    const now = Date.now();
    const expiration = expiresAt(notification, now);
    const headers = {
      ":method": "POST",
      ":path": `/3/device/${encodeURIComponent(target.token)}`,
      authorization: `bearer ${await this.bearer(now)}`,
      "apns-topic": this.credentials.bundleId,
      "apns-push-type": "alert",
      "apns-priority": notification.priority === "HIGH" ? "10" : "5",
      ...(expiration !== null && { "apns-expiration": String(expiration) }),
      ...(notification.collapseKey !== null && { "apns-collapse-id": notification.collapseKey }),
      "content-type": "application/json",
    };
    let response: Awaited<ReturnType<Http2Origin["request"]>>;
    try {
      response = await (target.sandbox ? this.sandbox : this.production).request(headers, payload, timeoutMs);
    } catch (error) {
      return unanswered(error);
    }
    if (response.status === 200) return { kind: "sent", messageId: String(response.headers["apns-id"] ?? "") || null };
    const reason = reasonOf(response.body) ?? `HTTP_${response.status}`;
    if (response.status === 410 || GONE_REASONS.has(reason)) return { kind: "gone", errorCode: reason };
    if (response.status === 403 && STALE_PROVIDER_TOKEN.has(reason)) {
      // Signed anew on the next attempt.
      this.providerToken = undefined;
      return { kind: "retry", errorCode: reason, retryAfterMs: 0 };
    }
    return byStatus(response.status, reason, response.headers["retry-after"]);
  }

  close(): void {
    this.production.close();
    this.sandbox.close();
  }
}

function reasonOf(body: string): string | undefined {
  try {
    const reason = (JSON.parse(body) as { reason?: unknown }).reason;
    return typeof reason === "string" ? reason : undefined;
  } catch {
    return undefined;
  }
}
