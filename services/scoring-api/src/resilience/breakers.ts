import type { Logger } from "@riskgate/common/logger";
import type { Counter, Gauge } from "prom-client";
import type { ScoringModel } from "../decision/types.ts";
import {
  BREAKER_STATE_VALUE,
  BreakerOpenError,
  type BreakerOptions,
  CircuitBreaker,
} from "./circuit-breaker.ts";

export interface BreakerSettings {
  readonly failureThreshold: number;
  readonly failureRate: number;
  readonly windowSize: number;
  readonly cooldownMs: number;
  readonly minFailureSpanMs: number;
}

export interface BreakerMetrics {
  readonly breakerState: Gauge<"dependency">;
  readonly breakerTransitions: Counter<"dependency" | "to">;
}

/**
 * A breaker for one dependency that reports itself: `riskgate_breaker_state{dependency}` (0 closed,
 * 1 half-open, 2 open), `riskgate_breaker_transitions_total{dependency,to}`, and one log line per
 * transition (warn when it opens, info otherwise).
 */
export function createBreaker(
  dependency: string,
  settings: BreakerSettings,
  deps: {
    metrics: BreakerMetrics;
    logger: Logger;
    clock?: () => number;
    inconclusive?: BreakerOptions["inconclusive"];
  },
): CircuitBreaker {
  deps.metrics.breakerState.set({ dependency }, BREAKER_STATE_VALUE.closed);
  return new CircuitBreaker({
    name: dependency,
    ...settings,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.inconclusive ? { inconclusive: deps.inconclusive } : {}),
    onStateChange: ({ from, to, reason }) => {
      deps.metrics.breakerState.set({ dependency }, BREAKER_STATE_VALUE[to]);
      deps.metrics.breakerTransitions.inc({ dependency, to });
      const line = { dependency, from, to, reason };
      if (to === "open") {
        deps.logger.warn(
          { ...line, cooldownMs: settings.cooldownMs },
          `${dependency} circuit breaker opened: scoring degrades without it`,
        );
      } else {
        deps.logger.info(line, `${dependency} circuit breaker ${to === "closed" ? "closed" : "half-open"}`);
      }
    },
  });
}

export type AsyncMethodKeys<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T] &
  string;

/**
 * `target` with the named async methods run under `breaker`: while it is open they reject with
 * BreakerOpenError at once, without touching the dependency. Everything else passes through.
 */
export function guardMethods<T extends object>(
  target: T,
  breaker: CircuitBreaker,
  methods: readonly AsyncMethodKeys<T>[],
): T {
  const guarded = new Set<PropertyKey>(methods);
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t);
      if (!guarded.has(prop) || typeof value !== "function") return value;
      return (...args: unknown[]) => breaker.run(() => value.apply(t, args) as Promise<unknown>);
    },
  });
}

/**
 * Inference under a breaker per deciding model. A throw counts as a failure; so does a run slower
 * than `budgetMs`, but its answer is still used: onnxruntime's run() blocks the event loop, so by
 * the time we can measure it the time is spent, and throwing the score away would not give it back.
 * What the breaker buys is that the *next* checkouts skip the slow model (rules only, degraded).
 */
export class ModelGuard {
  private readonly breakers: ReadonlyMap<ScoringModel, CircuitBreaker>;
  private readonly budgetMs: number;
  private readonly onSlow: (model: ScoringModel, ms: number) => void;
  private readonly clock: () => number;

  constructor(
    breakers: ReadonlyMap<ScoringModel, CircuitBreaker>,
    budgetMs: number,
    onSlow: (model: ScoringModel, ms: number) => void = () => {},
    clock: () => number = () => performance.now(),
  ) {
    this.breakers = breakers;
    this.budgetMs = budgetMs;
    this.onSlow = onSlow;
    this.clock = clock;
  }

  breakerOf(model: ScoringModel): CircuitBreaker | undefined {
    return this.breakers.get(model);
  }

  async predict(
    model: ScoringModel,
    features: readonly number[],
  ): Promise<{ raw: number; calibrated: number }> {
    const breaker = this.breakers.get(model);
    if (!breaker) return model.predict(features);
    const permit = breaker.tryAcquire();
    if (!permit) throw new BreakerOpenError(breaker.name);
    let started = this.clock();
    // onnxruntime-node runs inference in a setImmediate callback that predict() queues: this one,
    // queued first, runs just before it, so `took` is the inference, not the wait for the loop's
    // check phase (on a saturated loop, most of a turn: that wait opened this breaker over a
    // healthy model). A model that answers without the loop keeps the time from the call.
    setImmediate(() => {
      started = this.clock();
    });
    let p: { raw: number; calibrated: number };
    try {
      p = await model.predict(features);
    } catch (err) {
      permit.failure(err instanceof Error ? err.message : String(err));
      throw err;
    }
    const took = this.clock() - started;
    if (took > this.budgetMs) {
      this.onSlow(model, took);
      permit.failure(`inference took ${took.toFixed(1)} ms, over the ${this.budgetMs} ms budget`);
    } else {
      permit.success();
    }
    return p;
  }
}
