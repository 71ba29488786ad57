"""PNG plots for the artifact directory (matplotlib Agg: no display on servers/CI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import precision_recall_curve  # noqa: E402

from riskgate_training.metrics import QUANTILE_BINS, quantile_bins  # noqa: E402

PLOT_FILES = {
    "precision_recall": "precision_recall.png",
    "calibration": "calibration.png",
    "score_histogram": "score_histogram.png",
    "cost_vs_review_min": "cost_vs_review_min.png",
}


def _save(fig: Any, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def precision_recall(out: Path, y: np.ndarray, p: np.ndarray, points: dict[str, tuple[float, float]],
                     baseline_point: tuple[float, float] | None) -> Path:
    prec, rec, _ = precision_recall_curve(y, p)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(rec, prec, label="model (calibrated)")
    for (name, (r, pr)), marker in zip(points.items(), ("o", "s", "^")):
        ax.plot([r], [pr], marker, label=f"policy: {name}")
    if baseline_point is not None:
        ax.plot([baseline_point[0]], [baseline_point[1]], "x", markersize=10, color="red", label="rules baseline (flagged)")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title("Precision-recall, test split (matured labels)")
    ax.legend(loc="upper right", fontsize=8)
    path = out / PLOT_FILES["precision_recall"]
    _save(fig, path)
    return path


def calibration(out: Path, y: np.ndarray, raw: np.ndarray, cal: np.ndarray) -> Path:
    """Reliability over equal-count bins: linear axes, and log axes where the low-probability
    mass (almost all checkouts) is visible."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    for name, p in (("raw", raw), ("calibrated", cal)):
        b = quantile_bins(p)
        qx = [p[b == i].mean() for i in np.unique(b)]
        qy = [y[b == i].mean() for i in np.unique(b)]
        a1.plot(qx, qy, "o-", label=name)
        a2.plot(qx, np.maximum(qy, 1e-5), "o-", label=name)
    a1.plot([0, 1], [0, 1], "k--", lw=0.8)
    a1.set_title(f"Reliability, {QUANTILE_BINS} quantile bins (test)")
    a1.set_xlabel("mean predicted")
    a1.set_ylabel("observed fraud rate")
    a1.legend()
    a2.plot([1e-5, 1], [1e-5, 1], "k--", lw=0.8)
    a2.set_xscale("log")
    a2.set_yscale("log")
    a2.set_title("Same bins, log axes (test)")
    a2.set_xlabel("mean predicted")
    a2.set_ylabel("observed fraud rate (floored at 1e-5)")
    a2.legend()
    path = out / PLOT_FILES["calibration"]
    _save(fig, path)
    return path


def score_histogram(out: Path, y: np.ndarray, p: np.ndarray) -> Path:
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    bins = np.logspace(-5, 0, 51)
    ax.hist(p[y == 0], bins=bins, alpha=0.6, density=True, label=f"legit (n={int((y == 0).sum())})", log=True)
    ax.hist(p[y == 1], bins=bins, alpha=0.6, density=True, label=f"fraud (n={int((y == 1).sum())})", log=True)
    ax.set_xscale("log")
    ax.set_xlabel("calibrated fraud probability")
    ax.set_ylabel("density (log)")
    ax.set_title("Score distribution by class, test split")
    ax.legend(fontsize=8)
    path = out / PLOT_FILES["score_histogram"]
    _save(fig, path)
    return path


def cost_vs_review_min(out: Path, curve: dict[str, list[float]], chosen: float, capacity: float) -> Path:
    """Validation cost and p95-day reviews as review_min_expected_loss_eur rises."""
    fig, a1 = plt.subplots(figsize=(6.5, 4.5))
    a1.plot(curve["review_min"], curve["cost_per_1000"], label="expected cost / 1000 checkouts")
    a1.set_xscale("log")
    a1.set_xlabel("review_min_expected_loss_eur")
    a1.set_ylabel("EUR per 1000 checkouts (validation)")
    a2 = a1.twinx()
    a2.plot(curve["review_min"], curve["p95_reviews"], color="orange", label="p95 day of reviews")
    a2.axhline(capacity, color="orange", ls=":")
    a2.set_ylabel("reviews on the p95 day")
    a1.axvline(chosen, color="black", ls="--", label=f"chosen {chosen:.2f}")
    a1.legend(loc="upper left", fontsize=8)
    a1.set_title("Policy: review threshold on expected loss, validation split")
    path = out / PLOT_FILES["cost_vs_review_min"]
    _save(fig, path)
    return path
