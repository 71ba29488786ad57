import { overflowAction } from "./policy.ts";
import type { Action, ExpectedLoss, Reason } from "./types.ts";

/**
 * What a would-be review gets once the day's review budget is spent: `expected_loss` (the
 * default) ranks it by its expected loss (block when blocking loses less than allowing, else
 * allow); `allow` and `block` are operator overrides for every overflowing checkout.
 */
export type OverflowMode = "expected_loss" | "allow" | "block";

/** The decision before the review budget is asked, with the exploration draw applied. */
export interface ReviewPlan {
  readonly decision: Action;
  readonly loss: ExpectedLoss | null;
  /** The review was asked for by exploration, not by the policy or the rules. */
  readonly exploration: boolean;
  /** Probability that this checkout gets the decision it gets under exploration; 1 when not exploring. */
  readonly propensity: number;
  /** A review rule that fired with `overflow: block`: without a review, block (rules/schema.ts). */
  readonly overflowBlock?: string;
}

export interface Settled {
  readonly decision: Action;
  readonly exploration: boolean;
  readonly propensity: number;
  readonly overflowed: boolean;
  readonly reason?: Reason;
}

/**
 * Exploration: a `share` of the checkouts the model would allow (and no rule decided) is sent to
 * review, so that labels also come from the traffic the policy lets through; nothing the policy
 * would review or block is ever allowed. `draw` is uniform in [0, 1) (injected, seeded in tests).
 */
export function planReview(
  pipeline: {
    readonly decision: Action;
    readonly loss: ExpectedLoss | null;
    readonly explorable: boolean;
    readonly overflowBlock?: string;
  },
  share: number,
  draw: number,
): ReviewPlan {
  const { decision, loss, overflowBlock } = pipeline;
  if (!pipeline.explorable || share <= 0)
    return { decision, loss, exploration: false, propensity: 1, ...(overflowBlock ? { overflowBlock } : {}) };
  if (draw < share) return { decision: "review", loss, exploration: true, propensity: share };
  return { decision, loss, exploration: false, propensity: 1 - share };
}

/**
 * The capacity step, pure: `granted` says whether the day's review budget had room for this
 * checkout (asked only when the plan is a review). Shared by the API and the backtest replay.
 * An exploration review without room stays the allow it was; a policy or rule review without room
 * overflows by expected loss, never to a blanket allow, unless a review rule that fired says
 * `overflow: block` (a rule precise enough that blocking beats allowing at any amount: ranked by the
 * model's expected loss, an attack the model never saw would be allowed once an attacker has spent
 * the budget). Without a model score (rules only, degraded) there is no expected loss to rank by,
 * and the cautious answer is block.
 */
export function settleReview(
  plan: ReviewPlan,
  granted: boolean,
  overflow: OverflowMode,
  capacity: number,
): Settled {
  const { exploration, propensity } = plan;
  if (plan.decision !== "review" || granted)
    return { decision: plan.decision, exploration, propensity, overflowed: false };
  return overflowed(plan, overflow, "REVIEW_CAPACITY_SPENT", `daily review budget of ${capacity} spent`);
}

/**
 * A review whose case could not be opened (the queue unreachable): no human would ever see it, so
 * the answer is not a review; it takes the overflow action, as if the budget were spent.
 */
export function settleWithoutCase(plan: ReviewPlan, overflow: OverflowMode): Settled {
  return overflowed(plan, overflow, "REVIEW_CASE_UNAVAILABLE", "the review case could not be opened");
}

function overflowed(plan: ReviewPlan, overflow: OverflowMode, code: string, what: string): Settled {
  const { exploration, propensity } = plan;
  if (exploration) return { decision: "allow", exploration: false, propensity, overflowed: false };
  const { decision, why } = overflowChoice(plan, overflow);
  return {
    decision,
    exploration,
    propensity,
    overflowed: true,
    reason: { code, detail: `${what}: ${decision} (${why})` },
  };
}

/** The overflow's action and why: the operator's override, a rule's `overflow: block`, or the loss. */
function overflowChoice(plan: ReviewPlan, overflow: OverflowMode): { decision: Action; why: string } {
  if (overflow !== "expected_loss") return { decision: overflow, why: `REVIEW_OVERFLOW_ACTION=${overflow}` };
  if (plan.overflowBlock)
    return { decision: "block", why: `${plan.overflowBlock} blocks what it cannot send to review` };
  if (!plan.loss) return { decision: "block", why: "no model score to rank by" };
  const { allow, block } = plan.loss;
  return {
    decision: overflowAction(plan.loss),
    why: `expected loss €${allow.toFixed(2)} if allowed, €${block.toFixed(2)} if blocked`,
  };
}
