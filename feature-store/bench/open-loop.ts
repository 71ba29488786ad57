/**
 * Open-loop load at a constant arrival rate: each operation starts at its scheduled time whether or
 * not earlier ones finished, and latency counts from the scheduled time, so queueing shows up
 * instead of being hidden (coordinated omission).
 */
export interface OpenLoopResult {
  readonly sent: number;
  readonly errors: number;
  readonly latenciesMs: Float64Array;
  readonly seconds: number;
}

export async function openLoop(
  ratePerSecond: number,
  seconds: number,
  op: (i: number) => Promise<unknown>,
): Promise<OpenLoopResult> {
  const total = Math.round(ratePerSecond * seconds);
  const latencies = new Float64Array(total);
  const intervalMs = 1000 / ratePerSecond;
  const start = performance.now();
  let next = 0;
  let done = 0;
  let errors = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) {
        const i = next++;
        const scheduled = start + i * intervalMs;
        op(i).then(
          () => {
            latencies[i] = performance.now() - scheduled;
            if (++done === total) resolve();
          },
          () => {
            errors++;
            latencies[i] = performance.now() - scheduled;
            if (++done === total) resolve();
          },
        );
      }
      if (next < total) setImmediate(tick);
    };
    tick();
  });
  return { sent: total, errors, latenciesMs: latencies, seconds: (performance.now() - start) / 1000 };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)] as number;
}

export function summarize(name: string, r: OpenLoopResult) {
  const sorted = Float64Array.from(r.latenciesMs).sort();
  const f = (v: number) => Number(v.toFixed(3));
  return {
    name,
    sent: r.sent,
    errors: r.errors,
    achieved_per_s: Math.round(r.sent / r.seconds),
    p50_ms: f(percentile(sorted, 50)),
    p99_ms: f(percentile(sorted, 99)),
    p99_9_ms: f(percentile(sorted, 99.9)),
    max_ms: f(sorted[sorted.length - 1] ?? Number.NaN),
  };
}
