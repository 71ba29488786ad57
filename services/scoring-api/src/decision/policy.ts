import type { Action, DegradedPolicy, ExpectedLoss, PolicyCosts, Reason } from "./types.ts";

export function expectedLoss(p: number, amountEur: number, costs: PolicyCosts): ExpectedLoss {
  return {
    amountEur,
    p,
    allow: p * (amountEur + costs.chargebackFeeEur),
    block: (1 - p) * costs.declineCostEur,
  };
}

/**
 * The model's action on expected loss (the manifest's `policy.rule`; models/training fits
 * review_min_expected_loss_eur with the same arithmetic): block when turning the customer away
 * costs no more than either letting the checkout through or reviewing it; else review when the
 * loss a review prevents reaches the minimum; else allow.
 */
export function modelAction(loss: ExpectedLoss, costs: PolicyCosts): Action {
  if (loss.block <= Math.min(loss.allow, costs.reviewCostEur)) return "block";
  if (loss.allow >= costs.reviewMinExpectedLossEur) return "review";
  return "allow";
}

/** A would-be review past the day's capacity: the cheaper of the two remaining answers. */
export function overflowAction(loss: ExpectedLoss): "allow" | "block" {
  return loss.block < loss.allow ? "block" : "allow";
}

const SEVERITY: Record<Action, number> = { allow: 0, review: 1, block: 2 };

/**
 * Combines the rules' acting decision with the model's. An allow-list match is an operator's
 * explicit decision and wins; a block rule is a hard stop; a review rule raises an allow to a
 * review but never lowers a model block.
 */
export function combine(ruleAction: Action | undefined, model: Action | undefined): Action {
  if (ruleAction === "allow" || ruleAction === "block") return ruleAction;
  const candidates: Action[] = [ruleAction ?? "allow", model ?? "allow"];
  return candidates.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
}

const eur = (v: number) => `€${v.toFixed(2)}`;

/** The reason code of a policy decision: what it would lose each way, on which amount. */
export function lossReason(loss: ExpectedLoss): { code: string; detail: string } {
  return {
    code: "EXPECTED_LOSS",
    detail:
      `p=${loss.p.toPrecision(3)} on ${eur(loss.amountEur)}: expected loss ${eur(loss.allow)} if allowed, ` +
      `${eur(loss.block)} if blocked`,
  };
}

/**
 * The action of a degraded checkout (stored features or the model unavailable): with no score to
 * weigh, the amount at stake decides, so an outage is never an "allow everything" window.
 */
export function degradedAction(amountEur: number, policy: DegradedPolicy): Action {
  if (amountEur >= policy.blockAboveEur) return "block";
  if (amountEur >= policy.reviewAboveEur) return "review";
  return "allow";
}

export function degradedReason(amountEur: number, action: Action, policy: DegradedPolicy): Reason {
  const threshold = action === "block" ? policy.blockAboveEur : policy.reviewAboveEur;
  return {
    code: "DEGRADED_AMOUNT_POLICY",
    detail: `no model score (degraded): ${eur(amountEur)} is at or above the ${action} amount ${eur(threshold)}`,
  };
}
