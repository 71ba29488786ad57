import { performance } from "node:perf_hooks";
import type { Decision, ReplayStats } from "./stats.ts";

export interface ScorerOptions {
  readonly apiUrl: string;
  readonly key: string;
  /** Requests in flight at most; the replay waits for a free slot (the stack's pace, not ours). */
  readonly concurrency: number;
}

/** POST /v1/score for each checkout as its time comes, with bounded concurrency; answers go to the stats. */
export class Scorer {
  private readonly options: ScorerOptions;
  private readonly stats: ReplayStats;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: ScorerOptions, stats: ReplayStats) {
    this.options = options;
    this.stats = stats;
  }

  /** Resolves when the request is on its way (after waiting for a slot), not when it is answered. */
  async submit(checkout: Record<string, unknown>, fraud: boolean, worldDay: string): Promise<void> {
    while (this.inFlight.size >= this.options.concurrency) await Promise.race(this.inFlight);
    const p = this.score(checkout, fraud, worldDay).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
  }

  private async score(checkout: Record<string, unknown>, fraud: boolean, worldDay: string): Promise<void> {
    const started = performance.now();
    try {
      const res = await fetch(`${this.options.apiUrl}/v1/score`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.options.key}`, "content-type": "application/json" },
        body: JSON.stringify(checkout),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json()) as { decision?: Decision; mode?: string };
      if (res.status !== 200 || !body.decision) {
        this.stats.recordFailure(res.status);
        return;
      }
      this.stats.recordDecision(
        { decision: body.decision, mode: body.mode ?? "unknown" },
        fraud,
        worldDay,
        performance.now() - started,
      );
    } catch {
      this.stats.recordFailure(0);
    }
  }
}
