// Every approximate feature stays within the error bound written next to its definition, against
// exact counts of the same events, on a small simulated world (npm run bench:error-bounds runs the
// same check on a bigger one).

import { type Generated, generate } from "@riskgate/test-support/simulated-world";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkErrorBounds, type FeatureBoundReport } from "../../src/backfill/error-bounds.ts";
import { FeatureSet } from "../../src/definitions/feature-set.ts";
import { FEATURES } from "../../src/definitions/features.ts";

const features = new FeatureSet(FEATURES);
let world: Generated;
let report: Record<string, FeatureBoundReport>;

beforeAll(async () => {
  world = await generate({ seed: 11, days: 4, checkoutsPerDay: 300, validate: false });
  report = await checkErrorBounds(world.dir, features);
}, 240_000);
afterAll(() => world?.cleanup());

describe("approximate features against exact counts", () => {
  it("checks every feature that states an error bound, on every checkout", () => {
    const bounded = features.specs.filter((s) => s.errorBound !== undefined).map((s) => s.name);
    expect(Object.keys(report).sort()).toEqual(bounded.sort());
    expect(bounded.length).toBeGreaterThan(20);
    for (const r of Object.values(report)) expect(r.checked).toBe(world.summary.checkouts);
  });

  it("finds no value outside its bound, and some bucketed counts that differ from the exact ones", () => {
    const violations = Object.entries(report).filter(([, r]) => r.violations > 0);
    expect(violations).toEqual([]);
    expect(report.host_checkouts_24h?.approximate).toBeGreaterThan(0);
  });
});
