"""Operating points for the backtest: where each model's review and block bars sit.

The decisions are made by the serving code (the TypeScript replay); this module only chooses the
numbers that code is configured with. Today that code decides on calibrated-probability
thresholds (`services/scoring-api/src/decision/policy.ts`: block if p >= block, review if
p >= review), so the manifest v2 expected-loss rule is expressed here at the median amount:

    block  where (1 - p) * decline_cost <= min(p * (median + fee), review_cost)
    review where p * (median + fee) >= review_cost, raised until the p95 validation day fits capacity

When policy.ts moves to expected loss per checkout, the same two choices become
`review_min_expected_loss_eur` (capacity point) and the equal-volume bar on p * (amount + fee).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskgate_training.backtest_costs import PolicyCosts


@dataclass(frozen=True)
class Thresholds:
    review: float
    block: float

    def to_dict(self) -> dict[str, float]:
        return {"review": self.review, "block": self.block}


def block_threshold(costs: PolicyCosts) -> float:
    """Smallest p at which blocking the median checkout costs no more than reviewing or allowing it."""
    loss_allow_per_p = costs.median_amount_eur + costs.chargeback_fee_eur
    d, r = costs.decline_cost_eur, costs.review_cost_eur
    # (1 - p) d <= r  <=>  p >= 1 - r/d ;  (1 - p) d <= p (A + fee)  <=>  p >= d / (A + fee + d)
    return float(min(1.0, max(1.0 - r / d, d / (loss_allow_per_p + d))))


def capacity_point(p_valid: np.ndarray, day_valid: np.ndarray, costs: PolicyCosts, capacity_per_day: float,
                   block: float | None = None) -> Thresholds:
    """The cost bar for review, raised just enough that the p95 day of model reviews on the
    validation days fits the daily review capacity."""
    block = block_threshold(costs) if block is None else block
    review = min(block, costs.review_cost_eur / (costs.median_amount_eur + costs.chargeback_fee_eur))
    p = np.asarray(p_valid, dtype=np.float64)
    days = np.asarray(day_valid)
    if _p95_reviews(p, days, review, block) <= capacity_per_day:
        return Thresholds(review, block)
    # Bisection on the bar: reviews per day only fall as it rises.
    lo, hi = review, block
    for _ in range(60):
        mid = (lo + hi) / 2.0
        if _p95_reviews(p, days, mid, block) <= capacity_per_day:
            hi = mid
        else:
            lo = mid
    return Thresholds(hi, block)


def _p95_reviews(p: np.ndarray, days: np.ndarray, review: float, block: float) -> float:
    flagged = (p >= review) & (p < block)
    _, counts = np.unique(days[flagged], return_counts=True)
    n_days = len(np.unique(days))
    per_day = np.concatenate([counts, np.zeros(n_days - len(counts))]).astype(np.float64)
    return float(np.percentile(per_day, 95)) if n_days else 0.0


def equal_volume_point(p: np.ndarray, rule_action: np.ndarray, target_reviews: int, block: float) -> Thresholds:
    """The review bar at which rules + model review `target_reviews` checkouts of this window, as
    the serving combination does it: an allow or block rule decides; otherwise the model's block
    wins, and a review comes from a review rule or from p >= bar.

    If the rules' own reviews left after model blocks already reach the target, the model adds no
    review band (bar = block)."""
    p = np.asarray(p, dtype=np.float64)
    rule_action = np.asarray(rule_action)
    open_ = ~np.isin(rule_action, ("allow", "block")) & (p < block)
    floor = int((open_ & (rule_action == "review")).sum())
    candidates = np.sort(p[open_ & (rule_action != "review")])[::-1]
    extra = target_reviews - floor
    if extra <= 0 or len(candidates) == 0:
        return Thresholds(block, block)
    if extra >= len(candidates):
        return Thresholds(0.0, block)
    # Midway between the last score in and the first score out, so no score sits on the bar.
    return Thresholds(float((candidates[extra - 1] + candidates[extra]) / 2.0), block)
