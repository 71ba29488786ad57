import { Redis } from "ioredis";

/**
 * A Redis client that fails fast: scoring has a latency budget, so a dead Redis must surface as an
 * error within tens of milliseconds (and the caller degrades), not as a queue that waits minutes.
 */
export function createRedisClient(url: string, options: { commandTimeoutMs: number; name: string }): Redis {
  return new Redis(url, {
    connectionName: options.name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: 2_000,
    // Commands issued in the same tick (a score's reads and writes) share one socket write.
    enableAutoPipelining: true,
    // Keep reconnecting in the background, never faster than every 500 ms.
    retryStrategy: (times) => Math.min(times * 100, 500),
  });
}
