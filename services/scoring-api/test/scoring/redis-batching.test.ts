import type { StandaloneRedisClient } from "@riskgate/common/redis-client";
import { createRedis, redisReady, uniquePrefix } from "@riskgate/test-support/services";
import { afterAll, describe, expect, it } from "vitest";
import { batchedPerTurn } from "../../src/scoring/redis-batching.ts";

const redis = createRedis() as StandaloneRedisClient;
afterAll(() => redis.quit());

const turnEnds = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("batchedPerTurn", () => {
  it("holds the commands of one event-loop turn and sends them together when the turn ends", async () => {
    await redisReady(redis);
    const together = batchedPerTurn(redis);
    const prefix = uniquePrefix("batching");
    const socket = redis.stream;
    // Five checkouts reaching Redis in one turn, one of them from a callback later in the turn.
    const writes = Array.from({ length: 4 }, (_, i) => together(() => redis.set(`${prefix}:${i}`, `v${i}`)));
    await Promise.resolve();
    writes.push(together(() => redis.set(`${prefix}:4`, "v4")));
    expect(socket.writableCorked).toBe(1);
    expect(socket.writableLength).toBeGreaterThan(0);

    await turnEnds();
    expect(socket.writableCorked).toBe(0);
    expect(await Promise.all(writes)).toEqual(["OK", "OK", "OK", "OK", "OK"]);
    expect(await redis.mget(Array.from({ length: 5 }, (_, i) => `${prefix}:${i}`))).toEqual([
      "v0",
      "v1",
      "v2",
      "v3",
      "v4",
    ]);
    expect(await together(() => redis.del(Array.from({ length: 5 }, (_, i) => `${prefix}:${i}`)))).toBe(5);
    expect(socket.writableCorked).toBe(0);
  });

  it("runs the commands as they are without a connected standalone Redis", async () => {
    const offline = createRedis({ lazyConnect: true, enableOfflineQueue: false }) as StandaloneRedisClient;
    const together = batchedPerTurn(offline);
    await expect(together(() => offline.get("anything"))).rejects.toThrow();
    expect(together(() => 42)).toBe(42);
    expect(batchedPerTurn(undefined)(() => "no redis")).toBe("no redis");
    offline.disconnect();
  });
});
