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

The frauds since the model shipped are one test; a shift that starts while it serves is diluted in
them by every fraud scored before it: a month into a champion's life, a week of fraud it no longer
sees barely moves the mean, and after a quarter it never alerts. So, given when each fraud was
scored, the test also looks at the frauds scored since each later day (within the last
RECENT_DAYS of scoring) and keeps the one furthest below the reference. Those are many looks at
overlapping samples, so that one alerts at Z_RECENT standard errors, not Z. Replayed by the backtest
(3 seeds x 3 windows, stop 32): no alert on a window without drift, as before; on windows drifted
from their middle it alerted 24, 31 and 32 days after the onset where the test since the cut-off
alerted after 24 and 33 days, and not at all.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MIN_FRAUDS = 20
Z = 2.0
Z_RECENT = 2.5
RECENT_DAYS = 56
DAY_NS = 86_400 * 10**9
SOURCE = "validation split frauds labelled by the training date: calibrated score, as served"


def reference(p_fraud: np.ndarray) -> dict[str, Any]:
    """The manifest's `monitoring.missed_fraud` block from the reference frauds' served scores."""
    p = np.asarray(p_fraud, dtype=np.float64)
    if len(p) < 2:
        raise ValueError(f"the missed-fraud reference needs at least 2 labelled frauds, got {len(p)}")
    return {"mean_p": float(p.mean()), "sd_p": float(p.std(ddof=1)), "frauds": int(len(p)), "z": Z,
            "z_recent": Z_RECENT, "recent_days": RECENT_DAYS, "min_frauds": MIN_FRAUDS, "from": SOURCE}


def _bar(ref: dict[str, Any], z: float, n: int) -> float:
    return float(ref["mean_p"] - z * ref["sd_p"] * np.sqrt(1.0 / n + 1.0 / ref["frauds"]))


def check(ref: dict[str, Any], p_labelled: np.ndarray, scored_ns: np.ndarray | None = None) -> dict[str, Any]:
    """The test on the served scores of the frauds labelled so far (`mean_p`, `alert_below`,
    `cumulative_alert`), and, given when each was scored (UTC epoch nanoseconds), on the frauds
    scored since each later day (`recent`). `alert` is either's."""
    p = np.asarray(p_labelled, dtype=np.float64)
    n = int(len(p))
    if n == 0:
        return {"frauds_labelled": 0, "mean_p": None, "alert_below": None, "cumulative_alert": False,
                "alert": False, "recent": None}
    mean, bar = float(p.mean()), _bar(ref, ref.get("z", Z), n)
    alert = bool(n >= ref.get("min_frauds", MIN_FRAUDS) and mean < bar)
    recent = None if scored_ns is None else _recent(ref, p, np.asarray(scored_ns, dtype=np.int64))
    return {"frauds_labelled": n, "mean_p": mean, "alert_below": bar, "cumulative_alert": alert,
            "alert": alert or bool(recent and recent["alert"]), "recent": recent}


def _recent(ref: dict[str, Any], p: np.ndarray, scored_ns: np.ndarray) -> dict[str, Any] | None:
    """Among the frauds scored since each UTC day after the first (within the last RECENT_DAYS days
    of scoring) with at least MIN_FRAUDS labelled, the one furthest below the reference, in
    standard errors of the difference."""
    day = scored_ns // DAY_NS
    order = np.argsort(day, kind="stable")
    p, day = p[order], day[order]
    tail_sum = np.cumsum(p[::-1])[::-1]  # tail_sum[i]: sum of p[i:]
    z_recent, min_n = ref.get("z_recent", Z_RECENT), ref.get("min_frauds", MIN_FRAUDS)
    best: dict[str, Any] | None = None
    for start in np.unique(day)[1:]:
        if start <= day[-1] - ref.get("recent_days", RECENT_DAYS):
            continue
        i = int(np.searchsorted(day, start, side="left"))
        n = len(p) - i
        if n < min_n:
            break  # later days have fewer
        mean = float(tail_sum[i] / n)
        short = (ref["mean_p"] - mean) / (ref["sd_p"] * np.sqrt(1.0 / n + 1.0 / ref["frauds"]))
        if best is None or short > best["z"]:
            since = np.datetime64(int(start) * DAY_NS, "ns").astype("datetime64[D]")
            best = {"since": str(since), "frauds_labelled": n, "mean_p": mean, "z": float(short),
                    "alert_below": _bar(ref, z_recent, n), "alert": bool(short > z_recent)}
    return best
