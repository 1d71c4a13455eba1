import type { Auth } from "../auth/caller.ts";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { type EventFilter, type FeedEvent, headOf, readEventsAfter } from "./feed.ts";
import type { EventSignals } from "./signals.ts";

const BATCH = 100;

/**
 * The caller's events after `position` (default: from now on), as they
 * commit, for as long as the consumer reads. It reads the log, waking on a
 * signal or every `pollMs`, so a signal lost or sent before the commit was
 * visible delays an event by one poll at most and never loses it.
 */
export async function* followEvents(
  prisma: PrismaClient,
  auth: Auth,
  filter: EventFilter,
  after: bigint | undefined,
  signals: EventSignals,
  pollMs: number,
): AsyncGenerator<FeedEvent> {
  let position = after ?? (await headOf(prisma, auth.projectId));
  let pending = false;
  let wake: (() => void) | undefined;
  const stop = signals.listen(auth.projectId, () => {
    pending = true;
    wake?.();
  });
  try {
    for (;;) {
      pending = false;
      const events = await readEventsAfter(prisma, auth, filter, position, BATCH);
      for (const event of events) {
        position = event.seq;
        yield event;
      }
      if (events.length === BATCH || pending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    stop();
  }
}
