import type { Logger } from "@riskgate/common/logger";
import { type RedisClient, redisProblems } from "@riskgate/common/redis-client";
import type { ApiConfig } from "../config.ts";
import type { ScoringModel } from "../decision/types.ts";
import type { ApiMetrics } from "../metrics.ts";
import type { ModelRouter } from "../model/model-router.ts";
import {
  type AsyncMethodKeys,
  type BreakerSettings,
  createBreaker,
  guardMethods,
  ModelGuard,
} from "./breakers.ts";
import { BreakerOpenError, type BreakerOptions, type CircuitBreaker } from "./circuit-breaker.ts";
import { lateTimeout } from "./late-timeout.ts";

type Settings = Pick<
  ApiConfig,
  | "breakerFailureThreshold"
  | "breakerFailureRate"
  | "breakerWindow"
  | "breakerCooldownMs"
  | "breakerMinFailureSpanMs"
  | "breakerLateTimeoutMs"
  | "modelTimeoutMs"
  | "redisCommandTimeoutMs"
>;

/** The breakers of one scoring service, and the helpers compose.ts wires them in with. */
export interface Resilience {
  /** One breaker for every Redis call on the scoring path; undefined on the embedded store. */
  readonly redis: CircuitBreaker | undefined;
  /** Breakers of the deciding models (champion "model", canary "model_canary"). */
  readonly models: ReadonlyMap<ScoringModel, CircuitBreaker>;
  /** The pipeline's inference port. */
  predict(model: ScoringModel, features: readonly number[]): Promise<{ raw: number; calibrated: number }>;
  /** The feature read under the Redis breaker (a plain call without Redis). */
  featureRead<T>(read: () => Promise<T>): Promise<T>;
  /** `target` with the named Redis-touching methods under the Redis breaker (as is without Redis). */
  guardRedis<T extends object>(target: T, methods: readonly AsyncMethodKeys<T>[]): T;
  /**
   * True when `err` is a breaker's rejection (counted in riskgate_breaker_rejections_total): the
   * transition was logged once, so the caller skips its per-request warning and error count.
   */
  rejected(err: unknown): boolean;
  /** Dependencies the service is running without right now, for /readyz. */
  degraded(): string[];
}

export function createResilience(deps: {
  config: Settings;
  metrics: ApiMetrics;
  logger: Logger;
  router: ModelRouter;
  redis?: RedisClient;
  clock?: () => number;
}): Resilience {
  const { config, metrics, logger, router, redis } = deps;
  const settings: BreakerSettings = {
    failureThreshold: config.breakerFailureThreshold,
    failureRate: config.breakerFailureRate,
    windowSize: config.breakerWindow,
    cooldownMs: config.breakerCooldownMs,
    minFailureSpanMs: config.breakerMinFailureSpanMs,
  };
  const make = (dependency: string, inconclusive?: BreakerOptions["inconclusive"]) =>
    createBreaker(dependency, settings, {
      metrics,
      logger,
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(inconclusive ? { inconclusive } : {}),
    });

  const lateRedisTimeout =
    config.breakerLateTimeoutMs > 0
      ? lateTimeout({
          commandTimeoutMs: config.redisCommandTimeoutMs,
          lateMs: config.breakerLateTimeoutMs,
          onLate: () => metrics.breakerLateTimeouts.inc({ dependency: "redis" }),
        })
      : undefined;
  const redisBreaker = redis ? make("redis", lateRedisTimeout) : undefined;
  const models = new Map<ScoringModel, CircuitBreaker>([[router.champion, make("model")]]);
  if (router.canary) models.set(router.canary.model, make("model_canary"));
  const modelGuard = new ModelGuard(models, config.modelTimeoutMs, () =>
    metrics.dependencyErrors.inc({ dependency: "model_timeout" }),
  );

  return {
    redis: redisBreaker,
    models,
    predict: (model, features) => modelGuard.predict(model, features),
    featureRead: (read) => (redisBreaker ? redisBreaker.run(read) : read()),
    guardRedis: (target, methods) => (redisBreaker ? guardMethods(target, redisBreaker, methods) : target),
    rejected(err) {
      if (!(err instanceof BreakerOpenError)) return false;
      metrics.breakerRejections.inc({ dependency: err.dependency });
      return true;
    },
    degraded() {
      const out: string[] = [];
      if (redis) out.push(...redisProblems(redis));
      for (const b of [...(redisBreaker ? [redisBreaker] : []), ...models.values()]) {
        const state = b.state;
        if (state !== "closed") out.push(`${b.name} circuit breaker is ${state.replace("_", "-")}`);
      }
      return out;
    },
  };
}
