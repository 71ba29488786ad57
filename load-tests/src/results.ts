// vegeta's per-request results reduced to what the thresholds, checks and plots read: when each
// request was sent, how long it took, its status, and the mode and decision the API answered.
import type { VegetaResult } from "./vegeta.ts";

export interface Outcome {
  readonly stage: string;
  /** Request sent, epoch ms. */
  readonly atMs: number;
  readonly latencyMs: number;
  /** HTTP status; 0 when no answer came (timeout, refused, reset). */
  readonly code: number;
  readonly error: string;
  readonly mode: string | null;
  readonly decision: string | null;
}

export function toOutcome(r: VegetaResult): Outcome {
  let mode: string | null = null;
  let decision: string | null = null;
  if (r.body && r.code === 200) {
    try {
      const parsed = JSON.parse(Buffer.from(r.body, "base64").toString("utf8"));
      mode = typeof parsed.mode === "string" ? parsed.mode : null;
      decision = typeof parsed.decision === "string" ? parsed.decision : null;
    } catch {
      // a 200 that is not JSON stays without mode: the checks that need one fail on it
    }
  }
  return {
    stage: r.attack,
    atMs: Date.parse(r.timestamp),
    latencyMs: r.latency / 1e6,
    code: r.code,
    error: r.error,
    mode,
    decision,
  };
}

/** Nearest-rank percentile of an ascending array (q in 0-100). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export interface Summary {
  readonly requests: number;
  /** Requests the stages asked for that vegeta never sent (it fell behind its schedule). */
  readonly dropped: number;
  readonly seconds: number;
  readonly throughput: number;
  readonly success: number;
  readonly latency: { p50: number; p90: number; p99: number; "p99.9": number; max: number; mean: number };
  /**
   * Latency of the 2xx answers alone: with shedding allowed, fast 503s pull `latency` down and would
   * hide answers that queued.
   */
  readonly answered: { p50: number; p99: number; "p99.9": number; max: number };
  readonly codes: Record<string, number>;
  readonly errors: number;
  readonly status5xx: number;
  readonly modes: Record<string, number>;
  readonly decisions: Record<string, number>;
}

export function summarize(outcomes: readonly Outcome[], planned: number): Summary {
  const lat = Float64Array.from(outcomes, (o) => o.latencyMs).sort();
  const okLat = Float64Array.from(
    outcomes.filter((o) => o.code >= 200 && o.code < 300),
    (o) => o.latencyMs,
  ).sort();
  const count = (key: (o: Outcome) => string | null) => {
    const m: Record<string, number> = {};
    for (const o of outcomes) {
      const k = key(o);
      if (k !== null) m[k] = (m[k] ?? 0) + 1;
    }
    return m;
  };
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let ok = 0;
  let errors = 0;
  let status5xx = 0;
  let sum = 0;
  for (const o of outcomes) {
    first = Math.min(first, o.atMs);
    last = Math.max(last, o.atMs + o.latencyMs);
    sum += o.latencyMs;
    if (o.code >= 200 && o.code < 300) ok++;
    // No answer (timeout, refused, reset), or a 4xx: the load itself is wrong. vegeta also sets
    // `error` to the status line of a 5xx ("503 Service Unavailable"): an answer, in `status5xx`
    // (a shed checkout is a 503 with Retry-After, which a scenario may allow).
    if (o.code === 0 || (o.code >= 400 && o.code < 500)) errors++;
    if (o.code >= 500) status5xx++;
  }
  const seconds = outcomes.length > 0 ? (last - first) / 1000 : 0;
  return {
    requests: outcomes.length,
    dropped: Math.max(0, planned - outcomes.length),
    seconds,
    throughput: seconds > 0 ? ok / seconds : 0,
    success: outcomes.length > 0 ? ok / outcomes.length : 0,
    latency: {
      p50: percentile(lat, 50),
      p90: percentile(lat, 90),
      p99: percentile(lat, 99),
      "p99.9": percentile(lat, 99.9),
      max: lat.length > 0 ? (lat[lat.length - 1] as number) : Number.NaN,
      mean: outcomes.length > 0 ? sum / outcomes.length : Number.NaN,
    },
    answered: {
      p50: percentile(okLat, 50),
      p99: percentile(okLat, 99),
      "p99.9": percentile(okLat, 99.9),
      max: okLat.length > 0 ? (okLat[okLat.length - 1] as number) : Number.NaN,
    },
    codes: count((o) => String(o.code)),
    errors,
    status5xx,
    modes: count((o) => o.mode),
    decisions: count((o) => o.decision),
  };
}

export interface SecondBucket {
  readonly second: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly codes: Record<string, number>;
  readonly modes: Record<string, number>;
}

/** Latency percentiles and status codes per second of send time, from the first request. */
export function perSecond(outcomes: readonly Outcome[]): SecondBucket[] {
  if (outcomes.length === 0) return [];
  let t0 = Number.POSITIVE_INFINITY;
  for (const o of outcomes) t0 = Math.min(t0, o.atMs);
  const buckets = new Map<number, Outcome[]>();
  for (const o of outcomes) {
    const s = Math.floor((o.atMs - t0) / 1000);
    const b = buckets.get(s);
    if (b) b.push(o);
    else buckets.set(s, [o]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, os]) => {
      const lat = Float64Array.from(os, (o) => o.latencyMs).sort();
      const codes: Record<string, number> = {};
      const modes: Record<string, number> = {};
      for (const o of os) {
        codes[String(o.code)] = (codes[String(o.code)] ?? 0) + 1;
        if (o.mode !== null) modes[o.mode] = (modes[o.mode] ?? 0) + 1;
      }
      return {
        second,
        p50: percentile(lat, 50),
        p99: percentile(lat, 99),
        max: lat[lat.length - 1] as number,
        codes,
        modes,
      };
    });
}
