"""Quality metrics reported in the manifest and the model card.

ECE uses 15 equal-width bins on [0, 1] weighted by bin population (the definition the
acceptance criterion 'ECE <= 0.02' refers to). At a 0.3-1 % base rate almost all mass sits
in the first bin, so we also keep the per-bin table for the calibration plot.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

ECE_BINS = 15


def bin_index(p: np.ndarray, n_bins: int = ECE_BINS) -> np.ndarray:
    """Equal-width bin per probability; bin i is [i/n, (i+1)/n), the last bin includes 1.0."""
    return np.clip(np.floor(np.asarray(p, dtype=np.float64) * n_bins).astype(np.int64), 0, n_bins - 1)


def ece(y: np.ndarray, p: np.ndarray, n_bins: int = ECE_BINS) -> float:
    """Expected calibration error: sum_b (n_b / N) * |mean(y in b) - mean(p in b)|."""
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    if len(y) == 0:
        raise ValueError("ece of an empty set")
    b = bin_index(p, n_bins)
    n = np.bincount(b, minlength=n_bins).astype(np.float64)
    sum_y = np.bincount(b, weights=y, minlength=n_bins)
    sum_p = np.bincount(b, weights=p, minlength=n_bins)
    return float(np.sum(np.abs(sum_y - sum_p)) / len(y))


def reliability_table(y: np.ndarray, p: np.ndarray, n_bins: int = ECE_BINS) -> list[dict[str, float]]:
    """Per-bin count, mean predicted and observed fraud rate (for plots and debugging)."""
    b = bin_index(p, n_bins)
    rows = []
    for i in range(n_bins):
        m = b == i
        if m.any():
            rows.append({"bin": i, "n": int(m.sum()), "mean_p": float(np.mean(p[m])), "fraud_rate": float(np.mean(y[m]))})
    return rows


def ranking_metrics(y: np.ndarray, score: np.ndarray) -> dict[str, float | None]:
    """PR-AUC (average precision) and ROC-AUC; None when only one class is present."""
    if len(np.unique(y)) < 2:
        return {"pr_auc": None, "roc_auc": None}
    return {"pr_auc": float(average_precision_score(y, score)), "roc_auc": float(roc_auc_score(y, score))}


def threshold_metrics(y: np.ndarray, score: np.ndarray, review: float, block: float, days: float) -> dict[str, Any]:
    """Recall/precision of 'block' (score >= block) and of 'flagged' (score >= review, i.e.
    reviewed or blocked), plus review volume per day."""
    y = np.asarray(y).astype(bool)
    blocked = score >= block
    flagged = score >= review
    reviewed = flagged & ~blocked
    n_fraud = int(y.sum())

    def ratio(a: int, b: int) -> float | None:
        return float(a / b) if b else None

    return {
        "rows": int(len(y)),
        "fraud_rows": n_fraud,
        "days": float(days),
        "recall_block": ratio(int((blocked & y).sum()), n_fraud),
        "precision_block": ratio(int((blocked & y).sum()), int(blocked.sum())),
        "recall_flagged": ratio(int((flagged & y).sum()), n_fraud),
        "precision_flagged": ratio(int((flagged & y).sum()), int(flagged.sum())),
        "precision_review": ratio(int((reviewed & y).sum()), int(reviewed.sum())),
        "blocks_per_day": float(blocked.sum() / days),
        "reviews_per_day": float(reviewed.sum() / days),
        "block_rate": float(blocked.mean()),
        "review_rate": float(reviewed.mean()),
    }
