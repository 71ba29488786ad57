import type { Counter, Histogram } from "prom-client";

/** Cumulative counter values at one instant; keys are label values joined by `|`. */
export interface Sample {
  /** Monotonic milliseconds (performance.now()): intervals, never wall time. */
  readonly at: number;
  /** decision|mode|role → decisions served. */
  readonly decisions: ReadonlyMap<string, number>;
  /** Upper bound in seconds (Infinity for +Inf) → observations at or below it, summed over labels. */
  readonly latency: ReadonlyMap<number, number>;
  /** rule|action|shadow → hits. */
  readonly rules: ReadonlyMap<string, number>;
}

/** What changed between two samples. */
export interface Delta {
  readonly seconds: number;
  readonly decisions: ReadonlyMap<string, number>;
  readonly latency: ReadonlyMap<number, number>;
  readonly rules: ReadonlyMap<string, number>;
}

export interface SampledMetrics {
  readonly decisions: Counter<"decision" | "mode" | "role">;
  readonly scoreDuration: Histogram<"mode" | "decision">;
  readonly ruleHits: Counter<"rule" | "action" | "shadow">;
}

/** Reads the counters the scoring path already keeps: the console adds nothing to the hot path. */
export async function readSample(m: SampledMetrics, at: number): Promise<Sample> {
  const [decisions, duration, rules] = await Promise.all([
    m.decisions.get(),
    m.scoreDuration.get(),
    m.ruleHits.get(),
  ]);
  type Labelled = { readonly labels: Readonly<Record<string, string | number | undefined>>; value: number };
  const byKey = (values: readonly Labelled[], names: readonly string[]) => {
    const out = new Map<string, number>();
    for (const v of values) {
      const key = names.map((n) => String(v.labels[n])).join("|");
      out.set(key, (out.get(key) ?? 0) + v.value);
    }
    return out;
  };
  const latency = new Map<number, number>();
  for (const v of duration.values as readonly (Labelled & { metricName?: string })[]) {
    if (!v.metricName?.endsWith("_bucket")) continue;
    const le = v.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(v.labels.le);
    latency.set(le, (latency.get(le) ?? 0) + v.value);
  }
  return {
    at,
    decisions: byKey(decisions.values, ["decision", "mode", "role"]),
    latency,
    rules: byKey(rules.values, ["rule", "action", "shadow"]),
  };
}

function minus<K>(a: ReadonlyMap<K, number>, b: ReadonlyMap<K, number> | undefined): Map<K, number> {
  const out = new Map<K, number>();
  for (const [k, v] of a) out.set(k, Math.max(0, v - (b?.get(k) ?? 0)));
  return out;
}

export function delta(from: Sample | undefined, to: Sample): Delta {
  return {
    seconds: from ? (to.at - from.at) / 1000 : 0,
    decisions: minus(to.decisions, from?.decisions),
    latency: minus(to.latency, from?.latency),
    rules: minus(to.rules, from?.rules),
  };
}

/**
 * The q-quantile (0-1) of a histogram delta in seconds, interpolated linearly inside the bucket
 * that holds it (as Prometheus' histogram_quantile does); null without observations. An answer in
 * the +Inf bucket is reported as the largest finite bound: "at least that".
 */
export function quantile(latency: ReadonlyMap<number, number>, q: number): number | null {
  const bounds = [...latency.keys()].sort((a, b) => a - b);
  const total = latency.get(Number.POSITIVE_INFINITY) ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const le of bounds) {
    const count = latency.get(le) ?? 0;
    if (count >= rank) {
      if (!Number.isFinite(le)) return prevBound;
      const inBucket = count - prevCount;
      return inBucket > 0 ? prevBound + ((le - prevBound) * (rank - prevCount)) / inBucket : le;
    }
    prevBound = le;
    prevCount = count;
  }
  return prevBound;
}

export interface LiveSamplerOptions {
  readonly metrics: SampledMetrics;
  /** Seconds of per-second samples kept (the ring's size): memory is fixed, whatever the traffic. */
  readonly keepSeconds: number;
  /** Monotonic clock in ms; default performance.now. */
  readonly clock?: () => number;
  readonly onError?: (err: unknown) => void;
}

/**
 * A ring of per-second samples of the decision, latency and rule-hit counters. Rates over the last
 * seconds are differences between a fresh sample and one from the ring: bounded state, no work per
 * checkout.
 */
export class LiveSampler {
  private readonly ring: (Sample | undefined)[];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly clock: () => number;
  private readonly opts: LiveSamplerOptions;

  constructor(opts: LiveSamplerOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? (() => performance.now());
    this.ring = new Array(opts.keepSeconds + 1).fill(undefined);
  }

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), 1_000);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Takes one sample into the ring (the timer calls it every second). */
  async tick(): Promise<void> {
    try {
      this.ring[this.next] = await readSample(this.opts.metrics, this.clock());
      this.next = (this.next + 1) % this.ring.length;
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  /** Samples oldest first. */
  samples(): Sample[] {
    const n = this.ring.length;
    const out: Sample[] = [];
    for (let i = 0; i < n; i++) {
      const s = this.ring[(this.next + i) % n];
      if (s) out.push(s);
    }
    return out;
  }

  /** Counts over about the last `seconds` (fewer right after start), and the totals now. */
  async window(seconds: number): Promise<{ delta: Delta; current: Sample }> {
    const current = await readSample(this.opts.metrics, this.clock());
    const from = this.samples().find((s) => current.at - s.at <= seconds * 1000 + 500);
    return { delta: delta(from, current), current };
  }

  /** Decisions per second in each whole second the ring holds, oldest first. */
  perSecond(): number[] {
    const s = this.samples();
    const total = (x: Sample) => [...x.decisions.values()].reduce((a, b) => a + b, 0);
    const out: number[] = [];
    for (let i = 1; i < s.length; i++) {
      const a = s[i - 1] as Sample;
      const b = s[i] as Sample;
      const secs = (b.at - a.at) / 1000;
      out.push(secs > 0 ? Math.max(0, total(b) - total(a)) / secs : 0);
    }
    return out;
  }
}
