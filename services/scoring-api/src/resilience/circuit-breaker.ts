import { AppError } from "@riskgate/common/errors";

export type BreakerState = "closed" | "half_open" | "open";

/** Gauge values of riskgate_breaker_state. */
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

export interface BreakerOptions {
  /** Names the dependency in errors, logs and metrics (`redis`, `model`). */
  readonly name: string;
  /** Opens after this many consecutive failures. */
  readonly failureThreshold: number;
  /**
   * Also opens when at least this share (0–1) of the last `windowSize` calls failed, so a
   * dependency that fails every other call opens too. `windowSize` 0 turns this rule off.
   */
  readonly failureRate: number;
  readonly windowSize: number;
  /** Time an open breaker rejects every call before it lets one probe through. */
  readonly cooldownMs: number;
  /**
   * The failures that open it must be spread over at least this long (default 0). One event-loop
   * stall times out every call in flight at the same instant; that is this process's hiccup, not
   * the dependency's, and must not switch the dependency off for a whole cool-down.
   */
  readonly minFailureSpanMs?: number;
  /**
   * Whether a failed call says nothing about the dependency (default: never). `run` asks it with
   * the call's time; such an outcome is not counted, and a probe's frees the probe slot. For Redis:
   * a timeout whose timer ran late was this process's busy event loop (late-timeout.ts).
   */
  readonly inconclusive?: (err: unknown, elapsedMs: number) => boolean;
  /** Monotonic milliseconds; tests inject a fake clock. */
  readonly clock?: () => number;
  onStateChange?(change: StateChange): void;
}

export interface StateChange {
  readonly name: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** What made it change (the failure that opened it, "probe succeeded", "cool-down over"). */
  readonly reason: string;
}

/** Thrown, without touching the dependency, while the breaker is open (or its probe is out). */
export class BreakerOpenError extends AppError {
  readonly dependency: string;

  constructor(dependency: string) {
    // Thrown for every call while the breaker is open, and counted, never logged: capturing a
    // stack trace each time was the largest single cost of a checkout during an outage.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super("breaker_open", `${dependency} circuit breaker is open; the call was not made`);
    Error.stackTraceLimit = stackTraceLimit;
    this.dependency = dependency;
    this.name = "BreakerOpenError";
  }
}

/** Permission for one call; report its outcome exactly once. */
export interface Permit {
  success(): void;
  failure(reason: string): void;
  /** The call ended without telling whether the dependency works: not counted either way. */
  inconclusive(): void;
}

type Outcome = "success" | "failure" | "inconclusive";

/**
 * A circuit breaker with no timers: every transition happens inside a call (or `state`), driven by
 * the injected clock, so nothing keeps the process alive and tests need no fake timers.
 *
 * - closed: calls pass. It opens after `failureThreshold` consecutive failures, or when the share
 *   of failures in the last `windowSize` outcomes reaches `failureRate` (once the window is full),
 *   provided those failures span at least `minFailureSpanMs`.
 * - open: calls are rejected at once with BreakerOpenError, the dependency is not touched. After
 *   `cooldownMs` the next call (or read of `state`) moves it to half-open.
 * - half_open: exactly one call (the probe) passes; the others are rejected. The probe's success
 *   closes the breaker, its failure re-opens it for another cool-down. A probe that never reports
 *   back is forgotten after `cooldownMs`, and the next call probes again; an inconclusive probe
 *   at once.
 *
 * Outcomes are tagged with the state generation they were admitted in: a late answer from a call
 * admitted before the breaker opened neither closes nor re-opens it.
 */
export class CircuitBreaker {
  private current: BreakerState = "closed";
  private generation = 0;
  private consecutive = 0;
  private consecutiveSince = 0;
  /** Ring buffer of the last outcomes in closed state: the failure's time, or null for a success. */
  private readonly window: (number | null)[] = [];
  private windowNext = 0;
  private windowFailures = 0;
  private openedAt = 0;
  private probeAt: number | undefined;
  private readonly clock: () => number;
  private readonly opts: BreakerOptions;

  constructor(opts: BreakerOptions) {
    this.opts = opts;
    if (!(opts.failureThreshold >= 1)) throw new RangeError("failureThreshold must be at least 1");
    if (!(opts.cooldownMs >= 0)) throw new RangeError("cooldownMs must not be negative");
    if (!(opts.failureRate > 0 && opts.failureRate <= 1))
      throw new RangeError("failureRate must be in (0, 1]");
    this.clock = opts.clock ?? (() => performance.now());
  }

