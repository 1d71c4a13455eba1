import { Redis } from "ioredis";
import type { Logger } from "pino";

// Wake-ups for the subscribers of a project: "project p has new events".
// With Redis every gateway hears every other's (pub/sub on one channel);
// without, only its own. They carry no event, the log does: a missed one
// costs a subscriber at most its poll interval.

const CHANNEL = "directory-events";

export type Listener = () => void;

/** Listens to the wake-ups of every project (the webhook workers). */
export const ANY_PROJECT = "*";

export interface EventSignals {
  /** Says, after a commit, that the project has new events. */
  publish(projectId: string): void;
  /** Calls `listener` on every wake-up of the project until the returned function is called. */
  listen(projectId: string, listener: Listener): () => void;
  close(): Promise<void>;
}

/** The listeners of each project in this process. */
class LocalSignals {
  readonly #listeners = new Map<string, Set<Listener>>();

  notify(projectId: string) {
    for (const listener of this.#listeners.get(projectId) ?? []) listener();
    for (const listener of this.#listeners.get(ANY_PROJECT) ?? []) listener();
  }

  listen(projectId: string, listener: Listener) {
    const listeners = this.#listeners.get(projectId) ?? new Set();
    this.#listeners.set(projectId, listeners.add(listener));
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(projectId);
    };
  }
}

/** Wake-ups within one process. */
export function inProcessSignals(): EventSignals {
  const local = new LocalSignals();
  return {
    publish: (projectId) => local.notify(projectId),
    listen: (projectId, listener) => local.listen(projectId, listener),
    close: async () => {},
  };
}

/**
 * Wake-ups through Redis pub/sub, shared by every gateway on one Redis. Its
 * own are also delivered at once, not only on their way back from Redis. A
 * Redis outage only slows subscribers down to their poll interval.
 */
export function redisSignals(redisUrl: string, logger: Logger): EventSignals {
  const local = new LocalSignals();
  const options = { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false };
  const publisher = new Redis(redisUrl, { ...options, enableOfflineQueue: false });
  const subscriber = new Redis(redisUrl, options);
  const warn = (error: Error) => logger.warn({ err: error.message }, "change feed: Redis unavailable, subscribers fall back to polling");
  publisher.on("error", warn);
  subscriber.on("error", warn);
  subscriber.subscribe(CHANNEL).catch(warn);
  subscriber.on("message", (_channel: string, projectId: string) => local.notify(projectId));
  return {
    publish(projectId) {
      local.notify(projectId);
      publisher.publish(CHANNEL, projectId).catch(warn);
    },
    listen: (projectId, listener) => local.listen(projectId, listener),
    async close() {
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
