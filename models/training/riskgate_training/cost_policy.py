"""The expected-loss policy (manifest `policy` block) and the cost model it is judged by.

With A the amount in EUR and p the calibrated probability (the same arithmetic as
services/scoring-api/src/decision/policy.ts):
    loss_allow = p * (A + chargeback_fee_eur);  loss_block = (1 - p) * decline_cost_eur
    block  if loss_block <= min(loss_allow, review_cost_eur)
    review elif loss_allow >= review_min_expected_loss_eur
    allow  otherwise
When a day's review budget is spent, a would-be review becomes block if loss_block < loss_allow,
else allow. Realised cost on labelled rows: missed fraud A + fee, review review_cost, blocked
legit decline_cost (a constant per checkout: the customer turned away).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

ALLOW, REVIEW, BLOCK = 0, 1, 2
RULE = ("loss_allow = p*(A+chargeback_fee_eur), loss_block = (1-p)*decline_cost_eur; "
        "block if loss_block <= min(loss_allow, review_cost_eur); else review if loss_allow >= "
        "review_min_expected_loss_eur; else allow; over the day's review capacity a would-be review "
        "becomes block if loss_block < loss_allow, else allow")


@dataclass(frozen=True)
class Policy:
    chargeback_fee_eur: float
    review_cost_eur: float
    decline_cost_eur: float
    median_amount_eur: float
    fn_over_fp_at_median: float
    review_min_expected_loss_eur: float
    review_capacity_per_day: float

    def to_manifest(self) -> dict[str, Any]:
        return {"kind": "expected_loss", "currency": "EUR", **asdict(self), "rule": RULE}


def seed_policy(amount_train: np.ndarray, *, chargeback_fee: float, review_cost: float, fn_over_fp: float,
                capacity: float) -> Policy:
    """decline_cost from the seed: a missed fraud at the median amount costs fn_over_fp x a decline."""
    median = float(np.median(amount_train))
    return Policy(chargeback_fee, review_cost, (median + chargeback_fee) / fn_over_fp, median, fn_over_fp,
                  review_cost, capacity)


def losses(p: np.ndarray, amount: np.ndarray, pol: Policy) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p, dtype=np.float64)
    return p * (np.asarray(amount, dtype=np.float64) + pol.chargeback_fee_eur), (1.0 - p) * pol.decline_cost_eur


def model_actions(p: np.ndarray, amount: np.ndarray, pol: Policy) -> np.ndarray:
    """The rule before capacity: 0 allow, 1 review, 2 block."""
    allow_loss, block_loss = losses(p, amount, pol)
    block = block_loss <= np.minimum(allow_loss, pol.review_cost_eur)
    review = ~block & (allow_loss >= pol.review_min_expected_loss_eur)
    return np.where(block, BLOCK, np.where(review, REVIEW, ALLOW))


def with_capacity(actions: np.ndarray, p: np.ndarray, amount: np.ndarray, day: np.ndarray,
                  pol: Policy) -> tuple[np.ndarray, int]:
    """First come, first served per day (rows in time order); returns actions and overflow days."""
    allow_loss, block_loss = losses(p, amount, pol)
    out = actions.copy()
    overflow_days = 0
    cap = int(pol.review_capacity_per_day)
    for d in np.unique(day):
        idx = np.flatnonzero((day == d) & (actions == REVIEW))
        if len(idx) > cap:
            overflow_days += 1
            late = idx[cap:]
            out[late] = np.where(block_loss[late] < allow_loss[late], BLOCK, ALLOW)
    return out, overflow_days


def day_index(occurred_at: Any) -> np.ndarray:
    """UTC day number of each row (the review budget is per UTC day)."""
    t = pd.to_datetime(occurred_at, utc=True)
    return ((t - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)


def reviews_per_day(actions: np.ndarray, day: np.ndarray) -> np.ndarray:
    days = np.unique(day)
    return np.array([int(((day == d) & (actions == REVIEW)).sum()) for d in days])


def fit_review_min(p: np.ndarray, amount: np.ndarray, day: np.ndarray, pol: Policy,
                   quantile: float = 0.95) -> tuple[Policy, dict[str, Any]]:
    """Smallest review_min_expected_loss_eur >= review_cost whose p95 day of reviews fits capacity."""
    allow_loss, _ = losses(p, amount, pol)
    base = model_actions(p, amount, pol)
    candidates = np.unique(allow_loss[base == REVIEW])
    cap = pol.review_capacity_per_day

    def p95(threshold: float) -> float:
        acts = np.where((base == REVIEW) & (allow_loss < threshold), ALLOW, base)
        return float(np.quantile(reviews_per_day(acts, day), quantile))

    lo = pol.review_cost_eur
    if p95(lo) > cap:
        # binary search over observed losses: reviews fall monotonically as the threshold rises
        i, j = 0, len(candidates) - 1
        while i < j:
            mid = (i + j) // 2
            if p95(float(np.nextafter(candidates[mid], np.inf))) <= cap:
                j = mid
            else:
                i = mid + 1
        lo = float(np.nextafter(candidates[i], np.inf))
    fitted = Policy(**{**asdict(pol), "review_min_expected_loss_eur": lo})
    return fitted, {"p95_reviews_per_day": p95(lo), "quantile": quantile,
                    "raised_above_review_cost": bool(lo > pol.review_cost_eur), "fitted_on": "valid"}


@dataclass(frozen=True)
class CostBreakdown:
    total_eur: float
    missed_fraud_eur: float
    declined_legit_eur: float
    review_eur: float
    rows: int
    days: float
    n_block: int
    n_review: int

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = asdict(self)
        d["per_1000_checkouts_eur"] = 1000.0 * self.total_eur / self.rows
        d["per_day_eur"] = self.total_eur / self.days
        d["reviews_per_day"] = self.n_review / self.days
        return d


def policy_cost(actions: np.ndarray, y: np.ndarray, amount: np.ndarray, pol: Policy, days: float) -> CostBreakdown:
    """Realised cost of explicit actions on labelled rows (model and rules alike)."""
    fraud = np.asarray(y).astype(bool)
    allow, review, block = actions == ALLOW, actions == REVIEW, actions == BLOCK
    missed = float((np.asarray(amount)[allow & fraud] + pol.chargeback_fee_eur).sum())
    declined = float((block & ~fraud).sum() * pol.decline_cost_eur)
    rev = float(review.sum() * pol.review_cost_eur)
    return CostBreakdown(missed + declined + rev, missed, declined, rev, len(actions), days, int(block.sum()),
                         int(review.sum()))
