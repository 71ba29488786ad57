import type { Action, PipelineResult } from "../decision/types.ts";
import type { DriftMonitor } from "../drift/drift-metrics.ts";
import type { ApiMetrics } from "../metrics.ts";

const STAGES = ["features", "rules", "model", "policy"] as const;

/** One scored checkout's metrics: decision tallies, durations, rule hits, missing and stale features, drift. */
export class ScoreMetrics {
  // Bound histogram children: one map lookup per observation instead of hashing a label object.
  private readonly durations = new Map<string, { observe(seconds: number): void }>();
  private readonly metrics: ApiMetrics;
  private readonly drift: DriftMonitor;

  constructor(metrics: ApiMetrics, drift: DriftMonitor) {
    this.metrics = metrics;
    this.drift = drift;
  }

  observe(
    response: { decision: Action; mode: PipelineResult["mode"] },
    result: PipelineResult,
    role: string,
    seconds: number,
  ) {
    const m = this.metrics;
    const { decision, mode } = response;
    m.decisions.tally(decision, mode, role).inc();
    bound(this.durations, `${mode}|${decision}`, () => m.scoreDuration.labels(mode, decision)).observe(
      seconds,
    );
    for (const stage of STAGES) {
      bound(this.durations, stage, () => m.stageDuration.labels(stage)).observe(result.timings[stage] / 1000);
    }
    for (const r of result.rules) m.ruleHits.tally(r.id, r.action, String(r.shadow)).inc();
    // A failed or skipped feature read serves every default: an outage or overload (each has its own
    // metrics), neither absent entities nor drift.
    if (result.degradedBecause === "features" || result.degradedBecause === "overload") return;
    for (const f of result.missing) m.featuresMissing.tally(f).inc();
    for (const f of result.stale) m.featuresStale.tally(f).inc();
    this.drift.observe(result.features, role === "champion" ? result.score : null);
  }
}

function bound<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let child = cache.get(key);
  if (child === undefined) {
    child = make();
    cache.set(key, child);
  }
  return child;
}
