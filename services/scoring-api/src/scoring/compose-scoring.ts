import type { Logger } from "@riskgate/common/logger";
import type { RedisClient } from "@riskgate/common/redis-client";
import type { Closer } from "@riskgate/common/shutdown";
import type { Tracing } from "@riskgate/common/tracing";
import type { FeatureSet } from "@riskgate/feature-store/definitions";
import type { OnlineStore } from "@riskgate/feature-store/online";
import type { Registry } from "prom-client";
import type { ApiConfig } from "../config.ts";
import type { PolicyCosts } from "../decision/types.ts";
import { createDriftMonitor } from "../drift/drift-metrics.ts";
import type { ApiMetrics } from "../metrics.ts";
import type { LoadedModel } from "../model/loaded-model.ts";
import type { ModelRouter } from "../model/model-router.ts";
import type { Resilience } from "../resilience/wiring.ts";
import type { ReviewBudget } from "../review/review-budget.ts";
import type { ReviewQueue } from "../review/review-queue.ts";
import type { RuleEngine } from "../rules/index.ts";
import type { DecisionLog } from "./decision-log.ts";
import type { DecisionStore } from "./decision-store.ts";
import { batchedPerTurn } from "./redis-batching.ts";
import { ScoreService, type ScoreServiceDeps } from "./score-service.ts";
import { throttledWarnings } from "./throttled-warnings.ts";
import { TracedScoreService } from "./traced-score-service.ts";

/**
 * Per dependency or step, the first degradation warning is logged, then at most one per interval
 * (with the count left out); riskgate_dependency_errors_total counts every one.
 */
const DEGRADED_WARNING_INTERVAL_MS = 10_000;

/** What compose.ts has built that one checkout's scoring uses. */
export interface ScoringWiring {
  readonly config: ApiConfig;
  readonly registry: Registry;
  readonly logger: Logger;
  /**
   * The checkout's feature read within its budget (POST /v1/features's, which only reads), that also
   * counts the checkout in its velocity state; scoring adds the breaker.
   */
  readonly readFeatures: ScoreServiceDeps["pipeline"]["readFeatures"];
  readonly metrics: ApiMetrics;
  readonly features: FeatureSet;
  readonly rules: RuleEngine;
  readonly router: ModelRouter;
  /** The drift monitor's reference. */
  readonly champion: LoadedModel;
  readonly modelEnabled: (m: { version: string }) => boolean;
  readonly resilience: Resilience;
  readonly store: OnlineStore;
  readonly decisions: DecisionStore;
  readonly budget: ReviewBudget;
  readonly queue: ReviewQueue;
  readonly log: DecisionLog;
  readonly redis?: RedisClient;
  readonly tracing?: Tracing;
  readonly random?: () => number;
  readonly now: () => number;
}

/**
 * The scoring service: the pipeline behind its timeouts and breakers, side effects guarded, traced
 * if enabled; and its closer, which logs the degradation warnings still left out (after the listener
 * has closed: no checkout adds one after it).
 */
export function composeScoring(w: ScoringWiring): { scorer: ScoreService; closer: Closer } {
  const { config, metrics, features, resilience, store, now } = w;
  const warnings = throttledWarnings(w.logger, { intervalMs: DEGRADED_WARNING_INTERVAL_MS, now });
  const { warn } = warnings;
  const scorerDeps: ScoreServiceDeps = {
    pipeline: {
      features,
      readFeatures: (c) => resilience.featureRead(() => w.readFeatures(c)),
      rules: w.rules,
      modelEnabled: w.modelEnabled,
      ...policyOverrides(config),
      reasonsFromModel: config.reasonsFromModel,
      degradedPolicy: {
        reviewAboveEur: config.degradedReviewAboveEur,
        blockAboveEur: config.degradedBlockAboveEur,
      },
      predict: resilience.predict,
      ...(w.tracing?.enabled ? { span: w.tracing.span } : {}),
      onDependencyError: (dependency, err) => {
        if (resilience.rejected(err)) return;
        metrics.dependencyErrors.inc({ dependency });
        warn(`dependency:${dependency}`, { dependency, err }, "scoring degraded");
      },
    },
    router: w.router,
    // An open Redis breaker skips these side effects outright instead of failing each one.
    decisions: resilience.guardRedis(w.decisions, ["get", "putIfAbsent"]),
    budget: resilience.guardRedis(w.budget, ["tryTake", "used"]),
    queue: resilience.guardRedis(w.queue, ["open"]),
    store: resilience.guardRedis(store, ["apply"]),
    log: w.log,
    metrics,
    overflow: config.reviewOverflowAction,
    explorationShare: config.explorationShare,
    random: w.random ?? Math.random,
    drift: createDriftMonitor({
      registry: w.registry,
      specs: features.specs,
      model: w.champion,
      windowMs: config.driftWindowMinutes * 60_000,
      now,
    }),
    reviewSlaMs: config.reviewSlaMinutes * 60_000,
    onError: (step, err) => {
      if (resilience.rejected(err)) return;
      metrics.dependencyErrors.inc({ dependency: step });
      warn(`step:${step}`, { step, err }, "side effect failed; the decision was still served");
    },
    now,
    together: batchedPerTurn(w.redis),
  };
  const scorer = w.tracing?.enabled
    ? new TracedScoreService(scorerDeps, w.tracing.span)
    : new ScoreService(scorerDeps);
  return { scorer, closer: { name: "degraded warnings", close: async () => warnings.flush() } };
}

/** The cost-model numbers set in configuration, as the pipeline's `policyOverrides` if any. */
function policyOverrides(config: ApiConfig): { policyOverrides?: Partial<PolicyCosts> } {
  const o: { -readonly [K in keyof PolicyCosts]?: number } = {};
  if (config.chargebackFeeEur !== undefined) o.chargebackFeeEur = config.chargebackFeeEur;
  if (config.reviewCostEur !== undefined) o.reviewCostEur = config.reviewCostEur;
  if (config.declineCostEur !== undefined) o.declineCostEur = config.declineCostEur;
  if (config.reviewMinExpectedLossEur !== undefined)
    o.reviewMinExpectedLossEur = config.reviewMinExpectedLossEur;
  return Object.keys(o).length > 0 ? { policyOverrides: o } : {};
}