  get name(): string {
    return this.opts.name;
  }

  /** The state now (an open breaker whose cool-down is over reads as half-open). */
  get state(): BreakerState {
    this.refresh();
    return this.current;
  }

  /** A permit for one call, or null when the call must not be made (open, or a probe is out). */
  tryAcquire(): Permit | null {
    this.refresh();
    if (this.current === "closed") return this.permit(false);
    if (this.current === "open") return null;
    const t = this.clock();
    if (this.probeAt !== undefined && t - this.probeAt < this.opts.cooldownMs) return null;
    this.probeAt = t;
    return this.permit(true);
  }

  /** Runs `fn` under the breaker: rejects with BreakerOpenError without calling it when open. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const permit = this.tryAcquire();
    if (!permit) throw new BreakerOpenError(this.opts.name);
    // Only a breaker with an `inconclusive` rule needs the call's time: no clock read per call otherwise.
    const started = this.opts.inconclusive ? this.clock() : 0;
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      if (this.opts.inconclusive?.(err, this.clock() - started)) permit.inconclusive();
      else permit.failure(err instanceof Error ? err.message : String(err));
      throw err;
    }
    permit.success();
    return result;
  }

  private permit(probe: boolean): Permit {
    return new BreakerPermit(this, this.generation, probe);
  }

  /** A permit's one outcome (BreakerPermit guarantees once). */
  settle(generation: number, probe: boolean, outcome: Outcome, reason: string) {
    if (generation !== this.generation) return; // admitted under an earlier state: stale
    if (outcome === "inconclusive") {
      if (probe) this.probeAt = undefined; // the next call probes at once
    } else if (probe) {
      if (outcome === "failure") this.transition("open", `probe failed: ${reason}`);
      else this.transition("closed", "probe succeeded");
    } else {
      this.record(outcome === "failure", reason);
    }
  }

  private record(failed: boolean, reason: string) {
    const t = this.clock();
    if (failed && this.consecutive === 0) this.consecutiveSince = t;
    this.consecutive = failed ? this.consecutive + 1 : 0;
    const size = this.opts.windowSize;
    const entry = failed ? t : null;
    if (size > 0) {
      if (this.window.length < size) this.window.push(entry);
      else {
        if (this.window[this.windowNext] !== null) this.windowFailures--;
        this.window[this.windowNext] = entry;
      }
      if (failed) this.windowFailures++;
      this.windowNext = (this.windowNext + 1) % size;
    }
    if (!failed) return;
    const span = this.opts.minFailureSpanMs ?? 0;
    if (this.consecutive >= this.opts.failureThreshold && t - this.consecutiveSince >= span) {
      this.transition("open", `${this.consecutive} consecutive failures, last: ${reason}`);
    } else if (
      size > 0 &&
      this.window.length === size &&
      this.windowFailures / size >= this.opts.failureRate &&
      t - this.oldestWindowFailure() >= span
    ) {
      this.transition("open", `${this.windowFailures} of the last ${size} calls failed, last: ${reason}`);
    }
  }

  private oldestWindowFailure(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const at of this.window) if (at !== null && at < oldest) oldest = at;
    return oldest;
  }

  private refresh() {
    if (this.current === "open" && this.clock() - this.openedAt >= this.opts.cooldownMs) {
      this.transition("half_open", "cool-down over");
    }
  }

  private transition(to: BreakerState, reason: string) {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.generation++;
    this.probeAt = undefined;
    if (to === "open") this.openedAt = this.clock();
    if (to === "closed") {
      this.consecutive = 0;
      this.window.length = 0;
      this.windowNext = 0;
      this.windowFailures = 0;
    }
    this.opts.onStateChange?.({ name: this.opts.name, from, to, reason });
  }
}

// A class rather than closures: one permit is taken per Redis call on the scoring path.
class BreakerPermit implements Permit {
  private reported = false;
  private readonly breaker: CircuitBreaker;
  private readonly generation: number;
  private readonly probe: boolean;

  constructor(breaker: CircuitBreaker, generation: number, probe: boolean) {
    this.breaker = breaker;
    this.generation = generation;
    this.probe = probe;
  }

  success(): void {
    this.report("success", "");
  }

  failure(reason: string): void {
    this.report("failure", reason);
  }

  inconclusive(): void {
    this.report("inconclusive", "");
  }

  private report(outcome: Outcome, reason: string) {
    if (this.reported) return;
    this.reported = true;
    this.breaker.settle(this.generation, this.probe, outcome, reason);
  }
}
