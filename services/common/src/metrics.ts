import { collectDefaultMetrics, Registry } from "prom-client";

export const METRIC_PREFIX = "riskgate_";

/** One registry per process, created by main.ts and passed to whatever records metrics. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  // prom-client names three gauges `..._total`, which Prometheus reserves for counters (promtool
  // check metrics rejects them); the per-type gauges without the suffix carry the same numbers.
  for (const name of [
    "nodejs_active_handles_total",
    "nodejs_active_requests_total",
    "nodejs_active_resources_total",
  ])
    registry.removeSingleMetric(`${METRIC_PREFIX}${name}`);
  return registry;
}
