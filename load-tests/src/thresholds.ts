// Threshold expressions on a run's merged summary: `<metric><op><value>[unit]`, e.g. `p99<10ms`,
// `p99.9<=25ms`, `errors=0`, `status5xx=0`, `success>=0.999`, `dropped=0`, `throughput>=990`.
import type { Summary } from "./results.ts";

const METRICS: Record<string, (s: Summary) => number> = {
  p50: (s) => s.latency.p50,
  p90: (s) => s.latency.p90,
  p99: (s) => s.latency.p99,
  "p99.9": (s) => s.latency["p99.9"],
  max: (s) => s.latency.max,
  mean: (s) => s.latency.mean,
  errors: (s) => s.errors,
  status5xx: (s) => s.status5xx,
  success: (s) => s.success,
  dropped: (s) => s.dropped,
  throughput: (s) => s.throughput,
  requests: (s) => s.requests,
};

const OPS = {
  "<": (a: number, b: number) => a < b,
  "<=": (a: number, b: number) => a <= b,
  ">": (a: number, b: number) => a > b,
  ">=": (a: number, b: number) => a >= b,
  "=": (a: number, b: number) => a === b,
} as const;

const UNITS: Record<string, number> = { "": 1, ms: 1, s: 1000, us: 0.001 };

export interface Threshold {
  readonly text: string;
  readonly metric: string;
  readonly op: keyof typeof OPS;
  /** In the metric's unit (milliseconds for latencies). */
  readonly value: number;
}

export function parseThreshold(text: string): Threshold {
  const m = /^\s*([a-z0-9.]+?)\s*(<=|>=|<|>|=)\s*([0-9.]+)\s*(ms|s|us)?\s*$/i.exec(text);
  if (!m) throw new Error(`threshold "${text}": expected <metric><op><value>[ms|s|us], e.g. p99<10ms`);
  const [, metric, op, raw, unit = ""] = m as unknown as [string, string, keyof typeof OPS, string, string?];
  if (!(metric in METRICS))
    throw new Error(
      `threshold "${text}": unknown metric ${metric} (one of ${Object.keys(METRICS).join(", ")})`,
    );
  const isLatency = /^(p[0-9.]+|max|mean)$/.test(metric);
  if (unit && !isLatency) throw new Error(`threshold "${text}": ${metric} takes no unit`);
  return { text: text.trim(), metric, op, value: Number(raw) * (UNITS[unit] as number) };
}

/**
 * The scenario's thresholds with the user's overrides: an override replaces every scenario threshold on
 * the same metric, so `--threshold p99<250ms` loosens a smoke run without repeating the rest.
 */
export function mergeThresholds(scenario: readonly string[], overrides: readonly string[]): Threshold[] {
  const extra = overrides.map(parseThreshold);
  const replaced = new Set(extra.map((t) => t.metric));
  return [...scenario.map(parseThreshold).filter((t) => !replaced.has(t.metric)), ...extra];
}

export interface Verdict {
  readonly threshold: Threshold;
  readonly actual: number;
  readonly pass: boolean;
}

export function evaluate(thresholds: readonly Threshold[], summary: Summary): Verdict[] {
  return thresholds.map((t) => {
    const actual = (METRICS[t.metric] as (s: Summary) => number)(summary);
    return { threshold: t, actual, pass: OPS[t.op](actual, t.value) };
  });
}
