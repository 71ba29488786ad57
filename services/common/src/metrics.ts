import { collectDefaultMetrics, Registry } from "prom-client";

export const METRIC_PREFIX = "riskgate_";

/** One registry per process, created by main.ts and passed to whatever records metrics. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}
