import { METRIC_PREFIX } from "@riskgate/common/metrics";
import { Gauge, Histogram, type Registry } from "prom-client";
import type { Monitoring } from "../model/manifest.ts";
import { DriftWindow, type FeatureReference } from "./drift-window.ts";

/** What the scoring path calls: one observation per checkout whose features were read. */
export interface DriftMonitor {
  observe(values: readonly number[], score: number | null): void;
}

const SCORE_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.8, 0.95];
const SLICES = 12;

/**
 * Drift of the served features and scores against the champion's training distributions (manifest
 * `monitoring`), exported as gauges computed at scrape time from a sliding window: one series per
 * feature, never per request. A model without `monitoring` still reports each feature's default
 * share (the definitions know the defaults) and `riskgate_drift_reference 0` ("no reference").
 */
export function createDriftMonitor(opts: {
  registry: Registry;
  /** The model's features in input order, with the value each serves when its input is absent. */
  specs: readonly { readonly name: string; readonly default: number; readonly growsWithAge?: true }[];
  model: { version: string; monitoring: Monitoring | undefined };
  windowMs: number;
  now: () => number;
}): DriftMonitor {
  const mon = opts.model.monitoring;
  const references: FeatureReference[] = opts.specs.map((spec) => {
    const m = mon?.features[spec.name];
    return {
      name: spec.name,
      defaultValue: m ? m.default_value : spec.default,
      defaultShareTrain: m ? m.default_share : null,
      bins: m ? { edges: m.edges, trainShare: m.train_share } : null,
    };
  });
  const window = new DriftWindow({
    features: references,
    score: mon ? { edges: mon.score.edges, trainShare: mon.score.train_share } : null,
    windowMs: opts.windowMs,
    slices: SLICES,
  });
  const r = [opts.registry];
  const snapshot = () => window.snapshot(opts.now());

  new Gauge({
    name: `${METRIC_PREFIX}drift_reference`,
    help: "1 when the champion's manifest carries training distributions to measure drift against, 0 when it has none (no PSI then)",
    labelNames: ["model_version"] as const,
    registers: r,
  }).set({ model_version: opts.model.version }, mon ? 1 : 0);
  new Gauge({
    name: `${METRIC_PREFIX}drift_window_checkouts`,
    help: "Checkouts in the drift window (features read from the store)",
    registers: r,
    collect() {
      this.set(snapshot().checkouts);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}feature_default_share`,
    help: "Share of checkouts in the drift window whose feature was at its default value (a silent stream drives it up)",
    labelNames: ["feature"] as const,
    registers: r,
    collect() {
      for (const f of snapshot().features) this.set({ feature: f.name }, f.defaultShare);
    },
  });
  const train = new Gauge({
    name: `${METRIC_PREFIX}feature_default_share_train`,
    help: "Share of the champion's training rows at the feature's default value",
    labelNames: ["feature"] as const,
    registers: r,
  });
  for (const f of references) {
    if (f.defaultShareTrain !== null) train.set({ feature: f.name }, f.defaultShareTrain);
  }
  new Gauge({
    name: `${METRIC_PREFIX}feature_psi`,
    help: "Population stability index of the feature over the drift window against the champion's training bins",
    labelNames: ["feature"] as const,
    registers: r,
    collect() {
      this.reset();
      for (const f of snapshot().features) if (f.psi !== null) this.set({ feature: f.name }, f.psi);
    },
  });
  // Static: which features' PSI rises with the model's age by construction (lifetime counters and
  // ages), so that RiskgateFeatureDrift can leave them out without naming features in the rules.
  const grows = new Gauge({
    name: `${METRIC_PREFIX}feature_grows_with_age`,
    help: "1 for a feature that is a lifetime counter or an age: its PSI against training rises as entities age, so no drift alert on it (its default share is still watched)",
    labelNames: ["feature"] as const,
    registers: r,
  });
  for (const spec of opts.specs) if (spec.growsWithAge) grows.set({ feature: spec.name }, 1);
  new Gauge({
    name: `${METRIC_PREFIX}score_psi`,
    help: "Population stability index of the champion's calibrated score over the drift window against training",
    // Labelled so that a model without a reference exports no series rather than an unlabelled 0.
    labelNames: ["model_version"] as const,
    registers: r,
    collect() {
      this.reset();
      const s = snapshot();
      if (s.scorePsi !== null) this.set({ model_version: opts.model.version }, s.scorePsi);
    },
  });
  const scores = new Histogram({
    name: `${METRIC_PREFIX}model_score`,
    help: "Calibrated fraud probability served by the champion",
    buckets: SCORE_BUCKETS,
    registers: r,
  });

  return {
    observe(values, score) {
      window.observe(values, score, opts.now());
      if (score !== null) scores.observe(score);
    },
  };
}
