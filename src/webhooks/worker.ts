import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { ANY_PROJECT, type EventSignals } from "../events/signals.ts";
import { type DispatchOptions, enqueueDeliveries, sendDueDeliveries } from "./dispatch.ts";

/** The least time between two rounds that new events woke: each round costs a few statements however few events it finds. */
const WAKE_COALESCE_MS = 20;

/**
 * Every gateway runs one: it turns new events into deliveries and sends the
 * due ones, woken by new events or every `pollMs` (retries fall due with
 * time). Gateways share the work through row locks; a crashed one's leases
 * run out and another takes its deliveries over.
 */
export function startWebhookWorker(
  prisma: PrismaClient,
  logger: Logger,
  signals: EventSignals,
  options: DispatchOptions & { pollMs: number },
) {
  let stopped = false;
  let wake: (() => void) | undefined;
  let pending = false;
  const unlisten = signals.listen(ANY_PROJECT, () => {
    pending = true;
    wake?.();
  });
  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.pollMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).then(() => {
      wake = undefined;
    });
  const loop = (async () => {
    // The first round waits for a wake-up or a poll interval: not in the way of starting up.
    await sleep();
    while (!stopped) {
      pending = false;
      let busy = false;
      try {
        busy = (await enqueueDeliveries(prisma)) > 0;
        busy = (await sendDueDeliveries(prisma, options)) > 0 || busy;
      } catch (error) {
        if (!stopped) logger.error({ err: error }, "webhook worker: a round failed; retrying");
      }
      if (busy || stopped) continue;
      // Events written meanwhile: taken by the next round, after a pause in which more gather
      // (under a steady stream of writes, rounds would otherwise follow one another without end).
      if (pending) await delay(WAKE_COALESCE_MS);
      else await sleep();
    }
  })();
  return {
    /** Finishes the round under way (its deliveries are recorded), then stops. */
    async stop() {
      stopped = true;
      unlisten();
      wake?.();
      await loop;
    },
  };
}
