// The TypeScript HyperLogLog must give exactly Redis's PFCOUNT: the memory store and the backfill
// count with it, the Redis store with PFADD/PFCOUNT, and training and serving must agree.

import { createRedis, uniquePrefix } from "@riskgate/test-support/services";
import { afterAll, describe, expect, it } from "vitest";
import { countUnion, HyperLogLog } from "../../src/online/hyperloglog.ts";

const redis = createRedis();
afterAll(() => redis.quit());

async function both(key: string, members: readonly string[]): Promise<HyperLogLog> {
  const hll = new HyperLogLog();
  for (const m of members) hll.add(m);
  for (let i = 0; i < members.length; i += 1_000) await redis.pfadd(key, ...members.slice(i, i + 1_000));
  return hll;
}

describe("HyperLogLog", () => {
  it("estimates exactly what Redis's PFCOUNT does, sparse and dense, ASCII and not", async () => {
    const prefix = uniquePrefix("hll");
    for (const n of [1, 7, 64, 65, 300, 1_500, 4_000, 30_000]) {
      const members = Array.from(
        { length: n },
        (_, i) => `m${i}:${"é名".repeat(i % 3)}${"x".repeat(i % 17)}`,
      );
      const hll = await both(`${prefix}${n}`, members);
      expect({ n, estimate: countUnion([hll]) }).toEqual({
        n,
        estimate: await redis.pfcount(`${prefix}${n}`),
      });
    }
  });

  it("estimates a union as PFCOUNT of several keys does", async () => {
    // One hash tag: a multi-key PFCOUNT must stay on one slot of a Redis Cluster, as the store's
    // HyperLogLog cells of one entity do.
    const prefix = `{${uniquePrefix("hll-union")}}`;
    const a = await both(
      `${prefix}a`,
      Array.from({ length: 5_000 }, (_, i) => `user-${i}`),
    );
    const b = await both(
      `${prefix}b`,
      Array.from({ length: 5_000 }, (_, i) => `user-${i + 2_500}`),
    );
    const c = await both(`${prefix}c`, ["user-1", "only-c"]);
    const expected = await redis.pfcount(`${prefix}a`, `${prefix}b`, `${prefix}c`);
    expect(countUnion([a, b, c])).toBe(expected);
    expect(Math.abs(expected - 7_501) / 7_501).toBeLessThan(0.03);
  });
});
