import { describe, expect, it } from "vitest";
import { binOf, DriftWindow, psi } from "../../src/drift/drift-window.ts";

const MIN = 60_000;

function window() {
  return new DriftWindow({
    features: [
      // Logins in the last hour: 10 % of training rows had none (the default).
      {
        name: "logins",
        defaultValue: 0,
        defaultShareTrain: 0.1,
        bins: { edges: [1, 3], trainShare: [0.1, 0.5, 0.4] },
      },
      { name: "no_reference", defaultValue: -1, defaultShareTrain: null, bins: null },
    ],
    score: { edges: [0.01, 0.1], trainShare: [0.8, 0.15, 0.05] },
    windowMs: 60 * MIN,
    slices: 12,
  });
}

describe("drift window", () => {
  it("bins like numpy.searchsorted(side='right')", () => {
    expect([0, 0.99, 1, 2, 3, 100].map((x) => binOf([1, 3], x))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(binOf([], 5)).toBe(0);
  });

  it("gives PSI 0 on the training distribution and more than 0.25 on a shifted one", () => {
    expect(psi([10, 50, 40], 0, [0.1, 0.5, 0.4], 100)).toBeCloseTo(0, 12);
    expect(psi([100, 0, 0], 0, [0.1, 0.5, 0.4], 100)).toBeGreaterThan(0.25);
  });

  it("reports default share and PSI over the window, and no PSI without a reference", () => {
    const w = window();
    const t = 1_000 * 60 * MIN;
    for (let i = 0; i < 100; i++) w.observe([i < 10 ? 0 : i < 60 ? 2 : 5, -1], 0.001, t);
    const s = w.snapshot(t);
    expect(s.checkouts).toBe(100);
    expect(s.features[0]).toEqual({ name: "logins", defaultShare: 0.1, psi: expect.closeTo(0, 12) });
    expect(s.features[1]).toEqual({ name: "no_reference", defaultShare: 1, psi: null });
    expect(s.scorePsi).toBeGreaterThan(0.25); // every score in the lowest bin (80 % in training)
  });

  it("moves when a stream goes silent and forgets it once the window has passed", () => {
    const w = window();
    const t = 1_000 * 60 * MIN;
    for (let i = 0; i < 100; i++) w.observe([i < 10 ? 0 : 2, 0], null, t);
    const before = w.snapshot(t).features[0];
    // The login stream stops: every checkout sees no logins for 30 minutes.
    for (let m = 1; m <= 30; m++) for (let i = 0; i < 10; i++) w.observe([0, 0], null, t + m * MIN);
    const silent = w.snapshot(t + 30 * MIN).features[0];
    expect(before?.defaultShare).toBe(0.1);
    expect(silent?.defaultShare).toBeCloseTo((10 + 300) / 400, 12);
    expect(silent?.psi).toBeGreaterThan(0.25);
    // An hour after the last silent checkout, the window holds only what came since.
    w.observe([2, 0], null, t + 95 * MIN);
    const later = w.snapshot(t + 95 * MIN);
    expect(later.checkouts).toBe(1);
    expect(later.features[0]?.defaultShare).toBe(0);
  });

  it("counts only the last window, however much traffic came before", () => {
    const w = window();
    const t = 1_000 * 60 * MIN;
    for (let i = 0; i < 50_000; i++) w.observe([i % 7, 0], (i % 100) / 100, t + i * 1_000);
    const s = w.snapshot(t + 50_000 * 1_000);
    // 60 minutes of one checkout a second, whatever came before (slices of 5 minutes).
    expect(s.checkouts).toBeGreaterThanOrEqual(55 * 60);
    expect(s.checkouts).toBeLessThanOrEqual(60 * 60);
  });
});
