import { LRUCache } from "lru-cache";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import type { SecretKeyAuth } from "./caller.ts";

/** Keys kept at most, least recently used dropped first: far more than a deployment's backends. */
const MAX_KEYS = 10_000;

/**
 * Secret keys found valid, by the hash of the key, for `seconds` after their
 * lookup: a backend's requests skip the key's statement while it is cached.
 * Only valid keys are kept (an unknown or revoked key is looked up every time),
 * and an entry is never extended by use, so a key is looked up again at least
 * every `seconds`.
 *
 * Revoking a key with `revokeApiKey` empties every cache of that database
 * client in this process, so in-process it stops working at once. Another
 * process (the CLI, another gateway) cannot reach this memory: there a revoked
 * key keeps working until its entry expires, `seconds` at most.
 */
export class SecretKeyCache {
  readonly #entries: LRUCache<string, SecretKeyAuth> | undefined;
  /** Grows on every revocation: a lookup that started before one must not store what it read. */
  #generation = 0;

  constructor(prisma: PrismaClient, seconds: number) {
    if (seconds <= 0) return;
    this.#entries = new LRUCache({ max: MAX_KEYS, ttl: seconds * 1000 });
    const caches = cachesByClient.get(prisma) ?? new Set();
    caches.add(this);
    cachesByClient.set(prisma, caches);
  }

  /** The cached key with this hash, else what `lookup` finds (kept when it is a valid key). */
  async get(hash: string, lookup: () => Promise<SecretKeyAuth>): Promise<SecretKeyAuth> {
    const entries = this.#entries;
    if (!entries) return lookup();
    const cached = entries.get(hash);
    if (cached) return cached;
    const generation = this.#generation;
    const auth = Object.freeze(await lookup());
    if (generation === this.#generation) entries.set(hash, auth);
    return auth;
  }

  forgetAll() {
    this.#generation++;
    this.#entries?.clear();
  }
}

const cachesByClient = new WeakMap<PrismaClient, Set<SecretKeyCache>>();

/** After a key was revoked through `prisma`: every cache of that client forgets every key. */
export function forgetCachedSecretKeys(prisma: PrismaClient) {
  for (const cache of cachesByClient.get(prisma) ?? []) cache.forgetAll();
}
