/**
 * Admission control for POST /v1/score: the service notices it is behind from its own event loop
 * and from the checkouts it is already working on, and answers more cheaply before it queues.
 *
 * - `normal`: the full pipeline.
 * - `degrade`: rules on request-time data only (no feature read, no model, no idempotency
 *   round trips): a fraction of the CPU of a full checkout, still a decision.
 * - `shed`: 503 with Retry-After from the onRequest hook, before the body is read.
 *
 * The signals: event-loop lag (how late a timer fires: everything queued in front of the loop,
 * including requests not parsed yet), the lag of the loop turn running now (how long the checkout
 * being admitted has already waited behind the ones read before it in the same turn), and
 * checkouts in flight (work waiting on Redis, which the loop lag cannot see while Redis is the
 * slow part). No timers of its own, so tests drive it with an injected probe.
 *
 * Why the turn's lag sheds and the last ticks' lag only degrades: a saturated loop reads every
 * request that arrived during its previous turn and runs them all in one turn, so the lag read at
 * the last tick is already stale for most of them (a turn can run for a second while every check
 * says "30 ms"). Shedding on the turn's own lag caps how long a turn admits work; shedding a whole
 * turn because the previous ones were long would make the next turn short and admit everything
 * again, flapping between the two.
 */
export type AdmissionLevel = "normal" | "degrade" | "shed";

export interface AdmissionLimits {
  /** Checkouts in flight at or above which new ones are degraded. */
  readonly degradeInFlight: number;
  /** Checkouts in flight at or above which new ones are shed. */
  readonly shedInFlight: number;
  /** Event-loop lag (ms) at or above which new checkouts are degraded. */
  readonly degradeLagMs: number;
  /** Lag (ms) of the loop turn running now at or above which new checkouts are shed. */
  readonly shedLagMs: number;
  /** After a bound was last reached, checkouts below every bound are still degraded this long (ms). */
  readonly degradeHoldMs: number;
  /** A full checkout that took this long (ms) counts as a bound reached: the next ones would too. */
  readonly degradeSlowMs: number;
}

/** How late the event loop runs, in ms. */
export interface LagProbe {
  /** Lag the loop has kept over its last ticks. */
  lagMs(): number;
  /**
   * Lag of the loop turn running now (how far past due the next tick already is). Unset: `lagMs`
   * stands for it (a pinned probe in tests).
   */
  turnLagMs?(): number;
  /** Starts and stops its timer, if it has one. */
  start?(): void;
  stop?(): void;
}

export class Admission {
  private inFlight = 0;
  private readonly limits: AdmissionLimits;
  private readonly probe: LagProbe;
  private readonly now: () => number;
  /** Until when checkouts below every bound are still degraded. */
  private holdUntil = Number.NEGATIVE_INFINITY;

  constructor(
    limits: AdmissionLimits,
    probe: LagProbe,
    now: () => number = performance.now.bind(performance),
  ) {
    this.limits = limits;
    this.probe = probe;
    this.now = now;
  }

  /**
   * The level a checkout arriving now gets. Past a bound, new checkouts stay degraded for
   * `degradeHoldMs` after the signals fall back: a full checkout costs about twice the CPU of a
   * degraded one and takes two Redis round trips, so the first normal ones after a dip bring the
   * lag straight back, and each of them waits through the long turns it caused (the answers' p99
   * at 1,500/s and in the spike came from normal checkouts admitted in such dips).
   */
  level(): AdmissionLevel {
    const l = this.limits;
    const lag = this.probe.lagMs();
    const turn = this.probe.turnLagMs?.() ?? lag;
    const t = this.now();
    if (this.inFlight >= l.shedInFlight || turn >= l.shedLagMs) {
      this.holdUntil = t + l.degradeHoldMs;
      return "shed";
    }
    if (this.inFlight >= l.degradeInFlight || Math.max(lag, turn) >= l.degradeLagMs) {
      this.holdUntil = t + l.degradeHoldMs;
      return "degrade";
    }
    return t < this.holdUntil ? "degrade" : "normal";
  }

  get checkoutsInFlight(): number {
    return this.inFlight;
  }

  /**
   * Counts `work` as in flight until it settles. A full checkout (not `degraded`) slower than
   * `degradeSlowMs` starts a hold as a bound does: its Redis round trips waited behind long loop
   * turns or a busy Redis, which neither the lag at admission nor the count in flight showed.
   */
  async track<T>(work: () => Promise<T>, degraded = false): Promise<T> {
    const started = degraded ? 0 : this.now();
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
      if (!degraded) {
        const t = this.now();
        if (t - started >= this.limits.degradeSlowMs) this.holdUntil = t + this.limits.degradeHoldMs;
      }
    }
  }
}

/**
 * Event-loop lag from a repeating timer: each tick records how much later than planned it ran,
 * and the reading is the smaller of the last two ticks' lags. Overload keeps every tick late; one
 * late tick (a GC pause, start-up, a neighbour taking the CPU for a moment) is not overload, and
 * reacting to it would degrade or shed checkouts for nothing. The turn's lag is read the same way,
 * with the tick that is due and has not run yet as the second tick: how far past due it is now,
 * counted only when the last tick was late too. It costs one clock read per checkout. `tick`
 * takes the clock so tests can drive it.
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

  turnLagMs(): number {
    const overdue = this.now() - this.last - this.intervalMs;
    return Math.max(0, Math.min(this.lag, overdue));
  }
}
