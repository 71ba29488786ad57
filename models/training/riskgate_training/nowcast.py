"""What a deployment can know about fraud rates at its training date T, from labels that are still arriving.

A checkout t days old at T has had time for a share F(t) of its eventual fraud labels to arrive,
where F is the label-delay CDF. F is measured at T on checkouts old enough that every label within
`horizon_days` has arrived (their delays, known by T). Two uses:

* completeness: a calibration fitted on labels known at T forecasts "fraud label known by T", which
  under-forecasts fraud by the expected completeness of its rows, mean F(T - t). The intercept is
  shifted (logit space) so the mean forecast becomes the known rate divided by that completeness.
* nowcast: the fraud rate of recent checkouts (younger than the maturity window), known labels
  divided by the labels expected to have arrived, sum F(T - t). Compared with the model's mean
  forecast on the same rows it shows a prior shift that has already started by T; it cannot see
  one that starts after T, nor fraud that changes its look without changing its rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from riskgate_training.calibration import Calibration

def _days(a: pd.Series | pd.Timestamp, b: pd.Series | pd.Timestamp) -> np.ndarray:
    return np.asarray((b - a) / pd.Timedelta(days=1), dtype=np.float64)


@dataclass(frozen=True)
class DelayCdf:
    """Empirical label-delay CDF (days), relative to the labels that arrive within `horizon_days`."""

    delays: np.ndarray
    horizon_days: float

    @staticmethod
    def measure(occurred_at: pd.Series, known_at: pd.Series, as_of: pd.Timestamp, horizon_days: float) -> "DelayCdf":
        old = (occurred_at <= as_of - pd.Timedelta(days=horizon_days)) & known_at.notna() & (known_at <= as_of)
        delays = np.sort(_days(occurred_at[old], known_at[old]))
        delays = delays[delays <= horizon_days]
        if len(delays) == 0:
            raise ValueError(f"no fraud labels on checkouts older than {horizon_days} days at {as_of}: "
                             "cannot measure the label delay (a longer history, or a shorter horizon)")
        return DelayCdf(delays, float(horizon_days))

    def __call__(self, age_days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.delays, np.asarray(age_days, dtype=np.float64), side="right") / len(self.delays)


def expected_completeness(occurred_at: pd.Series, as_of: pd.Timestamp, cdf: DelayCdf) -> float:
    """Mean share of eventual fraud labels known at `as_of` for these checkouts."""
    return float(np.mean(cdf(_days(occurred_at, as_of)))) if len(occurred_at) else 0.0


def nowcast_rate(occurred_at: pd.Series, known: np.ndarray, as_of: pd.Timestamp, cdf: DelayCdf) -> dict[str, float]:
    """Fraud rate of these checkouts once their labels have arrived, from the labels known at `as_of`."""
    expected = float(np.sum(cdf(_days(occurred_at, as_of))))
    n_known = int(np.sum(known))
    return {"rows": int(len(occurred_at)), "labels_known": n_known, "expected_share_known": expected / max(len(known), 1),
            "rate": n_known / expected if expected > 0 else float("nan")}


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def intercept_shift(p: np.ndarray, target_mean: float) -> float:
    """delta such that mean(sigmoid(logit(p) + delta)) == target_mean."""
    z = logit(p)
    if not 0 < target_mean < 1:
        raise ValueError(f"target mean must be in (0, 1), got {target_mean}")
    return float(brentq(lambda d: float(np.mean(1 / (1 + np.exp(-(z + d))))) - target_mean, -20.0, 20.0))


def shifted(cal: Calibration, delta: float) -> Calibration:
    """The calibration with its output's log-odds moved by delta, in the served representation:
    Platt's intercept b, or the isotonic knots' y (still strictly increasing)."""
    if cal["method"] == "platt":
        return {**cal, "b": cal["b"] + delta}
    if cal["method"] == "isotonic":
        y = 1 / (1 + np.exp(-(logit(np.asarray(cal["y"])) + delta)))
        return {**cal, "y": y.tolist()}
    raise ValueError(f"unknown calibration method {cal['method']!r}")
