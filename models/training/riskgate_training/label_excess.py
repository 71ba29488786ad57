"""The label-excess test: are more fraud labels arriving than the served scores predict?

A checkout scored p will, if it is fraud, be labelled (chargeback, review outcome) some days later,
after a delay drawn from the label-delay distribution F that training measured on matured
checkouts (the CDF the calibration itself was fitted with, nowcast.py). So by time T the fraud
labels expected among the checkouts scored since a day are E = sum_i p_i * F(T - t_i), and with a
calibrated model the labels that did arrive, O, are a sum of independent Bernoulli(p_i F_i): about
Poisson(E), a little less spread. Fraud that the model scores low (a concept shift) keeps being
labelled, but E does not follow it: O runs ahead of E. So does more fraud at the scores the model
already gives (a rise in the fraud rate, a prior shift), which missed_fraud.py cannot see: those
frauds' scores look as before.

This asks of every labelled fraud only that it exists, where missed_fraud.py asks how it was
scored: it counts all checkouts' scores (the legit ones' small p add up too) against the labels,
so it needs no reference sample of frauds and no minimum mean. It is one-sided (more labels than
predicted; fewer is a model scoring too high, which costs reviews, not fraud) and exact: the
Poisson tail P(X >= O | E), reported as the standard-normal z with the same tail.

As in missed_fraud.py there are two looks: the checkouts scored since the model shipped (z
Z_CUMULATIVE), and, given when each was scored, those since each later UTC day within the last
RECENT_DAYS of scoring, keeping the one furthest above its prediction (z Z_RECENT: many looks at
overlapping samples). Both need MIN_LABELS labels before they can alert. The thresholds are set
so that labels drawn from the served scores themselves (the null) alert on at most a few percent
of 90-day deployments checked daily: 1-2 % in `npm run monitor:power` (monitor_power.py).

The monitor applies it to the checkouts the model allowed, the backtest to those its served policy
allowed: only they come back as chargebacks in a deployment.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import norm, poisson

Z_CUMULATIVE = 3.0
Z_RECENT = 3.5
RECENT_DAYS = 56
MIN_LABELS = 10
Z_LIMIT = 30.0
DAY_NS = 86_400 * 10**9
CDF_DAYS_STEP = 0.25
SOURCE = "fraud labels on checkouts older than the maturity window at the training date: delay from the checkout"


def delay_table(cdf: Any, horizon_days: float) -> dict[str, Any]:
    """The label-delay CDF tabulated every CDF_DAYS_STEP days up to the horizon, for the manifest
    (`monitoring.label_excess.label_delay_cdf`); `cdf` maps ages in days to the share of eventual
    labels known by then."""
    days = np.arange(0.0, horizon_days + CDF_DAYS_STEP / 2, CDF_DAYS_STEP)
    share = np.clip(np.asarray(cdf(days), dtype=np.float64), 0.0, 1.0)
    return {"days": [round(float(d), 4) for d in days], "share": [round(float(s), 6) for s in share]}


def reference(cdf: Any, horizon_days: float, source: str) -> dict[str, Any]:
    """The manifest's `monitoring.label_excess` block."""
    return {"label_delay_cdf": delay_table(cdf, horizon_days), "z": Z_CUMULATIVE, "z_recent": Z_RECENT,
            "recent_days": RECENT_DAYS, "min_labels": MIN_LABELS, "from": source}


def known_share(ref: dict[str, Any], age_days: np.ndarray) -> np.ndarray:
    """Share of a fraud's eventual label known at each age (days), from the tabulated CDF; 1 past
    its end, 0 before the checkout."""
    table = ref["label_delay_cdf"]
    days = np.asarray(table["days"], dtype=np.float64)
    share = np.asarray(table["share"], dtype=np.float64)
    return np.interp(np.asarray(age_days, dtype=np.float64), days, share, left=0.0, right=1.0)


def tail_z(observed: int, expected: float) -> float:
    """One-sided: the z with the same upper tail as P(Poisson(expected) >= observed), within
    +-Z_LIMIT (a tail of 1, no label yet, is z -inf; JSON and the gauges want a number)."""
    if expected <= 0:
        return Z_LIMIT if observed > 0 else 0.0
    return float(np.clip(norm.isf(poisson.sf(observed - 1, expected)), -Z_LIMIT, Z_LIMIT))


def check(ref: dict[str, Any], p: np.ndarray, scored_ns: np.ndarray, labelled: np.ndarray,
          as_of_ns: int) -> dict[str, Any]:
    """The test at `as_of_ns` (UTC epoch ns) on every checkout the model scored: served score `p`,
    when it was scored, and whether its fraud label had arrived by then. `alert` is either look's."""
    p = np.asarray(p, dtype=np.float64)
    scored_ns = np.asarray(scored_ns, dtype=np.int64)
    labelled = np.asarray(labelled, dtype=bool)
    if len(p) == 0:
        return {"checkouts": 0, "labels": 0, "expected": 0.0, "z": None, "cumulative_alert": False,
                "alert": False, "recent": None}
    q = p * known_share(ref, (as_of_ns - scored_ns) / DAY_NS)
    observed, expected = int(labelled.sum()), float(q.sum())
    z = tail_z(observed, expected)
    min_labels = ref.get("min_labels", MIN_LABELS)
    cumulative = bool(observed >= min_labels and z > ref.get("z", Z_CUMULATIVE))
    recent = _recent(ref, q, scored_ns, labelled)
    return {"checkouts": int(len(p)), "labels": observed, "expected": expected, "z": z,
            "cumulative_alert": cumulative, "alert": cumulative or bool(recent and recent["alert"]),
            "recent": recent}


def _recent(ref: dict[str, Any], q: np.ndarray, scored_ns: np.ndarray, labelled: np.ndarray) -> dict[str, Any] | None:
    """Among the checkouts scored since each UTC day after the first (within the last RECENT_DAYS
    days of scoring) with at least MIN_LABELS labels, the one furthest above its prediction."""
    day = scored_ns // DAY_NS
    order = np.argsort(day, kind="stable")
    q, day, labelled = q[order], day[order], labelled[order]
    expected_from = np.cumsum(q[::-1])[::-1]  # expected_from[i]: sum of q[i:]
    observed_from = np.cumsum(labelled[::-1])[::-1]
    min_labels = ref.get("min_labels", MIN_LABELS)
    best: dict[str, Any] | None = None
    for start in np.unique(day)[1:]:
        if start <= day[-1] - ref.get("recent_days", RECENT_DAYS):
            continue
        i = int(np.searchsorted(day, start, side="left"))
        observed, expected = int(observed_from[i]), float(expected_from[i])
        if observed < min_labels:
            break  # later days have fewer
        z = tail_z(observed, expected)
        if best is None or z > best["z"]:
            since = np.datetime64(int(start) * DAY_NS, "ns").astype("datetime64[D]")
            best = {"since": str(since), "labels": observed, "expected": expected, "z": z,
                    "alert": bool(z > ref.get("z_recent", Z_RECENT))}
    return best
