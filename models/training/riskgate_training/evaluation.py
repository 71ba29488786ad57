"""One metrics bundle, used by `train` (test split) and `evaluate` (any table), so the two
commands print and store exactly the same numbers."""

from __future__ import annotations

from typing import Any

import numpy as np

from riskgate_training.baseline import evaluate_baseline
from riskgate_training.metrics import action_metrics, calibration_metrics, meets_calibration_target, ranking_metrics
from riskgate_training.cost_policy import ALLOW, Policy, model_actions, policy_cost, reviews_per_day, with_capacity


def evaluate_scores(
    *, raw: np.ndarray, calibrated: np.ndarray, y: np.ndarray, amount: np.ndarray, X: np.ndarray, day: np.ndarray,
    features: list[str], pol: Policy, days: float,
) -> dict[str, Any]:
    """The calibrated model through the expected-loss policy (per-day capacity) vs the rules baseline."""
    actions, overflow_days = with_capacity(model_actions(calibrated, amount, pol), calibrated, amount, day, pol)
    model_cost = policy_cost(actions, y, amount, pol, days)
    allow_all = policy_cost(np.full(len(y), ALLOW), y, amount, pol, days)
    baseline = evaluate_baseline(X, y, amount, features, pol, days)
    base_total = baseline["cost"]["total_eur"]
    per_day = reviews_per_day(actions, day)
    ranking = ranking_metrics(y, calibrated)
    ranking_raw = ranking_metrics(y, raw)
    calibration = calibration_metrics(y, calibrated)
    return {
        "pr_auc": ranking["pr_auc"],
        "roc_auc": ranking["roc_auc"],
        "pr_auc_raw": ranking_raw["pr_auc"],
        "roc_auc_raw": ranking_raw["roc_auc"],
        "calibration": calibration,
        "calibration_raw": calibration_metrics(y, raw),
        "meets_calibration_target": meets_calibration_target(calibration),
        **action_metrics(y, actions, days),
        "reviews_p95_day": float(np.quantile(per_day, 0.95)),
        "overflow_days": overflow_days,
        "expected_cost": {
            "model": model_cost.to_dict(),
            "rules_baseline": baseline["cost"],
            "allow_all": allow_all.to_dict(),
            "model_over_baseline": (model_cost.total_eur / base_total) if base_total > 0 else None,
        },
        "rules_baseline": {k: v for k, v in baseline.items() if k != "cost"},
        "review_capacity_per_day": pol.review_capacity_per_day,
    }


def acceptance(metrics: dict[str, Any]) -> dict[str, Any]:
    """Issue 13's bars that a single split can check (reported, not enforced)."""
    ratio = metrics["expected_cost"]["model_over_baseline"]
    return {
        "calibration_mean_and_slope": bool(metrics["meets_calibration_target"]),
        "cost_le_half_of_rules": bool(ratio is not None and ratio <= 0.5),
        "p95_day_reviews_within_capacity": bool(metrics["reviews_p95_day"] <= metrics["review_capacity_per_day"]),
    }
