"""Choose the review band and block threshold by expected cost under a review capacity.

Policy semantics (mirrored by the scoring service), with p the calibrated probability:
    p >= block            -> block   (fraud caught; a legit booking loses its margin)
    review <= p < block   -> review  (costs one analyst review; fraud caught, legit passes)
    p < review            -> allow   (a fraud costs amount + chargeback fee)
Expected cost per checkout is estimated on labelled rows: sum of the costs above / rows.
Thresholds are searched jointly over candidate cut points between observed scores and the
cheapest pair whose review volume fits the daily capacity wins.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class CostModel:
    """Cost assumptions in EUR. Defaults: a median (~200 EUR) missed fraud costs about 20x a
    wrongly blocked good booking ((200 + 25) / (0.05 * 200) = 22.5)."""

    chargeback_fee_eur: float = 25.0
    margin_rate: float = 0.05
    review_cost_eur: float = 4.0

    def fn_cost(self, amount: np.ndarray) -> np.ndarray:
        """Missed fraud: we lose the booking amount and pay the chargeback fee."""
        return np.asarray(amount, dtype=np.float64) + self.chargeback_fee_eur

    def fp_cost(self, amount: np.ndarray) -> np.ndarray:
        """Blocked good booking: we lose our margin on it."""
        return self.margin_rate * np.asarray(amount, dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = asdict(self)
        d["false_negative"] = "amount_eur + chargeback_fee_eur"
        d["false_positive_block"] = "margin_rate * amount_eur"
        d["review"] = "review_cost_eur per reviewed checkout (reviewed fraud is caught, reviewed legit passes)"
        return d


@dataclass(frozen=True)
class CostBreakdown:
    """Realised cost of a policy on labelled rows."""

    total_eur: float
    missed_fraud_eur: float
    blocked_legit_eur: float
    review_eur: float
    rows: int
    days: float
    n_block: int
    n_review: int

    @property
    def per_1000_checkouts_eur(self) -> float:
        return 1000.0 * self.total_eur / self.rows

    @property
    def per_day_eur(self) -> float:
        return self.total_eur / self.days

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = asdict(self)
        d["per_1000_checkouts_eur"] = self.per_1000_checkouts_eur
        d["per_day_eur"] = self.per_day_eur
        d["reviews_per_day"] = self.n_review / self.days
        return d


def policy_cost(
    decisions: np.ndarray, y: np.ndarray, amount: np.ndarray, costs: CostModel, days: float
) -> CostBreakdown:
    """Cost of explicit decisions (0 allow, 1 review, 2 block); used for model and rules alike."""
    decisions = np.asarray(decisions)
    fraud = np.asarray(y).astype(bool)
    allow, review, block = decisions == 0, decisions == 1, decisions == 2
    missed = float(costs.fn_cost(amount)[allow & fraud].sum())
    blocked_legit = float(costs.fp_cost(amount)[block & ~fraud].sum())
    rev = float(review.sum() * costs.review_cost_eur)
    return CostBreakdown(missed + blocked_legit + rev, missed, blocked_legit, rev, len(decisions), days, int(block.sum()), int(review.sum()))


def decide(score: np.ndarray, review: float, block: float) -> np.ndarray:
    """0 allow / 1 review / 2 block, exactly the serving comparisons (>=)."""
    s = np.asarray(score, dtype=np.float64)
    return np.where(s >= block, 2, np.where(s >= review, 1, 0))


@dataclass(frozen=True)
class ThresholdChoice:
    review: float
    block: float
    cost: CostBreakdown
    capacity_per_day: float
    candidates: int
    curve: dict[str, list[float]]  # cost vs block threshold (no review band), for the plot


def candidate_thresholds(score: np.ndarray, max_candidates: int = 1500) -> np.ndarray:
    """Cut points: 0 (flag everything), midpoints between consecutive distinct scores (so a
    threshold never sits exactly on a served value), and 1.0 (effectively never). Very many
    distinct scores are thinned by quantiles, keeping resolution where the mass is."""
    u = np.unique(np.asarray(score, dtype=np.float64))
    if len(u) > max_candidates:
        q = np.quantile(u, np.linspace(0.0, 1.0, max_candidates))
        u = np.unique(q)
    mids = (u[:-1] + u[1:]) / 2.0
    return np.unique(np.concatenate([[0.0], mids, [1.0]]))


def choose_thresholds(
    score: np.ndarray,
    y: np.ndarray,
    amount: np.ndarray,
    costs: CostModel,
    capacity_per_day: float,
    days: float,
    max_candidates: int = 1500,
) -> ThresholdChoice:
    """Minimise realised cost over (review <= block) subject to reviews/day <= capacity.
    Among equal costs the pair with fewer reviews wins."""
    s = np.asarray(score, dtype=np.float64)
    fraud = np.asarray(y).astype(bool)
    t = candidate_thresholds(s, max_candidates)

    order = np.argsort(s, kind="mergesort")
    s_sorted = s[order]
    fn = np.where(fraud, costs.fn_cost(amount), 0.0)[order]
    fp = np.where(~fraud, costs.fp_cost(amount), 0.0)[order]
    # k_t = number of rows with score < t ; rows [k_t:] have score >= t
    k = np.searchsorted(s_sorted, t, side="left")
    cum_fn = np.concatenate([[0.0], np.cumsum(fn)])
    cum_fp = np.concatenate([[0.0], np.cumsum(fp)])
    n = len(s)
    missed_below = cum_fn[k]  # fraud allowed when review threshold = t
    fp_above = cum_fp[n] - cum_fp[k]  # legit blocked when block threshold = t
    at_or_above = n - k

    # rows i = review threshold, cols j = block threshold, need t_i <= t_j
    reviews = at_or_above[:, None] - at_or_above[None, :]
    total = missed_below[:, None] + fp_above[None, :] + costs.review_cost_eur * reviews
    feasible = (np.arange(len(t))[:, None] <= np.arange(len(t))[None, :]) & (reviews / days <= capacity_per_day + 1e-9)
    total = np.where(feasible, total, np.inf)
    best = np.min(total)
    tie = np.isclose(total, best, rtol=1e-12, atol=1e-9) & feasible
    ii, jj = np.nonzero(tie)
    pick = np.argmin(reviews[ii, jj])
    i, j = int(ii[pick]), int(jj[pick])
    review_t, block_t = float(t[i]), float(t[j])
    if i == j:  # empty review band: express it as review == block
        review_t = block_t
    cost = policy_cost(decide(s, review_t, block_t), fraud, amount, costs, days)
    diag = np.arange(len(t))
    curve = {"threshold": t.tolist(), "cost_block_only": (missed_below + fp_above).tolist(),
             "cost_with_chosen_review": np.where(diag <= j, total[diag, j], np.nan).tolist()}
    return ThresholdChoice(review_t, block_t, cost, capacity_per_day, len(t), curve)
