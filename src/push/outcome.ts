/** What one attempt at one destination came to, in the provider's own words (errorCode). */
export type Outcome =
  | { kind: "sent"; messageId: string | null }
  /** The provider says the token or subscription no longer exists. */
  | { kind: "gone"; errorCode: string }
  /** Worth another attempt: rate limited, a server error, a timeout. */
  | { kind: "retry"; errorCode: string; retryAfterMs: number | null }
  | { kind: "failed"; errorCode: string };

/** Retry-After in seconds or as an HTTP date, in milliseconds from now; null when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === "") return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The answer to a status that names no reason of its own: 429 and 5xx are retried, anything else failed. */
export function byStatus(status: number, errorCode: string, retryAfter: string | string[] | undefined): Outcome {
  if (status === 429 || status >= 500) return { kind: "retry", errorCode, retryAfterMs: retryAfterMs(retryAfter) };
  return { kind: "failed", errorCode };
}

/** A request that got no answer: retried, as the provider may never have seen it. */
export function unanswered(error: unknown): Outcome {
  const timedOut = error instanceof Error && (error.name === "TimeoutError" || /timeout/i.test(error.message));
  return { kind: "retry", errorCode: timedOut ? "TIMEOUT" : "NETWORK_ERROR", retryAfterMs: null };
}
