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
  pipeline: { readonly decision: Action; readonly loss: ExpectedLoss | null; readonly explorable: boolean },
  share: number,
  draw: number,
): ReviewPlan {
  const { decision, loss } = pipeline;
  if (!pipeline.explorable || share <= 0) return { decision, loss, exploration: false, propensity: 1 };
  if (draw < share) return { decision: "review", loss, exploration: true, propensity: share };
  return { decision, loss, exploration: false, propensity: 1 - share };
}

/**
 * The capacity step, pure: `granted` says whether the day's review budget had room for this
 * checkout (asked only when the plan is a review). Shared by the API and the backtest replay.
 * An exploration review without room stays the allow it was; a policy or rule review without room
 * overflows by expected loss, never to a blanket allow. Without a model score (rules only,
 * degraded) there is no expected loss to rank by, and the cautious answer is block.
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
  const decision = overflow !== "expected_loss" ? overflow : plan.loss ? overflowAction(plan.loss) : "block";
  const why =
    overflow !== "expected_loss"
      ? `REVIEW_OVERFLOW_ACTION=${overflow}`
      : plan.loss
        ? `expected loss €${plan.loss.allow.toFixed(2)} if allowed, €${plan.loss.block.toFixed(2)} if blocked`
        : "no model score to rank by";
  return {
    decision,
    exploration,
    propensity,
    overflowed: true,
    reason: { code, detail: `${what}: ${decision} (${why})` },
  };
}
