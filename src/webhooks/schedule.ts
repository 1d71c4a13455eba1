/** An endpoint that has failed without a success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 86_400_000;

/**
 * When the next attempt is due after `attempts` failed ones, or null when
 * there is none left. `scheduleSeconds`: the waits after the 1st, 2nd, …
 * failure (WEBHOOK_RETRY_SCHEDULE; Standard Webhooks' by default).
 */
export function nextAttemptAt(attempts: number, now: Date, scheduleSeconds: readonly number[]): Date | null {
  const wait = scheduleSeconds[attempts - 1];
  return wait === undefined ? null : new Date(now.getTime() + wait * 1000);
}

/** Whether an endpoint failing since `failingSince` is to be disabled now. */
export const failingTooLong = (failingSince: Date | null, now: Date) =>
  failingSince !== null && now.getTime() - failingSince.getTime() >= DISABLE_AFTER_MS;
