"""One metrics bundle, used by `train` (test split) and `evaluate` (any table), so the two
commands print and store exactly the same numbers."""

from __future__ import annotations

from typing import Any

import numpy as np

from riskgate_training.baseline import evaluate_baseline
from riskgate_training.metrics import ece, ranking_metrics, threshold_metrics
from riskgate_training.thresholds import CostModel, decide, policy_cost


def evaluate_scores(
    *, raw: np.ndarray, calibrated: np.ndarray, y: np.ndarray, amount: np.ndarray, X: np.ndarray,
    features: list[str], review: float, block: float, costs: CostModel, capacity_per_day: float, days: float,
) -> dict[str, Any]:
    """Metrics of the calibrated model at the given thresholds vs the rules baseline."""
    model_cost = policy_cost(decide(calibrated, review, block), y, amount, costs, days)
    allow_all = policy_cost(np.zeros(len(y), dtype=np.int64), y, amount, costs, days)
    baseline = evaluate_baseline(X, y, amount, features, costs, days, capacity_per_day)
    base_total = baseline["cost"]["total_eur"]
    ranking = ranking_metrics(y, calibrated)
    ranking_raw = ranking_metrics(y, raw)
    out: dict[str, Any] = {
        "pr_auc": ranking["pr_auc"],
        "roc_auc": ranking["roc_auc"],
        "pr_auc_raw": ranking_raw["pr_auc"],
        "roc_auc_raw": ranking_raw["roc_auc"],
        "ece": ece(y, calibrated),
        "ece_raw": ece(y, raw),
        "fraud_rate": float(np.mean(y)),
        "mean_calibrated": float(np.mean(calibrated)),
        "mean_raw": float(np.mean(raw)),
        **threshold_metrics(y, calibrated, review, block, days),
        "expected_cost": {
            "model": model_cost.to_dict(),
            "rules_baseline": baseline["cost"],
            "allow_all": allow_all.to_dict(),
            "model_over_baseline": (model_cost.total_eur / base_total) if base_total > 0 else None,
            "reduction_vs_baseline": (1.0 - model_cost.total_eur / base_total) if base_total > 0 else None,
        },
        "rules_baseline": {k: v for k, v in baseline.items() if k != "cost"},
        "review_capacity_per_day": capacity_per_day,
        "within_review_capacity": bool(model_cost.n_review / days <= capacity_per_day),
    }
    return out


def acceptance(metrics: dict[str, Any]) -> dict[str, Any]:
    """The issue's bars, evaluated honestly (they depend on the data; reported, not enforced)."""
    red = metrics["expected_cost"]["reduction_vs_baseline"]
    return {
        "ece_le_0_02": bool(metrics["ece"] <= 0.02),
        "cost_reduction_ge_50pct": bool(red is not None and red >= 0.5),
        "reviews_within_capacity": bool(metrics["within_review_capacity"]),
    }
