import { describe, expect, it } from "vitest";
import { degradedAction, expectedLoss, modelAction, overflowAction } from "../../src/decision/policy.ts";
import { planReview, settleReview, settleWithoutCase } from "../../src/decision/review-capacity.ts";
import type { PolicyCosts } from "../../src/decision/types.ts";

// The seed cost model: FN = 20 x FP at a 288 EUR median, so decline = (288 + 25) / 20 = 15.65.
const COSTS: PolicyCosts = {
  chargebackFeeEur: 25,
  reviewCostEur: 4,
  declineCostEur: 15.65,
  reviewMinExpectedLossEur: 6,
};

describe("expected-loss policy", () => {
  it("computes the loss of allowing and of blocking", () => {
    const l = expectedLoss(0.1, 175, COSTS);
    expect(l.allow).toBeCloseTo(0.1 * 200, 12);
    expect(l.block).toBeCloseTo(0.9 * 15.65, 12);
  });

  // p, amount, expected action, why
  const table: [number, number, string, string][] = [
    [0, 10_000, "allow", "p = 0: nothing to lose by allowing"],
    [0.001, 80, "allow", "0.105 EUR expected loss, under the review minimum"],
    [0.001, 5_975, "review", "exactly 6.00 EUR: the minimum reviews (>=)"],
    [0.001, 5_974, "allow", "just under the review minimum"],
    [0.02, 3_000, "review", "60.5 EUR to lose, blocking loses 15.34 > the review cost"],
    [0.02, 80, "allow", "2.1 EUR to lose"],
    [0.75, 80, "block", "blocking loses 3.9125 <= min(78.75, 4)"],
    [0.744, 80, "review", "blocking loses 4.007 > the review cost"],
    [0.9, 1, "block", "blocking loses 1.565 <= min(23.4, 4)"],
    [0.99, 0, "block", "blocking loses 0.1565 <= min(24.75, 4)"],
    [1, 0, "block", "a certain fraud is blocked whatever the amount"],
  ];
  it.each(table)("p=%s on %s EUR -> %s (%s)", (p, amount, action) => {
    expect(modelAction(expectedLoss(p, amount, COSTS), COSTS)).toBe(action);
  });

  it("decides differently on 3,000 EUR and 80 EUR at the same probability", () => {
    const big = modelAction(expectedLoss(0.02, 3_000, COSTS), COSTS);
    const small = modelAction(expectedLoss(0.02, 80, COSTS), COSTS);
    expect([big, small]).toEqual(["review", "allow"]);
  });

  it("blocks only where blocking loses no more than allowing", () => {
    for (let p = 0; p <= 1; p += 0.01) {
      for (const amount of [0, 5, 80, 300, 3_000, 20_000]) {
        const l = expectedLoss(p, amount, COSTS);
        if (modelAction(l, COSTS) === "block") {
          expect(l.block).toBeLessThanOrEqual(l.allow);
          expect(l.block).toBeLessThanOrEqual(COSTS.reviewCostEur);
        }
      }
    }
  });

  it("sends an overflowing review to the cheaper of block and allow", () => {
    expect(overflowAction(expectedLoss(0.05, 3_000, COSTS))).toBe("block"); // 151.25 vs 14.87
    expect(overflowAction(expectedLoss(0.05, 200, COSTS))).toBe("allow"); // 11.25 vs 14.87
  });
});

