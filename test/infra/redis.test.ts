// The dev Redis started by infra/dev/redis.sh answers, and is the throwaway kind
// the tests expect: no RDB snapshots, no AOF.

import { createRedis, uniquePrefix } from "@riskgate/test-support/services";
import { describe, expect, it } from "vitest";

describe("dev Redis", () => {
  it("answers PING and round-trips a key", async () => {
    const redis = createRedis();
    try {
      expect(await redis.ping()).toBe("PONG");
      const key = `${uniquePrefix("redis-smoke")}k`;
      await redis.set(key, "v", "PX", 10_000);
      expect(await redis.get(key)).toBe("v");
      await redis.del(key);
    } finally {
      await redis.quit();
    }
  });

  it("has persistence off", async () => {
    const redis = createRedis();
    try {
      expect(await redis.config("GET", "save")).toEqual(["save", ""]);
      expect(await redis.config("GET", "appendonly")).toEqual(["appendonly", "no"]);
    } finally {
      await redis.quit();
    }
  });
});
