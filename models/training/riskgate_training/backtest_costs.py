"""Backtest arithmetic: what each decision costs, per-day totals, and bootstrap-by-day intervals.

Costs follow the manifest v2 policy block (one currency, EUR), per checkout:

| decision | fraud                          | legit             |
| -------- | ------------------------------ | ----------------- |
| allow    | amount + chargeback_fee        | 0                 |
| review   | review_cost (fraud caught)     | review_cost       |
| block    | 0                              | decline_cost      |

The decisions themselves come from the TypeScript replay (the serving code); this module only
prices and counts them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

DECISIONS = ("allow", "review", "block")


@dataclass(frozen=True)
class PolicyCosts:
    chargeback_fee_eur: float = 25.0
    review_cost_eur: float = 4.0
    decline_cost_eur: float = 11.25
    median_amount_eur: float = 200.0
    fn_over_fp_at_median: float = 20.0

    @staticmethod
    def seeded(median_amount_eur: float, chargeback_fee_eur: float = 25.0, review_cost_eur: float = 4.0,
               fn_over_fp_at_median: float = 20.0) -> "PolicyCosts":
        """The contract's seed: a missed fraud at the median amount costs fn_over_fp x a declined good one."""
        return PolicyCosts(chargeback_fee_eur, review_cost_eur,
                           (median_amount_eur + chargeback_fee_eur) / fn_over_fp_at_median,
                           median_amount_eur, fn_over_fp_at_median)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def decision_costs(decision: np.ndarray, fraud: np.ndarray, amount_eur: np.ndarray, costs: PolicyCosts) -> np.ndarray:
    """EUR cost of each checkout's decision given its matured label."""
    decision = np.asarray(decision)
    unknown = set(np.unique(decision)) - set(DECISIONS)
    if unknown:
        raise ValueError(f"unknown decisions {sorted(unknown)}")
    fraud = np.asarray(fraud).astype(bool)
    amount = np.asarray(amount_eur, dtype=np.float64)
    cost = np.zeros(len(decision), dtype=np.float64)
    missed = (decision == "allow") & fraud
    cost[missed] = amount[missed] + costs.chargeback_fee_eur
    cost[decision == "review"] = costs.review_cost_eur
    cost[(decision == "block") & ~fraud] = costs.decline_cost_eur
    return cost


def day_of(occurred_at: pd.Series) -> np.ndarray:
    """UTC calendar day, as the review budget counts days."""
    return pd.to_datetime(occurred_at, utc=True).dt.strftime("%Y-%m-%d").to_numpy()


def per_day(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-day totals of one system's decisions. `frame` has day, decision, fraud, cost, overflow."""
    f = frame.assign(
        review=frame["decision"] == "review",
        block=frame["decision"] == "block",
        fraud=frame["fraud"].astype(bool),
    )
    f = f.assign(review_fraud=f["review"] & f["fraud"], block_fraud=f["block"] & f["fraud"])
    return f.groupby("day", sort=True).agg(
        checkouts=("decision", "size"), cost=("cost", "sum"), reviews=("review", "sum"), blocks=("block", "sum"),
        frauds=("fraud", "sum"), review_frauds=("review_fraud", "sum"), block_frauds=("block_fraud", "sum"),
        overflows=("overflow", "sum"),
    )


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else float(num / den)


def summarise(days: pd.DataFrame) -> dict[str, Any]:
    """Point metrics of one system over a window from its per-day totals."""
    t = days.sum()
    return {
        "checkouts": int(t["checkouts"]),
        "cost_eur": float(t["cost"]),
        "cost_per_1000": float(1000.0 * t["cost"] / t["checkouts"]),
        "recall_review": _ratio(t["review_frauds"], t["frauds"]),
        "precision_review": _ratio(t["review_frauds"], t["reviews"]),
        "recall_block": _ratio(t["block_frauds"], t["frauds"]),
        "precision_block": _ratio(t["block_frauds"], t["blocks"]),
        "reviews_per_day_mean": float(days["reviews"].mean()),
        "reviews_per_day_p95": float(np.percentile(days["reviews"], 95)),
        "overflow_days": int((days["overflows"] > 0).sum()),
        "days": int(len(days)),
    }


def day_weights(n_days: int, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot, n_days) counts: each row resamples the window's days with replacement."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_days, np.full(n_days, 1.0 / n_days), size=n_boot).astype(np.float64)


def interval(samples: np.ndarray, level: float = 0.90) -> tuple[float, float]:
    lo = (1.0 - level) / 2.0
    return float(np.quantile(samples, lo)), float(np.quantile(samples, 1.0 - lo))


def bootstrap_cost(days: pd.DataFrame, weights: np.ndarray, level: float = 0.90) -> tuple[float, float]:
    """Interval of cost per 1,000 checkouts when whole days are resampled (days are the unit that
    shares fraud campaigns and the review budget, so checkouts within a day are not independent)."""
    cost = weights @ days["cost"].to_numpy(dtype=np.float64)
    n = weights @ days["checkouts"].to_numpy(dtype=np.float64)
    return interval(1000.0 * cost / n, level)


def bootstrap_ratio(system: pd.DataFrame, baseline: pd.DataFrame, weights: np.ndarray,
                    level: float = 0.90) -> tuple[float, tuple[float, float]]:
    """Cost ratio system / baseline on the same checkouts, with a paired bootstrap-by-day interval."""
    if not system.index.equals(baseline.index):
        raise ValueError("system and baseline must cover the same days")
    a = system["cost"].to_numpy(dtype=np.float64)
    b = baseline["cost"].to_numpy(dtype=np.float64)
    if b.sum() == 0:
        raise ValueError("the baseline costs nothing on this window; a ratio is meaningless")
    den = weights @ b
    samples = np.where(den > 0, (weights @ a) / np.where(den > 0, den, 1.0), np.inf)
    return float(a.sum() / b.sum()), interval(samples, level)
