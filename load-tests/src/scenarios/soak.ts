// A long run at a moderate rate: the API's memory and its p99 must not drift.
import { p99Between } from "../checks.ts";
import { scrape, sumMetric } from "../prometheus.ts";
import type { CheckInput, CheckResult, Scenario } from "../scenario.ts";

const RSS = "riskgate_process_resident_memory_bytes";
const HEAP = "riskgate_nodejs_heap_size_used_bytes";

/** Mean of a sampled value over [from, to) of the run, as a share of its length. */
function meanIn(
  list: readonly { atMs: number; values: Record<string, number> }[],
  key: string,
  from: number,
  to: number,
) {
  const [t0, t1] = [list[0]?.atMs ?? 0, list.at(-1)?.atMs ?? 0];
  const inside = list.filter((s) => s.atMs >= t0 + from * (t1 - t0) && s.atMs < t0 + to * (t1 - t0) + 1);
  return inside.reduce((a, s) => a + (s.values[key] ?? Number.NaN), 0) / inside.length;
}

// The first sixth is warm-up (JIT, pools, heap growth); the second sixth is compared with the last.
function drift(key: string, label: string, limit: number) {
  return {
    name: `${label} does not drift`,
    run: ({ samples }: CheckInput): CheckResult => {
      const list = samples.get("metrics") ?? [];
      const early = meanIn(list, key, 1 / 6, 2 / 6);
      const late = meanIn(list, key, 5 / 6, 1);
      const growth = late / early - 1;
      return {
        name: `${label} does not drift`,
        pass: list.length >= 6 && Number.isFinite(growth) && growth <= limit,
        detail: `${label} ${(early / 2 ** 20).toFixed(0)} MiB -> ${(late / 2 ** 20).toFixed(0)} MiB (${(growth * 100).toFixed(1)} %, limit ${limit * 100} %; ${list.length} samples)`,
      };
    },
  };
}

export const soak = (): Scenario => ({
  name: "soak",
  description: "300/s for 30 min: memory (from /metrics) and p99 must not drift",
  stages: [{ name: "soak", rate: 300, seconds: 1800 }],
  samplers: [
    {
      name: "metrics",
      everySeconds: 10,
      sample: async (ctx) => {
        const text = await scrape(ctx.metricsUrl);
        return { [RSS]: sumMetric(text, RSS), [HEAP]: sumMetric(text, HEAP) };
      },
    },
  ],
  thresholds: ["p99<50ms", "errors=0", "status5xx=0", "dropped=0"],
  checks: [
    drift(RSS, "resident memory", 0.15),
    drift(HEAP, "heap used", 0.25),
    {
      name: "p99 does not drift",
      run: ({ outcomes }) => {
        const [t0, t1] = [outcomes[0]?.atMs ?? 0, outcomes.at(-1)?.atMs ?? 0];
        const at = (f: number) => t0 + f * (t1 - t0);
        const early = p99Between(outcomes, at(1 / 6), at(2 / 6));
        const late = p99Between(outcomes, at(5 / 6), at(1) + 1);
        return {
          name: "p99 does not drift",
          pass: late <= early * 1.5 + 2,
          detail: `p99 ${early.toFixed(1)} ms (second sixth) -> ${late.toFixed(1)} ms (last sixth); limit 1.5x + 2 ms`,
        };
      },
    },
  ],
});
