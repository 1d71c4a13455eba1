import { useAPQ } from "@graphql-yoga/plugin-apq";
import type { Plugin } from "graphql-yoga";
import { LRUCache } from "lru-cache";

/**
 * Automatic persisted queries (Apollo's protocol, which urql also speaks): a
 * client sends a query's SHA-256 alone and, when this process does not know
 * it (PERSISTED_QUERY_NOT_FOUND), again with the query, which registers it.
 * Anyone may register, before authentication, so the store is bounded in
 * count and in characters: a flood only evicts entries, which their clients
 * register again on their next miss.
 */
export function automaticPersistedQueries(): Plugin {
  const queries = new LRUCache<string, string>({
    max: 1000,
    maxSize: 5_000_000,
    sizeCalculation: (query) => query.length || 1,
  });
  return useAPQ({
    store: {
      get: (hash) => queries.get(hash),
      set: (hash, query) => queries.set(hash, query),
    },
  });
}
