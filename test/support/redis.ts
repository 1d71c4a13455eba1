import { Redis } from "ioredis";

/** Why Redis cannot be used, or undefined when it answers PING. */
export async function unreachable(url: string): Promise<string | undefined> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${url} does not answer (${(error as Error).message})`;
  } finally {
    redis.disconnect();
  }
}
