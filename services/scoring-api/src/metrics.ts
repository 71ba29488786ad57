import { METRIC_PREFIX } from "@riskgate/common/metrics";
import { Counter, type CounterConfiguration, Gauge, Histogram, type Registry } from "prom-client";

const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.2, 0.5, 1,
];

/** Every label set is bounded: modes, decisions, stages, rule ids and feature names are finite. */
export function createApiMetrics(registry: Registry) {
  const r = [registry];
  return {
    scoreDuration: new Histogram({
      name: `${METRIC_PREFIX}score_duration_seconds`,
      help: "Time to score a checkout (first attempts; retries answered from the idempotency store are not timed), by mode and decision",
      labelNames: ["mode", "decision"] as const,
      buckets: LATENCY_BUCKETS,
      registers: r,
    }),
    stageDuration: new Histogram({
      name: `${METRIC_PREFIX}score_stage_duration_seconds`,
      help: "Time spent per pipeline stage",
      labelNames: ["stage"] as const,
      buckets: LATENCY_BUCKETS,
      registers: r,
    }),
    decisions: talliedCounter({
      name: `${METRIC_PREFIX}decisions_total`,
      help: "Decisions returned, by decision, mode and deciding model role",
      labelNames: ["decision", "mode", "role"] as const,
      registers: r,
    }),
    ruleHits: talliedCounter({
      name: `${METRIC_PREFIX}rule_hits_total`,
      help: "Rules that matched, active and shadow",
      labelNames: ["rule", "action", "shadow"] as const,
      registers: r,
    }),
    eventsRefused: new Counter({
      name: `${METRIC_PREFIX}events_refused_total`,
      help: "Request bodies refused by the event contracts and admission (reason: error code, e.g. event_in_future)",
      labelNames: ["reason"] as const,
      registers: r,
    }),
    idempotentReplays: new Counter({
      name: `${METRIC_PREFIX}idempotent_replays_total`,
      help: "Retried checkouts answered from the stored decision",
      registers: r,
    }),
    idempotencyConflicts: new Counter({
      name: `${METRIC_PREFIX}idempotency_conflicts_total`,
      help: "Same event_id with a different body (409)",
      registers: r,
    }),
    reviewOverflow: new Counter({
      name: `${METRIC_PREFIX}review_overflow_total`,
      help: "Checkouts bound for review that got the overflow action because the daily budget was spent",
      labelNames: ["action"] as const,
      registers: r,
    }),
    reviewCaseUnavailable: new Counter({
      name: `${METRIC_PREFIX}review_case_unavailable_total`,
      help: "Checkouts bound for review whose case could not be opened; they got the overflow action",
      labelNames: ["action"] as const,
      registers: r,
    }),
    reviewCasesOpened: new Counter({
      name: `${METRIC_PREFIX}review_cases_opened_total`,
      help: "Review cases opened",
      registers: r,
    }),
    dependencyErrors: new Counter({
      name: `${METRIC_PREFIX}dependency_errors_total`,
      help: "Failures of a dependency on the scoring path, by dependency and step",
      labelNames: ["dependency"] as const,
      registers: r,
    }),
    decisionsDropped: new Counter({
      name: `${METRIC_PREFIX}decisions_dropped_total`,
      help: "Decision records not published to Kafka (buffer full, Kafka away, or no Kafka configured)",
      labelNames: ["reason"] as const,
      registers: r,
    }),
    shadowScores: new Counter({
      name: `${METRIC_PREFIX}shadow_scores_total`,
      help: "Shadow model scores, and whether their decision differed from the served one",
      labelNames: ["model_version", "agrees"] as const,
      registers: r,
    }),
    featureStoreEvictions: new Counter({
      name: `${METRIC_PREFIX}feature_store_evictions_total`,
      help: "Entities the in-memory feature store forgot to stay within MEMORY_STORE_MAX_ENTITIES",
      registers: r,
    }),
    featuresMissing: talliedCounter({
      name: `${METRIC_PREFIX}features_missing_total`,
      help: "Features served their default because the entity or input was absent",
      labelNames: ["feature"] as const,
      registers: r,
    }),
    featuresStale: talliedCounter({
      name: `${METRIC_PREFIX}features_stale_total`,
      help: "Features served their default because the stored value was older than its max age",
      labelNames: ["feature"] as const,
      registers: r,
    }),
    // Admission control (resilience/admission.ts): checkouts not given the full pipeline.
    admission: new Counter({
      name: `${METRIC_PREFIX}admission_total`,
      help: "Checkouts answered past an admission bound: degraded (rules on request-time data) or shed (503)",
      labelNames: ["level"] as const,
      registers: r,
    }),
    // Circuit breakers (resilience/): dependency is "redis", "model" or "model_canary".
    breakerState: new Gauge({
      name: `${METRIC_PREFIX}breaker_state`,
      help: "Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open",
      labelNames: ["dependency"] as const,
      registers: r,
    }),
    breakerTransitions: new Counter({
      name: `${METRIC_PREFIX}breaker_transitions_total`,
      help: "Circuit breaker state changes, by dependency and the state entered",
      labelNames: ["dependency", "to"] as const,
      registers: r,
    }),
    breakerRejections: new Counter({
      name: `${METRIC_PREFIX}breaker_rejections_total`,
      help: "Calls not made because the dependency's circuit breaker was open",
      labelNames: ["dependency"] as const,
      registers: r,
    }),
    breakerLateTimeouts: new Counter({
      name: `${METRIC_PREFIX}breaker_late_timeouts_total`,
      help: "Timeouts not counted against the dependency: their timer ran late, on this process's busy event loop",
      labelNames: ["dependency"] as const,
      registers: r,
    }),
    // Kill-switch (killswitch/): this replica's view of the switches.
    killSwitchEngaged: new Gauge({
      name: `${METRIC_PREFIX}kill_switch_engaged`,
      help: "Global kill-switch as this replica applies it: 1 engaged (rules only), 0 not",
      registers: r,
    }),
    modelSwitchEngaged: new Gauge({
      name: `${METRIC_PREFIX}model_switch_engaged`,
      help: "Per-version kill-switch of each loaded model: 1 engaged (model out), 0 not",
      labelNames: ["version"] as const,
      registers: r,
    }),
    killSwitchVersion: new Gauge({
      name: `${METRIC_PREFIX}kill_switch_version`,
      help: "Kill-switch store version this replica has applied (replicas should agree)",
      registers: r,
    }),
    killSwitchStale: new Gauge({
      name: `${METRIC_PREFIX}kill_switch_stale`,
      help: "1 when this replica could not read the kill-switch store recently and serves the last known state",
      registers: r,
    }),
    modelInfo: new Gauge({
      name: `${METRIC_PREFIX}model_info`,
      help: "Loaded models (value 1), by role, name and version",
      labelNames: ["role", "name", "version"] as const,
      registers: r,
    }),
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

/** One label set's increments since the last collection. */
export class Tally {
  count = 0;
  readonly labels: Record<string, string>;

  constructor(labels: Record<string, string>) {
    this.labels = labels;
  }

  inc(): void {
    this.count++;
  }
}

/**
 * A counter for the scoring path: `tally(...labelValues).inc()` is one addition; the counts are
 * added to the prom-client counter when it is collected (each scrape, and the cluster
 * aggregation). prom-client's own `inc` validates and hashes the labels on every call, several
 * times per checkout. Tallies are kept per label set, as bounded as the label values.
 */
function talliedCounter<T extends string>(config: CounterConfiguration<T> & { labelNames: readonly T[] }) {
  const tallies = new Map<string, Tally>();
  const counter: Counter<T> = new Counter<T>({
    ...config,
    collect() {
      for (const t of tallies.values()) {
        if (t.count === 0) continue;
        counter.inc(t.labels as Partial<Record<T, string>>, t.count);
        t.count = 0;
      }
    },
  });
  return Object.assign(counter, {
    tally(...values: string[]): Tally {
      const key = values.join("\u0000");
      let t = tallies.get(key);
      if (t === undefined) {
        t = new Tally(Object.fromEntries(config.labelNames.map((n, i) => [n, values[i] as string])));
        tallies.set(key, t);
      }
      return t;
    },
  });
}
