import { LatencyHistogram } from "./histogram.ts";

export type Decision = "allow" | "review" | "block";
export const DECISIONS: readonly Decision[] = ["allow", "review", "block"];

const zero = (): Record<Decision, number> => ({ allow: 0, review: 0, block: 0 });

/** What the replay saw, bounded: counters, one histogram per latency, one counter per simulated day. */
export class ReplayStats {
  readonly decisions = zero();
  /** Decisions on checkouts the world says were fraud, and on the legitimate ones. */
  readonly fraud = zero();
  readonly legit = zero();
  readonly modes = new Map<string, number>();
  /** Reviews by simulated (unshifted) UTC day, YYYY-MM-DD. */
  readonly reviewsByDay = new Map<string, number>();
  readonly scoreLatency = new LatencyHistogram();
  /** The freshness probe's samples, its produce acknowledgements and its resolution (FreshnessProbe). */
  readonly freshness = {
    visible: new LatencyHistogram(),
    acked: new LatencyHistogram(),
    pollSpan: new LatencyHistogram(),
  };
  /** Probe events not visible within the probe's deadline. */
  freshnessTimeouts = 0;
  /** 503 answers while probing: the feature store was unavailable to scoring. */
  freshnessUnavailable = 0;
  /** Probes that failed outright (the produce, or POST /v1/features answering other than 200). */
  freshnessErrors = 0;
  freshnessLastError: string | undefined;
  /** Score requests that got no decision, by HTTP status (0: no answer). */
  readonly failures = new Map<number, number>();
  produced = 0;
  probesProduced = 0;

  recordDecision(
    d: { decision: Decision; mode: string },
    fraud: boolean,
    worldDay: string,
    ms: number,
  ): void {
    this.decisions[d.decision]++;
    (fraud ? this.fraud : this.legit)[d.decision]++;
    this.modes.set(d.mode, (this.modes.get(d.mode) ?? 0) + 1);
    if (d.decision === "review") this.reviewsByDay.set(worldDay, (this.reviewsByDay.get(worldDay) ?? 0) + 1);
    this.scoreLatency.record(ms);
  }

  recordFailure(status: number): void {
    this.failures.set(status, (this.failures.get(status) ?? 0) + 1);
  }

  get scored(): number {
    return this.decisions.allow + this.decisions.review + this.decisions.block;
  }

  degradedShare(): number {
    return this.scored === 0 ? 0 : (this.modes.get("degraded") ?? 0) / this.scored;
  }
}
