"""Quality metrics reported in the manifest and the model card.

Calibration at a 0.3-1 % base rate: equal-width bins put nearly every row in the first bin, so
their ECE is about |mean p - rate| and a model that always says 0 passes. The headline ECE here
uses equal-count (quantile) bins of the predicted probability; Brier, log-loss and the
calibration slope/intercept (logistic regression of the label on logit p: slope 1, intercept 0
when calibrated; slope < 1 means over-confident) complete the picture.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize
from sklearn.metrics import average_precision_score, roc_auc_score

QUANTILE_BINS = 20
EPS = 1e-7


def quantile_bins(p: np.ndarray, n_bins: int = QUANTILE_BINS) -> np.ndarray:
    """Equal-count bin index per row (ties stay together, so a bin can be larger)."""
    p = np.asarray(p, dtype=np.float64)
    edges = np.unique(np.quantile(p, np.linspace(0.0, 1.0, n_bins + 1)[1:-1]))
    return np.searchsorted(edges, p, side="right")


def quantile_ece(y: np.ndarray, p: np.ndarray, n_bins: int = QUANTILE_BINS) -> float:
    """sum_b (n_b / N) * |mean(y in b) - mean(p in b)| over equal-count bins."""
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    if len(y) == 0:
        raise ValueError("ece of an empty set")
    b = quantile_bins(p, n_bins)
    sum_y = np.bincount(b, weights=y)
    sum_p = np.bincount(b, weights=p)
    return float(np.sum(np.abs(sum_y - sum_p)) / len(y))


def reliability_table(y: np.ndarray, p: np.ndarray, n_bins: int = QUANTILE_BINS) -> list[dict[str, float]]:
    """Per quantile bin: count, mean predicted and observed fraud rate."""
    b = quantile_bins(p, n_bins)
    rows = []
    for i in np.unique(b):
        m = b == i
        rows.append({"n": int(m.sum()), "mean_p": float(np.mean(p[m])), "fraud_rate": float(np.mean(y[m]))})
    return rows


def logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=np.float64), EPS, 1.0 - EPS)
    return np.log(q / (1.0 - q))


def logistic_fit(z: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> tuple[float, float]:
    """Weighted maximum-likelihood (a, b) of P(y=1) = sigmoid(a * z + b)."""
    t = np.asarray(y, dtype=np.float64)
    w = np.ones_like(t) if w is None else np.asarray(w, dtype=np.float64)

    def nll(params: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = params
        s = a * z + b
        loss = w * (np.logaddexp(0.0, s) - t * s)
        g = w * (1.0 / (1.0 + np.exp(-s)) - t)
        return float(loss.sum()), np.array([float((g * z).sum()), float(g.sum())])

    res = minimize(nll, x0=np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    return float(res.x[0]), float(res.x[1])


def calibration_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """The calibration bundle: in-the-large, slope/intercept, quantile ECE, Brier, log-loss."""
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    q = np.clip(p, EPS, 1.0 - EPS)
    rate, mean_p = float(y.mean()), float(p.mean())
    slope, intercept = logistic_fit(logit(p), y) if 0 < y.sum() < len(y) else (None, None)
    return {
        "fraud_rate": rate,
        "mean_p": mean_p,
        "mean_p_over_rate": (mean_p / rate) if rate > 0 else None,
        "slope": slope,
        "intercept": intercept,
        "ece_quantile": quantile_ece(y, p),
        "ece_bins": QUANTILE_BINS,
        "brier": float(np.mean((p - y) ** 2)),
        "log_loss": float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))),
    }


def meets_calibration_target(c: dict[str, Any]) -> bool:
    """Issue 13: |mean p - rate| <= 10 % of the rate and slope in [0.85, 1.15]."""
    ratio, slope = c["mean_p_over_rate"], c["slope"]
    return ratio is not None and slope is not None and abs(ratio - 1.0) <= 0.10 and 0.85 <= slope <= 1.15


def ranking_metrics(y: np.ndarray, score: np.ndarray) -> dict[str, float | None]:
    """PR-AUC (average precision) and ROC-AUC; None when only one class is present."""
    if len(np.unique(y)) < 2:
        return {"pr_auc": None, "roc_auc": None}
    return {"pr_auc": float(average_precision_score(y, score)), "roc_auc": float(roc_auc_score(y, score))}


def action_metrics(y: np.ndarray, actions: np.ndarray, days: float) -> dict[str, Any]:
    """Recall/precision of block, review and flagged (review or block), volumes per day."""
    y = np.asarray(y).astype(bool)
    blocked, reviewed = actions == 2, actions == 1
    flagged = blocked | reviewed
    n_fraud = int(y.sum())

    def ratio(a: int, b: int) -> float | None:
        return float(a / b) if b else None

    return {
        "rows": int(len(y)),
        "fraud_rows": n_fraud,
        "days": float(days),
        "recall_block": ratio(int((blocked & y).sum()), n_fraud),
        "precision_block": ratio(int((blocked & y).sum()), int(blocked.sum())),
        "recall_review": ratio(int((reviewed & y).sum()), n_fraud),
        "precision_review": ratio(int((reviewed & y).sum()), int(reviewed.sum())),
        "recall_flagged": ratio(int((flagged & y).sum()), n_fraud),
        "precision_flagged": ratio(int((flagged & y).sum()), int(flagged.sum())),
        "blocks_per_day": float(blocked.sum() / days),
        "reviews_per_day": float(reviewed.sum() / days),
        "block_rate": float(blocked.mean()),
        "review_rate": float(reviewed.mean()),
    }
