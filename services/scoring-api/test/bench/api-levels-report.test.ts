// When bench:api-levels calls the levels' answers comparable: the same path at every level.
import { describe, expect, it } from "vitest";
import { answersComparable } from "../../bench/api-levels-report.ts";

const LEVELS = [10, 1_000_000];

describe("answersComparable", () => {
  it("accepts levels that answer alike on the normal path, within 2 points of each other", () => {
    const v = answersComparable(LEVELS, [
      { "normal/allow": 990, "normal/review": 10 },
      { "normal/allow": 975, "normal/review": 25 },
    ]);
    expect(v).toEqual({ comparable: true, why: "every level ≥ 98.0 % normal, shares within 2 points" });
  });

  it("refuses levels one of which is all review and the other all allow, naming the answer and the levels", () => {
    const v = answersComparable(LEVELS, [{ "normal/allow": 1000 }, { "normal/review": 1000 }]);
    expect(v.comparable).toBe(false);
    expect(v.why).toContain(
      "normal/allow is 0.0 % of the 1,000,000-event level's answers and 100.0 % of the 10-event level's",
    );
    expect(v.why).toContain(
      "normal/review is 0.0 % of the 10-event level's answers and 100.0 % of the 1,000,000-event level's",
    );
  });

  it("refuses levels that all answered degraded alike: no features read, not the path the target is about", () => {
    const v = answersComparable(LEVELS, [{ "degraded/allow": 1000 }, { "degraded/allow": 1000 }]);
    expect(v.comparable).toBe(false);
    expect(v.why).toBe(
      "the 10-event level is in normal mode on 0.0 % only; the 1,000,000-event level is in normal mode on 0.0 % only",
    );
  });

  it("counts errors as answers of their own", () => {
    const v = answersComparable(LEVELS, [{ "normal/allow": 1000 }, { "normal/allow": 950, "http 503": 50 }]);
    expect(v.comparable).toBe(false);
    expect(v.why).toContain(
      "http 503 is 0.0 % of the 10-event level's answers and 5.0 % of the 1,000,000-event level's",
    );
  });
});
