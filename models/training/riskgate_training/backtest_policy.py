"""Operating points for the backtest: the review bar each model + rules system runs at.

The decisions are made by the serving code (the TypeScript replay runs
services/scoring-api/src/decision/policy.ts); this module only chooses the number that code is
configured with, `review_min_expected_loss_eur`, with the manifest v2 rule's arithmetic
(loss_allow = p (A + fee), loss_block = (1 - p) decline_cost; block if loss_block <=
min(loss_allow, review_cost)):

* capacity point: the review cost, raised until the p95 validation day of model reviews fits the
  daily capacity;
* equal volume: the bar at which rules + model review as many checkouts as the rules alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskgate_training.backtest_costs import PolicyCosts

NO_REVIEW_BAND = 1e12


@dataclass(frozen=True)
class OperatingPoint:
    review_min_expected_loss_eur: float

    def policy(self, costs: PolicyCosts) -> dict[str, float]:
        """The replay's (and the API's) cost model."""
        return {"chargebackFeeEur": costs.chargeback_fee_eur, "reviewCostEur": costs.review_cost_eur,
                "declineCostEur": costs.decline_cost_eur, "reviewMinExpectedLossEur": self.review_min_expected_loss_eur}


def losses(p: np.ndarray, amount: np.ndarray, costs: PolicyCosts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """loss_allow, loss_block and where the model blocks."""
    p = np.asarray(p, dtype=np.float64)
    allow = p * (np.asarray(amount, dtype=np.float64) + costs.chargeback_fee_eur)
    block = (1.0 - p) * costs.decline_cost_eur
    return allow, block, block <= np.minimum(allow, costs.review_cost_eur)


def capacity_point(p_valid: np.ndarray, amount_valid: np.ndarray, day_valid: np.ndarray, costs: PolicyCosts,
                   capacity_per_day: float) -> OperatingPoint:
    allow, _, blocked = losses(p_valid, amount_valid, costs)
    days = np.asarray(day_valid)
    lo = costs.review_cost_eur
    if _p95_reviews(allow, blocked, days, lo) <= capacity_per_day:
        return OperatingPoint(lo)
    hi = float(allow.max()) * 2 + 1
    for _ in range(80):  # reviews per day only fall as the bar rises
        mid = (lo + hi) / 2.0
        if _p95_reviews(allow, blocked, days, mid) <= capacity_per_day:
            hi = mid
        else:
            lo = mid
    return OperatingPoint(hi)


def _p95_reviews(allow: np.ndarray, blocked: np.ndarray, days: np.ndarray, bar: float) -> float:
    flagged = ~blocked & (allow >= bar)
    n_days = len(np.unique(days))
    _, counts = np.unique(days[flagged], return_counts=True)
    per_day = np.concatenate([counts, np.zeros(n_days - len(counts))]).astype(np.float64)
    return float(np.percentile(per_day, 95)) if n_days else 0.0


def equal_volume_point(p: np.ndarray, amount: np.ndarray, rule_action: np.ndarray, target_reviews: int,
                       costs: PolicyCosts) -> OperatingPoint:
    """The bar at which rules + model review `target_reviews` checkouts, as serving combines them:
    an allow or block rule decides; otherwise a model block wins, and a review comes from a review
    rule or from loss_allow >= bar. If the rules' reviews left after model blocks already reach the
    target, the model adds no review band."""
    allow, _, blocked = losses(p, amount, costs)
    rule_action = np.asarray(rule_action)
    open_ = ~np.isin(rule_action, ("allow", "block")) & ~blocked
    floor = int((open_ & (rule_action == "review")).sum())
    candidates = np.sort(allow[open_ & (rule_action != "review")])[::-1]
    extra = target_reviews - floor
    if extra <= 0 or len(candidates) == 0:
        return OperatingPoint(NO_REVIEW_BAND)
    if extra >= len(candidates):
        return OperatingPoint(0.0)
    # Midway between the last loss in and the first out, so no checkout sits on the bar.
    return OperatingPoint(float((candidates[extra - 1] + candidates[extra]) / 2.0))
