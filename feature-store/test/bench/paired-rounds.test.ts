// bench:store's arithmetic: the orders its rounds measure the levels in, and the flatness read as
// ratios within each round, which a drift that moves a whole round leaves unchanged.

import { describe, expect, it } from "vitest";
import { levelSpread, median, roundOrders } from "../../bench/paired-rounds.ts";

describe("round orders", () => {
  it("measures every level once per round, and every level in every position once per cycle", () => {
    const orders = roundOrders(4, 12, 1);
    expect(orders).toHaveLength(12);
    for (const order of orders) expect([...order].sort()).toEqual([0, 1, 2, 3]);
    for (let cycle = 0; cycle < 3; cycle++) {
      const rounds = orders.slice(cycle * 4, cycle * 4 + 4);
      for (let position = 0; position < 4; position++) {
        expect(rounds.map((o) => o[position]).sort()).toEqual([0, 1, 2, 3]);
      }
    }
  });

  it("replays from its seed, and another seed gives other orders", () => {
    expect(roundOrders(4, 15, 7)).toEqual(roundOrders(4, 15, 7));
    expect(roundOrders(4, 15, 7)).not.toEqual(roundOrders(4, 15, 8));
    // Cycles are shuffled afresh, not one order rotated for ever.
    const cycles = roundOrders(5, 50, 3).filter((_, r) => r % 5 === 0);
    expect(new Set(cycles.map((o) => o.join())).size).toBeGreaterThan(1);
  });
});

describe("level spread", () => {
  it("takes the medians of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("reads each level against its own round: the levels' own costs come through a drift", () => {
    const base = [10, 11, 12];
    const drift = [1, 1.6, 0.7, 1, 1.3];
    const spread = levelSpread(drift.map((d) => base.map((c) => c * d)));
    expect(spread.pairedFlatness).toBeCloseTo(12 / 10, 10);
    expect(spread.medianRatios).toEqual([10 / 11, 1, 12 / 11].map((v) => expect.closeTo(v, 10)));
    expect(spread.medians).toEqual([10, 11, 12].map((v) => expect.closeTo(v, 10)));
  });

  it("outvotes a stall in a fast round, which moves the plain medians", () => {
    // Three levels of equal cost over rounds that drift 1x, 2x, 3x; a stall hits the first level's
    // slice in the fast round (25 for 10), which then becomes that level's median.
    const costs = [
      [25, 10, 10],
      [20, 20, 20],
      [30, 30, 30],
    ];
    const spread = levelSpread(costs);
    expect(spread.medians).toEqual([25, 20, 20]);
    expect(spread.plainFlatness).toBe(1.25);
    expect(spread.pairedFlatness).toBe(1);
  });

  it("finds a level that costs more in the same rounds, and refuses a round missing a level", () => {
    const costs = [
      [10, 10, 20],
      [30, 30, 60],
      [5, 5, 10],
    ];
    expect(levelSpread(costs).pairedFlatness).toBe(2);
    expect(() => levelSpread([[1, 2], [3]])).toThrow(RangeError);
  });
});
