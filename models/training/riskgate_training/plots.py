"""PNG plots for the artifact directory (matplotlib Agg: no display on servers/CI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import precision_recall_curve  # noqa: E402

from riskgate_training.metrics import ECE_BINS, bin_index  # noqa: E402

PLOT_FILES = {
    "precision_recall": "precision_recall.png",
    "calibration": "calibration.png",
    "score_histogram": "score_histogram.png",
    "cost_vs_threshold": "cost_vs_threshold.png",
}


def _save(fig: Any, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def precision_recall(out: Path, y: np.ndarray, p: np.ndarray, review: float, block: float,
                     baseline_point: tuple[float, float] | None) -> Path:
    prec, rec, thr = precision_recall_curve(y, p)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(rec, prec, label="model (calibrated)")
    for name, t, marker in (("review", review, "o"), ("block", block, "s")):
        flagged = p >= t
        if flagged.any() and y.sum():
            ax.plot([(flagged & (y == 1)).sum() / y.sum()], [y[flagged].mean()], marker, label=f"{name} >= {t:.4f}")
    if baseline_point is not None:
        ax.plot([baseline_point[0]], [baseline_point[1]], "x", markersize=10, color="red", label="rules baseline (flagged)")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title("Precision-recall, test split")
    ax.legend(loc="upper right", fontsize=8)
    path = out / PLOT_FILES["precision_recall"]
    _save(fig, path)
    return path


def calibration(out: Path, y: np.ndarray, raw: np.ndarray, cal: np.ndarray) -> Path:
    """Equal-width bins (the ECE definition) and, since almost all mass is below 0.07,
    quantile bins on log axes where the low-probability region is visible."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    for name, p in (("raw", raw), ("calibrated", cal)):
        b = bin_index(p, ECE_BINS)
        xs, ys = [], []
        for i in range(ECE_BINS):
            m = b == i
            if m.sum() >= 1:
                xs.append(p[m].mean())
                ys.append(y[m].mean())
        a1.plot(xs, ys, "o-", label=name)
        edges = np.unique(np.quantile(p, np.linspace(0, 1, 21)))
        idx = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
        qx = [p[idx == i].mean() for i in range(len(edges) - 1) if (idx == i).any()]
        qy = [y[idx == i].mean() for i in range(len(edges) - 1) if (idx == i).any()]
        a2.plot(qx, np.maximum(qy, 1e-5), "o-", label=name)
    a1.plot([0, 1], [0, 1], "k--", lw=0.8)
    a1.set_title(f"Reliability, {ECE_BINS} equal-width bins (test)")
    a1.set_xlabel("mean predicted")
    a1.set_ylabel("observed fraud rate")
    a1.legend()
    a2.plot([1e-5, 1], [1e-5, 1], "k--", lw=0.8)
    a2.set_xscale("log")
    a2.set_yscale("log")
    a2.set_title("Reliability, 20 quantile bins, log axes (test)")
    a2.set_xlabel("mean predicted")
    a2.set_ylabel("observed fraud rate (floored at 1e-5)")
    a2.legend()
    path = out / PLOT_FILES["calibration"]
    _save(fig, path)
    return path


def score_histogram(out: Path, y: np.ndarray, p: np.ndarray, review: float, block: float) -> Path:
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    bins = np.linspace(0, 1, 51)
    ax.hist(p[y == 0], bins=bins, alpha=0.6, density=True, label=f"legit (n={int((y == 0).sum())})", log=True)
    ax.hist(p[y == 1], bins=bins, alpha=0.6, density=True, label=f"fraud (n={int((y == 1).sum())})", log=True)
    ax.axvline(review, color="orange", ls="--", label=f"review {review:.4f}")
    ax.axvline(block, color="red", ls="--", label=f"block {block:.4f}")
    ax.set_xlabel("calibrated fraud probability")
    ax.set_ylabel("density (log)")
    ax.set_title("Score distribution by class, test split")
    ax.legend(fontsize=8)
    path = out / PLOT_FILES["score_histogram"]
    _save(fig, path)
    return path


def cost_vs_threshold(out: Path, curve: dict[str, list[float]], review: float, block: float,
                      chosen_cost: float, baseline_cost: float | None, rows: int) -> Path:
    t = np.asarray(curve["threshold"])
    per_k = 1000.0 / rows
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.plot(t, np.asarray(curve["cost_block_only"]) * per_k, label="block-only policy (no review)")
    with_review = np.asarray(curve["cost_with_chosen_review"], dtype=np.float64)
    ok = np.isfinite(with_review)
    ax.plot(t[ok], with_review[ok] * per_k, label=f"review threshold varied, block = {block:.4f}")
    ax.plot([review], [chosen_cost * per_k], "o", color="black", label="chosen (review, block)")
    if baseline_cost is not None:
        ax.axhline(baseline_cost * per_k, color="red", ls=":", label="rules baseline (validation)")
    ax.set_xscale("symlog", linthresh=1e-3)
    ax.set_xlim(0, 1)
    ax.set_yscale("log")
    ax.set_xlabel("threshold on calibrated probability")
    ax.set_ylabel("expected cost, EUR per 1000 checkouts")
    ax.set_title("Cost vs threshold, validation split (capacity-feasible)")
    ax.legend(fontsize=8)
    path = out / PLOT_FILES["cost_vs_threshold"]
    _save(fig, path)
    return path
