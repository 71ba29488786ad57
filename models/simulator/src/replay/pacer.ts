/**
 * When each replayed event is due on the wall clock. History (events before the first simulated
 * day) is due at once; from the first simulated day on, event time runs `speed` times faster than
 * wall time (Infinity: as fast as the stack takes it). `maxRate` caps events per second either way.
 */
export interface PaceOptions {
  readonly speed: number;
  readonly maxRate: number;
  /** World time from which the speed applies (the first simulated day). */
  readonly paceFromMs: number;
}

export class Pacer {
  private readonly options: PaceOptions;
  private readonly now: () => number;
  private origin: { wall: number; world: number } | undefined;
  private readonly rateStart: number;
  private sent = 0;

  constructor(options: PaceOptions, now: () => number) {
    this.options = options;
    this.now = now;
    this.rateStart = now();
  }

  /** Milliseconds to wait before the event at world time `t` may go (0: now). */
  delayFor(t: number): number {
    const now = this.now();
    let due = now;
    if (Number.isFinite(this.options.speed) && t >= this.options.paceFromMs) {
      // The first paced event anchors the clocks, so a resumed or slow history never piles up a backlog.
      this.origin ??= { wall: now, world: t };
      due = this.origin.wall + (t - this.origin.world) / this.options.speed;
    }
    if (Number.isFinite(this.options.maxRate))
      due = Math.max(due, this.rateStart + (this.sent * 1000) / this.options.maxRate);
    return Math.max(0, due - now);
  }

  /** Counts events handed on, for the rate cap. */
  sentOne(): void {
    this.sent++;
  }
}
