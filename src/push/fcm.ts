import { importPKCS8, SignJWT } from "jose";
import type { FcmCredentials } from "./credentials.ts";
import { Http2Origin } from "./http2-origin.ts";
import type { Notification } from "./notification.ts";
import { byStatus, type Outcome, unanswered } from "./outcome.ts";

const SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
const ASSERTION_LIFETIME_S = 3600;
// An access token is renewed this long before Google says it expires.
const EXPIRY_MARGIN_MS = 60_000;

type AccessToken = { value: string; expiresAt: number };
type FcmError = {
  error?: { status?: string; message?: string; details?: { errorCode?: string; fieldViolations?: { field?: string }[] }[] };
};

/** The v1 message: a notification for the system tray and data as strings, as FCM requires. */
export function fcmMessage(token: string, notification: Notification): string {
  const data = Object.fromEntries(
    Object.entries(notification.data).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
  );
  const android = {
    priority: notification.priority === "HIGH" ? "HIGH" : "NORMAL",
    ...(notification.ttlSeconds !== null && { ttl: `${notification.ttlSeconds}s` }),
    ...(notification.collapseKey !== null && { collapse_key: notification.collapseKey }),
    ...(notification.sound !== null && { notification: { sound: notification.sound } }),
  };
  return JSON.stringify({
    message: {
      token,
      notification: {
        title: notification.title,
        ...(notification.body !== null && { body: notification.body }),
        ...(notification.imageUrl !== null && { image: notification.imageUrl }),
      },
      ...(Object.keys(data).length > 0 && { data }),
      android,
    },
  });
}

/**
 * Sends through FCM HTTP v1 for one service account: an OAuth2 access token
 * from its token_uri (a signed JWT assertion), kept until shortly before it
 * expires; messages over one HTTP/2 connection.
 */
export class FcmClient {
  private readonly origin: Http2Origin;
  private accessToken: Promise<AccessToken> | undefined;

  constructor(
    private readonly credentials: FcmCredentials,
    fcmUrl: string,
  ) {
    this.origin = new Http2Origin(fcmUrl);
  }

  private bearer(timeoutMs: number): Promise<AccessToken> {
    const current = this.accessToken;
    if (current) {
      return current.then((token) => (token.expiresAt - EXPIRY_MARGIN_MS > Date.now() ? token : this.renew(current, timeoutMs)));
    }
    return this.renew(current, timeoutMs);
  }

  /** One request for a new token, however many sends ask at once; a failed one is asked again next time. */
  private renew(stale: Promise<AccessToken> | undefined, timeoutMs: number): Promise<AccessToken> {
    if (this.accessToken !== stale) return this.accessToken!;
    const renewal = this.requestAccessToken(timeoutMs);
    this.accessToken = renewal;
    renewal.catch(() => {
      if (this.accessToken === renewal) this.accessToken = undefined;
    });
    return renewal;
  }

  private async requestAccessToken(timeoutMs: number): Promise<AccessToken> {
    const { client_email, private_key, private_key_id, token_uri } = this.credentials.serviceAccount;
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", ...(private_key_id && { kid: private_key_id }) })
      .setIssuer(client_email)
      .setAudience(token_uri)
      .setIssuedAt(now)
      .setExpirationTime(now + ASSERTION_LIFETIME_S)
      .sign(await importPKCS8(private_key, "RS256"));
    const response = await fetch(token_uri, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown };
    if (!response.ok || typeof body.access_token !== "string") {
      throw new OAuthError(response.status, response.headers.get("retry-after"));
    }
    const lifetime = typeof body.expires_in === "number" ? body.expires_in : ASSERTION_LIFETIME_S;
    return { value: body.access_token, expiresAt: Date.now() + lifetime * 1000 };
  }

  async send(token: string, notification: Notification, timeoutMs: number): Promise<Outcome> {
    let bearer: AccessToken;
    try {
      bearer = await this.bearer(timeoutMs);
    } catch (error) {
      if (error instanceof OAuthError) return byStatus(error.status, `OAUTH_HTTP_${error.status}`, error.retryAfter ?? undefined);
      return unanswered(error);
    }
    const headers = {
      ":method": "POST",
      ":path": `/v1/projects/${this.credentials.serviceAccount.project_id}/messages:send`,
      authorization: `Bearer ${bearer.value}`,
      "content-type": "application/json",
    };
    let response: Awaited<ReturnType<Http2Origin["request"]>>;
    try {
      response = await this.origin.request(headers, fcmMessage(token, notification), timeoutMs);
    } catch (error) {
      return unanswered(error);
    }
    if (response.status === 200) return { kind: "sent", messageId: messageName(response.body) };
    const error = parseError(response.body);
    const errorCode = error?.details?.find((detail) => detail.errorCode)?.errorCode ?? error?.status ?? `HTTP_${response.status}`;
    if (response.status === 404 || errorCode === "UNREGISTERED") return { kind: "gone", errorCode: "UNREGISTERED" };
    if (errorCode === "INVALID_ARGUMENT" && namesTheToken(error)) return { kind: "gone", errorCode };
    if (response.status === 401) {
      // Revoked or expired early: a new access token on the next attempt.
      this.accessToken = undefined;
      return { kind: "retry", errorCode: "UNAUTHENTICATED", retryAfterMs: 0 };
    }
    return byStatus(response.status, errorCode, response.headers["retry-after"]);
  }

  close(): void {
    this.origin.close();
  }
}

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: string | null,
  ) {
    super(`the OAuth2 token endpoint answered ${status}`);
  }
}

function parseError(body: string): FcmError["error"] {
  try {
    return (JSON.parse(body) as FcmError).error;
  } catch {
    return undefined;
  }
}

/** INVALID_ARGUMENT is about the token when a field violation or the message says so, not about the payload. */
function namesTheToken(error: FcmError["error"]): boolean {
  const fields = error?.details?.flatMap((detail) => detail.fieldViolations ?? []).map((violation) => violation.field) ?? [];
  return fields.includes("message.token") || /registration token/i.test(error?.message ?? "");
}

function messageName(body: string): string | null {
  try {
    const name = (JSON.parse(body) as { name?: unknown }).name;
    return typeof name === "string" ? name : null;
  } catch {
    return null;
  }
}
