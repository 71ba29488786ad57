import type { FeatureSet } from "@riskgate/feature-store/definitions";
import type { Checkout } from "@riskgate/feature-store/events";
import { type PipelineDeps, runPipeline } from "../decision/pipeline.ts";
import { type OverflowMode, planReview, settleReview } from "../decision/review-capacity.ts";
import type { Action, PolicyCosts, RulesPort, ScoringModel } from "../decision/types.ts";
import { MemoryReviewBudget } from "../review/review-budget.ts";
import { ReplayInputError } from "./inputs.ts";

/** One decision system of a backtest: the rules alone, or the rules with a model's recorded scores. */
export interface ReplaySystem {
  readonly name: string;
  /** Calibrated probability per checkout event id; null: the rules alone (model switched off). */
  readonly scores: ReadonlyMap<string, number> | null;
  /** The model's cost model (manifest v2 policy, in EUR); required with scores. */
  readonly policy?: PolicyCosts;
}

export interface ReplaySettings {
  readonly features: FeatureSet;
  readonly rules: RulesPort;
  /** Backfilled feature values per checkout event id, in feature-set order. */
  readonly rows: ReadonlyMap<string, readonly number[]>;
  readonly reviewCapacityPerDay: number;
  readonly overflow: OverflowMode;
}

export interface ReplayedDecision {
  readonly system: string;
  readonly eventId: string;
  readonly occurredAt: string;
  /** The acting rules' action, if any rule acted (the backtest needs it to set equal review volumes). */
  readonly rule: Action | undefined;
  /** What the pipeline (rules + model + policy) decided, before the review budget. */
  readonly pipeline: Action;
  /** What the checkout got: a review past the day's budget becomes the overflow action. */
  readonly decision: Action;
  readonly score: number | null;
  readonly overflow: boolean;
}

/**
 * Replays recorded checkouts through the serving decision code: runPipeline with the real rules
 * engine, a model port that answers with the recorded score, and a per-day review budget on the
 * checkout's own clock. Checkouts must be in occurred_at order (the budget is per UTC day).
 */
export async function* replayDecisions(
  settings: ReplaySettings,
  system: ReplaySystem,
  checkouts: readonly Checkout[],
): AsyncGenerator<ReplayedDecision> {
  assertComplete(settings, system, checkouts);
  let ruleAction: Action | undefined;
  const rules: RulesPort = {
    version: settings.rules.version,
    evaluate: (input) => {
      const outcome = settings.rules.evaluate(input);
      ruleAction = outcome.action;
      return outcome;
    },
  };
  const deps: PipelineDeps = {
    features: settings.features,
    readFeatures: async (c) => ({
      values: settings.rows.get(c.event_id) as number[],
      missing: [],
      stale: [],
    }),
    rules,
    modelEnabled: () => true,
    // Reasons do not change a decision; explaining recorded scores has no trees to explain with.
    reasonsFromModel: 0,
    // Never consulted: a failed read or model throws below instead of degrading.
    degradedPolicy: { reviewAboveEur: Number.POSITIVE_INFINITY, blockAboveEur: Number.POSITIVE_INFINITY },
    onDependencyError: (dependency, err) => {
      throw new ReplayInputError(`${dependency} failed during replay: ${(err as Error).message}`);
    },
  };
  const budget = new MemoryReviewBudget(settings.reviewCapacityPerDay);
  for (const checkout of checkouts) {
    const score = system.scores?.get(checkout.event_id);
    const model =
      score === undefined ? null : recordedModel(system.name, score, system.policy as PolicyCosts);
    const result = await runPipeline(deps, checkout, model);
    // The capacity step of ScoreService.score, without exploration (share 0, propensity 1).
    const plan = planReview(result, 0, 1);
    const granted = plan.decision === "review" && (await budget.tryTake(new Date(checkout.occurred_at)));
    const settled = settleReview(plan, granted, settings.overflow, settings.reviewCapacityPerDay);
    yield {
      system: system.name,
      eventId: checkout.event_id,
      occurredAt: checkout.occurred_at,
      rule: ruleAction,
      pipeline: result.decision,
      decision: settled.decision,
      score: result.score,
      overflow: settled.overflowed,
    };
  }
}

function recordedModel(name: string, score: number, policy: PolicyCosts): ScoringModel {
  const p = { raw: score, calibrated: score };
  return {
    name,
    version: "replay",
    policy,
    predict: async () => p,
    topReasons: () => [],
  };
}

/** A missing row or score would silently decide on defaults or on rules alone: refuse instead. */
function assertComplete(settings: ReplaySettings, system: ReplaySystem, checkouts: readonly Checkout[]) {
  if (system.scores && !system.policy) {
    throw new ReplayInputError(`system ${system.name}: scores without a policy`);
  }
  let last = Number.NEGATIVE_INFINITY;
  for (const c of checkouts) {
    if (!settings.rows.has(c.event_id))
      throw new ReplayInputError(`no feature row for checkout ${c.event_id}`);
    if (system.scores && !system.scores.has(c.event_id)) {
      throw new ReplayInputError(`system ${system.name}: no score for checkout ${c.event_id}`);
    }
    const t = Date.parse(c.occurred_at);
    if (t < last) throw new ReplayInputError(`checkouts are not in occurred_at order at ${c.event_id}`);
    last = t;
  }
}
