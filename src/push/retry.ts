import { setTimeout as sleep } from "node:timers/promises";
import type { Outcome } from "./outcome.ts";

const MAX_ATTEMPTS = 3;
const BASE_BACKOFF_MS = 200;

export type Attempted = { outcome: Outcome; attempts: number };

/**
 * Runs `attempt` until it is not a `retry`, at most MAX_ATTEMPTS times and
 * never past `deadline` (epoch ms): each attempt gets what is left of the
 * time, and a wait that would end past the deadline is not started. Waits
 * honour Retry-After, else back off exponentially with jitter.
 */
export async function withRetries(
  attempt: (timeoutMs: number) => Promise<Outcome>,
  { deadline, attemptTimeoutMs }: { deadline: number; attemptTimeoutMs: number },
): Promise<Attempted> {
  for (let attempts = 1; ; attempts++) {
    const outcome = await attempt(Math.max(1, Math.min(attemptTimeoutMs, deadline - Date.now())));
    if (outcome.kind !== "retry") return { outcome, attempts };
    const wait = outcome.retryAfterMs ?? BASE_BACKOFF_MS * 2 ** (attempts - 1) * (0.5 + Math.random());
    if (attempts >= MAX_ATTEMPTS || Date.now() + wait >= deadline) {
      return { outcome: { kind: "failed", errorCode: outcome.errorCode }, attempts };
    }
    await sleep(wait);
  }
}
