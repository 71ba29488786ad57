// A constant-arrival-rate request stream for the degradation tests: requests are fired on schedule
// (not after the previous answer), so a slow answer shows up as latency instead of hiding as a pause.
import type { Checkout } from "@riskgate/feature-store/events";
import type { ApiHarness } from "@riskgate/test-support/api-harness";
import { bearer, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { waitFor } from "@riskgate/test-support/services";
import { expect } from "vitest";

export interface Sample {
  readonly i: number;
  /** performance.now() when the request was sent. */
  readonly sentAt: number;
  readonly latencyMs: number;
  readonly status: number;
  readonly mode: string | undefined;
  readonly score: number | null | undefined;
  readonly decision: string | undefined;
}

export class SteadyLoad {
  readonly samples: Sample[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private sent = 0;
  /** Ticks that fell behind schedule by more than a burst (a stalled event loop): skipped, counted. */
  skipped = 0;
  private readonly h: ApiHarness;
  private readonly body: (i: number) => Checkout | null;
  private readonly opts: { ratePerSec: number; maxRequests: number; maxBurst?: number };

  constructor(
    h: ApiHarness,
    /** The checkout to score, or null to GET /healthz instead (the floor: a request doing nothing). */
    body: (i: number) => Checkout | null,
    opts: { ratePerSec: number; maxRequests: number; maxBurst?: number },
  ) {
    this.h = h;
    this.body = body;
    this.opts = opts;
  }

  start(): void {
    const interval = 1000 / this.opts.ratePerSec;
    const t0 = performance.now();
    let scheduled = 0;
    const tick = () => {
      const due = Math.floor((performance.now() - t0) / interval);
      let burst = 0;
      while (scheduled < due && this.sent < this.opts.maxRequests) {
        scheduled++;
        if (burst++ >= (this.opts.maxBurst ?? 5)) {
          this.skipped++;
          continue;
        }
        this.fire(this.sent++);
      }
      if (this.sent < this.opts.maxRequests) this.timer = setTimeout(tick, interval / 2);
    };
    tick();
  }

  private fire(i: number) {
    const sentAt = performance.now();
    const payload = this.body(i);
    const p = this.h.app
      .inject(
        payload
          ? { method: "POST", url: "/v1/score", headers: bearer(TOKENS.score), payload }
          : { method: "GET", url: "/healthz" },
      )
      .then((res) => {
        const latencyMs = performance.now() - sentAt;
        const body = res.statusCode === 200 ? (res.json() as Record<string, unknown>) : {};
        this.samples.push({
          i,
          sentAt,
          latencyMs,
          status: res.statusCode,
          mode: body.mode as string | undefined,
          score: body.score as number | null | undefined,
          decision: body.decision as string | undefined,
        });
      })
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /** Stops sending and waits for every answer. */
  async stop(): Promise<Sample[]> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.sent = this.opts.maxRequests;
    await Promise.all([...this.inflight]);
    return [...this.samples].sort((a, b) => a.i - b.i);
  }

  /** Samples sent from `from` (inclusive) to `to` (exclusive), performance.now() times. */
  between(from: number, to = Number.POSITIVE_INFINITY): Sample[] {
    return this.samples.filter((s) => s.sentAt >= from && s.sentAt < to);
  }

  /**
   * After a dependency came back at `since`: waits for the first normal answer sent from then on and
   * a second's worth of answers after it; returns when that first normal answer was sent.
   */
  async recovery(since: number): Promise<number> {
    const normal = () => this.between(since).filter((s) => s.mode === "normal");
    await waitFor(() => normal().length > 0, {
      timeoutMs: 15_000,
      what: "a normal answer after the dependency came back",
    });
    const recoveredAt = Math.min(...normal().map((s) => s.sentAt));
    await waitFor(() => this.between(recoveredAt).length >= this.opts.ratePerSec, {
      timeoutMs: 15_000,
      what: "a second of answers after recovery",
    });
    return recoveredAt;
  }
}

/** One checkout outside the stream, answered 200; its mode. (Breakers move on calls: an idle one stays put.) */
export async function probeMode(h: ApiHarness): Promise<string> {
  const res = await h.app.inject({
    method: "POST",
    url: "/v1/score",
    headers: bearer(TOKENS.score),
    payload: checkout(`probe-${Math.random().toString(36).slice(2)}`, T0 - 1_000_000),
  });
  expect(res.statusCode).toBe(200);
  return res.json().mode;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export function summary(samples: readonly Sample[]) {
  const l = samples.map((s) => s.latencyMs);
  const r = (v: number) => Math.round(v * 10) / 10;
  return { n: samples.length, p50: r(percentile(l, 50)), p99: r(percentile(l, 99)), max: r(Math.max(...l)) };
}

/** The value of one series in a Prometheus text exposition, or undefined. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelPart = line.slice(name.length + 1, line.indexOf("}"));
    if (want.every((w) => labelPart.split(",").includes(w))) return Number(line.slice(line.indexOf("}") + 1));
  }
  return undefined;
}