describe("review capacity and exploration (pure steps)", () => {
  const loss = (p: number, amount: number) => expectedLoss(p, amount, COSTS);

  it("keeps a review while the budget has room", () => {
    const plan = planReview({ decision: "review", loss: loss(0.05, 3_000), explorable: false }, 0, 1);
    expect(settleReview(plan, true, "expected_loss", 10)).toEqual({
      decision: "review",
      exploration: false,
      propensity: 1,
      overflowed: false,
    });
  });

  it("overflows by expected loss, or by the operator's override, with a reason naming the budget", () => {
    const high = planReview({ decision: "review", loss: loss(0.05, 3_000), explorable: false }, 0, 1);
    const low = planReview({ decision: "review", loss: loss(0.05, 200), explorable: false }, 0, 1);
    const h = settleReview(high, false, "expected_loss", 7);
    expect(h).toMatchObject({ decision: "block", overflowed: true });
    expect(h.reason?.code).toBe("REVIEW_CAPACITY_SPENT");
    expect(h.reason?.detail).toContain("daily review budget of 7 spent: block");
    expect(settleReview(low, false, "expected_loss", 7).decision).toBe("allow");
    expect(settleReview(high, false, "allow", 7).decision).toBe("allow");
    expect(settleReview(low, false, "block", 7).decision).toBe("block");
  });

  it("blocks an overflowing review that a rule with overflow: block asked for, whatever its expected loss", () => {
    const cheap = { decision: "review" as const, loss: loss(0.001, 20), explorable: false };
    const plan = planReview({ ...cheap, overflowBlock: "R-REVIEW-STRICT" }, 0, 1);
    const settled = settleReview(plan, false, "expected_loss", 3);
    expect(settled).toMatchObject({ decision: "block", overflowed: true });
    expect(settled.reason?.detail).toBe(
      "daily review budget of 3 spent: block (R-REVIEW-STRICT blocks what it cannot send to review)",
    );
    expect(settleWithoutCase(plan, "expected_loss").decision).toBe("block");
    // the same checkout without the rule is a cheap allow; with room it stays a review
    expect(settleReview(planReview(cheap, 0, 1), false, "expected_loss", 3).decision).toBe("allow");
    expect(settleReview(plan, true, "expected_loss", 3).decision).toBe("review");
    // an operator's REVIEW_OVERFLOW_ACTION overrides every overflow, this one included
    expect(settleReview(plan, false, "allow", 3).decision).toBe("allow");
  });

  it("blocks an overflowing review that no model scored (nothing to rank by)", () => {
    const plan = planReview({ decision: "review", loss: null, explorable: false }, 0.5, 0);
    expect(settleReview(plan, false, "expected_loss", 1).decision).toBe("block");
  });

  it("explores a share of would-be allows with its propensity, and never what the policy would not allow", () => {
    const allow = { decision: "allow" as const, loss: loss(0.001, 80), explorable: true };
    expect(planReview(allow, 0.1, 0.05)).toMatchObject({
      decision: "review",
      exploration: true,
      propensity: 0.1,
    });
    expect(planReview(allow, 0.1, 0.5)).toMatchObject({
      decision: "allow",
      exploration: false,
      propensity: 0.9,
    });
    expect(planReview(allow, 0, 0)).toMatchObject({ decision: "allow", exploration: false, propensity: 1 });
    for (const decision of ["review", "block"] as const) {
      const plan = planReview({ decision, loss: loss(0.9, 80), explorable: false }, 0.5, 0);
      expect(plan).toEqual({ decision, loss: loss(0.9, 80), exploration: false, propensity: 1 });
      expect(settleReview(plan, true, "expected_loss", 1).decision).toBe(decision);
    }
  });

  it("leaves an explored checkout allowed when the budget is spent (exploration never blocks)", () => {
    const plan = planReview({ decision: "allow", loss: loss(0.2, 10), explorable: true }, 0.5, 0.1);
    expect(settleReview(plan, false, "expected_loss", 1)).toEqual({
      decision: "allow",
      exploration: false,
      propensity: 0.5,
      overflowed: false,
    });
  });
});

describe("fail-safe steps", () => {
  const degraded = { reviewAboveEur: 500, blockAboveEur: 3_000 };

  it.each([
    [0, "allow"],
    [499.99, "allow"],
    [500, "review"],
    [2_999.99, "review"],
    [3_000, "block"],
    [250_000, "block"],
  ])("a degraded checkout of %s EUR -> %s (no allow-everything window)", (amount, action) => {
    expect(degradedAction(amount, degraded)).toBe(action);
  });

  it("a review whose case cannot be opened takes the overflow action and says why", () => {
    // 6.5 EUR to lose by allowing, 15.34 by blocking: the cheaper answer is allow.
    const loss = expectedLoss(0.02, 300, COSTS);
    const scored = planReview({ decision: "review", loss, explorable: false }, 0, 1);
    expect(settleWithoutCase(scored, "expected_loss")).toMatchObject({
      decision: "allow",
      overflowed: true,
      reason: { code: "REVIEW_CASE_UNAVAILABLE" },
    });
    const unscored = planReview({ decision: "review", loss: null, explorable: false }, 0, 1);
    const s = settleWithoutCase(unscored, "expected_loss");
    expect(s.decision).toBe("block");
    expect(s.reason?.detail).toMatch(/could not be opened: block \(no model score to rank by\)/);
    expect(settleWithoutCase(scored, "block").decision).toBe("block");
  });
});
