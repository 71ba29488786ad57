// The console's rates and latency quantiles come from per-second samples of the counters the
// scoring path keeps: differences over a window, a fixed-size ring, histogram_quantile's estimate.

import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { LiveSampler, quantile } from "../../src/console/live-sampler.ts";

function metrics() {
  const registers = [new Registry()];
  return {
    decisions: new Counter({
      name: "d",
      help: "d",
      labelNames: ["decision", "mode", "role"] as const,
      registers,
    }),
    scoreDuration: new Histogram({
      name: "s",
      help: "s",
      labelNames: ["mode", "decision"] as const,
      buckets: [0.001, 0.002, 0.005, 0.01],
      registers,
    }),
    ruleHits: new Counter({
      name: "r",
      help: "r",
      labelNames: ["rule", "action", "shadow"] as const,
      registers,
    }),
  };
}

describe("quantile of a histogram delta", () => {
  it("interpolates inside the bucket holding the rank, like histogram_quantile", () => {
    // 10 observations: 4 at or below 1 ms, 4 more at or below 2 ms, 2 more at or below 5 ms.
    const h = new Map([
      [0.001, 4],
      [0.002, 8],
      [0.005, 10],
      [Number.POSITIVE_INFINITY, 10],
    ]);
    expect(quantile(h, 0.5)).toBeCloseTo(0.00125, 6);
    expect(quantile(h, 0.99)).toBeCloseTo(0.002 + (0.003 * (9.9 - 8)) / 2, 6);
    expect(quantile(h, 0.2)).toBeCloseTo(0.0005, 6);
  });

  it("is null without observations and the largest finite bound past it", () => {
    expect(quantile(new Map([[Number.POSITIVE_INFINITY, 0]]), 0.5)).toBeNull();
    const slow = new Map([
      [0.001, 0],
      [0.01, 0],
      [Number.POSITIVE_INFINITY, 3],
    ]);
    expect(quantile(slow, 0.99)).toBe(0.01);
  });
});

describe("LiveSampler", () => {
  it("reports counts over the window ending now, and per-second rates from the ring", async () => {
    const m = metrics();
    let t = 0;
    const sampler = new LiveSampler({ metrics: m, keepSeconds: 5, clock: () => t });
    for (let s = 0; s < 12; s++) {
      m.decisions.inc({ decision: "allow", mode: "normal", role: "champion" }, 10);
      if (s % 2 === 0) m.decisions.inc({ decision: "review", mode: "degraded", role: "champion" }, 1);
      m.scoreDuration.observe({ mode: "normal", decision: "allow" }, 0.0015);
      m.ruleHits.inc({ rule: "r1", action: "review", shadow: "false" });
      await sampler.tick();
      t += 1000;
    }
    // The ring holds keepSeconds + 1 samples, whatever ran before.
    expect(sampler.samples()).toHaveLength(6);
    // Series over the ring (seconds 7-11): 10 allows each, plus a review in the even seconds.
    expect(sampler.perSecond()).toEqual([10, 11, 10, 11, 10]);

    t -= 1000; // "now" is the last sample's time
    const { delta, current } = await sampler.window(3);
    expect(delta.seconds).toBe(3);
    expect(delta.decisions.get("allow|normal|champion")).toBe(30);
    expect(delta.decisions.get("review|degraded|champion")).toBe(1);
    expect(delta.rules.get("r1|review|false")).toBe(3);
    expect(delta.latency.get(Number.POSITIVE_INFINITY)).toBe(3);
    // Totals since start, whatever the ring forgot.
    expect(current.decisions.get("allow|normal|champion")).toBe(120);
    expect(current.rules.get("r1|review|false")).toBe(12);
  });

  it("covers what it has right after start, and nothing before the first sample", async () => {
    const m = metrics();
    const sampler = new LiveSampler({ metrics: m, keepSeconds: 60, clock: () => 0 });
    const { delta } = await sampler.window(10);
    expect(delta.seconds).toBe(0);
    expect(sampler.perSecond()).toEqual([]);
  });
});
