/**
 * Admission control for POST /v1/score: the service notices it is behind from its own event loop
 * and from the checkouts it is already working on, and answers more cheaply before it queues.
 *
 * - `normal`: the full pipeline.
 * - `degrade`: rules on request-time data only (no feature read, no model, no idempotency
 *   round trips): a fraction of the CPU of a full checkout, still a decision.
 * - `shed`: 503 with Retry-After from the onRequest hook, before the body is read.
 *
 * The two signals: event-loop lag (how late a timer fires: everything queued in front of the
 * loop, including requests not parsed yet) and checkouts in flight (work waiting on Redis, which
 * the loop lag cannot see while Redis is the slow part). Either past its bound moves to the next
 * level; no timers of its own, so tests drive it with an injected probe.
 */
export type AdmissionLevel = "normal" | "degrade" | "shed";

export interface AdmissionLimits {
  /** Checkouts in flight at or above which new ones are degraded. */
  readonly degradeInFlight: number;
  /** Checkouts in flight at or above which new ones are shed. */
  readonly shedInFlight: number;
  /** Event-loop lag (ms) at or above which new checkouts are degraded. */
  readonly degradeLagMs: number;
  /** Event-loop lag (ms) at or above which new checkouts are shed. */
  readonly shedLagMs: number;
}

/** How late the event loop runs right now, in ms. */
export interface LagProbe {
  lagMs(): number;
  /** Starts and stops its timer, if it has one. */
  start?(): void;
  stop?(): void;
}

export class Admission {
  private inFlight = 0;
  private readonly limits: AdmissionLimits;
  private readonly probe: LagProbe;

  constructor(limits: AdmissionLimits, probe: LagProbe) {
    this.limits = limits;
    this.probe = probe;
  }

  /** The level a checkout arriving now gets. */
  level(): AdmissionLevel {
    const l = this.limits;
    const lag = this.probe.lagMs();
    if (this.inFlight >= l.shedInFlight || lag >= l.shedLagMs) return "shed";
    if (this.inFlight >= l.degradeInFlight || lag >= l.degradeLagMs) return "degrade";
    return "normal";
  }

  get checkoutsInFlight(): number {
    return this.inFlight;
  }

  /** Counts `work` as in flight until it settles. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
    }
  }
}

/**
 * Event-loop lag from a repeating timer: each tick records how much later than planned it ran,
 * and the reading is the smaller of the last two ticks' lags. Overload keeps every tick late; one
 * late tick (a GC pause, start-up, a neighbour taking the CPU for a moment) is not overload, and
 * reacting to it would degrade or shed checkouts for nothing. `tick` takes the clock so tests can
 * drive it.
 */
export class TimerLagProbe implements LagProbe {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private last: number;
  private lag = 0;
  private previousLag = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(intervalMs: number, now: () => number = performance.now.bind(performance)) {
    this.intervalMs = intervalMs;
    this.now = now;
    this.last = now();
  }

  start(): void {
    this.last = this.now();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  tick(): void {
    const t = this.now();
    this.previousLag = this.lag;
    this.lag = Math.max(0, t - this.last - this.intervalMs);
    this.last = t;
  }

  lagMs(): number {
    return Math.min(this.lag, this.previousLag);
  }
}
