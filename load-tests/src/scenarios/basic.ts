// The traffic-shape scenarios: steady, spike, hot-entity.
import { percentile } from "../results.ts";
import type { Scenario } from "../scenario.ts";

export const steady = (): Scenario => ({
  name: "steady",
  description: "1,000 checkouts/s for 60 s: the issue-15 latency target",
  stages: [
    { name: "warm-up", rate: 1000, seconds: 5, warmup: true },
    { name: "steady", rate: 1000, seconds: 60 },
  ],
  thresholds: ["p99<10ms", "p99.9<25ms", "errors=0", "status5xx=0", "dropped=0"],
});

// The issue-15 attack wave: every checkout is one the model flags, so each computes an explanation and
// touches the review budget and queue; the bench holds it to 8x the floor, this run to the budget.
export const flagged = (): Scenario => ({
  name: "flagged",
  description: "1,000 checkouts/s for 60 s, every one flagged for review (an attack wave)",
  stages: [
    { name: "warm-up", rate: 1000, seconds: 5, warmup: true, traffic: { flagged: true } },
    { name: "flagged", rate: 1000, seconds: 60, traffic: { flagged: true } },
  ],
  thresholds: ["p99<200ms", "errors=0", "status5xx=0", "dropped=0"],
});

export const spike = (): Scenario => ({
  name: "spike",
  description: "200/s, then 3,000/s for 20 s (3x capacity), then 200/s: shed, answer fast, recover",
  stages: [
    { name: "before", rate: 200, seconds: 20 },
    { name: "spike", rate: 3000, seconds: 20 },
    { name: "after", rate: 200, seconds: 30 },
  ],
  // 503 + Retry-After is allowed above capacity (counted in the codes); a hang or reset is not.
  thresholds: ["p99<200ms", "errors=0"],
  checks: [
    {
      name: "recovers within 5 s after the spike",
      run: ({ outcomes }) => {
        const after = outcomes.filter((o) => o.stage === "after");
        const t0 = after.reduce((m, o) => Math.min(m, o.atMs), Number.POSITIVE_INFINITY);
        const late = after.filter((o) => o.atMs >= t0 + 5000);
        const bad = late.filter((o) => o.code !== 200).length;
        const p99 = percentile(Float64Array.from(late, (o) => o.latencyMs).sort(), 99);
        return {
          name: "recovers within 5 s after the spike",
          pass: late.length > 0 && bad === 0 && p99 < 50,
          detail: `from 5 s after the spike: ${late.length} requests, ${bad} not 200, p99 ${p99.toFixed(1)} ms (limit 50 ms)`,
        };
      },
    },
  ],
});

export const hotEntity = (): Scenario => ({
  name: "hot-entity",
  description: "a card-testing burst of 500/s on one card and one IP beside 500/s of normal traffic, 60 s",
  stages: [{ name: "hot", rate: 1000, seconds: 60, traffic: { hotShare: 0.5 } }],
  thresholds: ["p99<10ms", "p99.9<25ms", "errors=0", "status5xx=0", "dropped=0"],
  checks: [
    {
      // Half the traffic is one card testing small amounts: the velocity rules must stop most of it.
      name: "the burst is stopped",
      run: ({ outcomes }) => {
        const answered = outcomes.filter((o) => o.decision !== null);
        const stopped = answered.filter((o) => o.decision !== "allow").length / Math.max(1, answered.length);
        return {
          name: "the burst is stopped",
          pass: stopped >= 0.4,
          detail: `${(stopped * 100).toFixed(1)} % of answers review or block (at least 40 %: the burst is half the traffic)`,
        };
      },
    },
  ],
});
