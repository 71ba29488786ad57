"""The missed-fraud test: is the model scoring the frauds labelled since it shipped lower than it
scored the frauds it was calibrated on?

A concept shift (fraud that changed its ways, so the model gives it low scores) barely moves the
score distribution, since fraud is half a percent of checkouts, and no feature PSI need move either.
It shows in the labels: the mean served score on the frauds labelled so far falls. The reference is
the mean and spread of the calibrated score on the validation split's frauds (labels as known at
the training date), written into the manifest at training (`monitoring.missed_fraud`).

The test is one-sided: with n frauds labelled, it alerts when n >= MIN_FRAUDS and their mean score
is more than Z standard errors below the reference mean. The error is that of a difference of two
means, sd * sqrt(1/n + 1/n_ref): the reference is itself a sample (about a hundred validation frauds),
and once n passes n_ref its noise dominates. Leaving it out (sd / sqrt(n), before stop 27) made the
bar tighten towards the reference's own sampling error as labels arrived, so a model whose
validation frauds happened to score high alarmed weeks into a window without drift. One definition for
the backtest's replay (backtest_drift.py) and the deployment's monitor (missed_fraud_monitor.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MIN_FRAUDS = 20
Z = 2.0
SOURCE = "validation split frauds labelled by the training date: calibrated score, as served"


def reference(p_fraud: np.ndarray) -> dict[str, Any]:
    """The manifest's `monitoring.missed_fraud` block from the reference frauds' served scores."""
    p = np.asarray(p_fraud, dtype=np.float64)
    if len(p) < 2:
        raise ValueError(f"the missed-fraud reference needs at least 2 labelled frauds, got {len(p)}")
    return {"mean_p": float(p.mean()), "sd_p": float(p.std(ddof=1)), "frauds": int(len(p)), "z": Z,
            "min_frauds": MIN_FRAUDS, "from": SOURCE}


def check(ref: dict[str, Any], p_labelled: np.ndarray) -> dict[str, Any]:
    """The test on the served scores of the frauds labelled so far."""
    p = np.asarray(p_labelled, dtype=np.float64)
    n = int(len(p))
    if n == 0:
        return {"frauds_labelled": 0, "mean_p": None, "alert_below": None, "alert": False}
    mean = float(p.mean())
    bar = float(ref["mean_p"] - ref.get("z", Z) * ref["sd_p"] * np.sqrt(1.0 / n + 1.0 / ref["frauds"]))
    return {"frauds_labelled": n, "mean_p": mean, "alert_below": bar,
            "alert": bool(n >= ref.get("min_frauds", MIN_FRAUDS) and mean < bar)}
