"""Calibration in a backtest window: the label-completeness correction and what a nowcast would add.

At cut-off C the calibration split's labels are those known at C, 35-42 days after its checkouts, so
about a third of its frauds have not been charged back yet and a calibration fitted there forecasts
"fraud known by C", flattened at the top (a score of 0.9 can be "known" at most with the share of
labels that has arrived). The served scorers are calibrated for labels still arriving
(calibration.py; `known` = the delay CDF measured at C, at each row's age). Reported per window, on the test window's matured labels:

* as_fitted: the calibration fitted as if the labels known at C were complete;
* served: fitted to labels still arriving (P(known) = delay CDF at the row's age x p; what the
  replayed systems use);
* nowcast: served, then shifted again so its mean on the gap days [C - gap, C) equals the gap's
  nowcast fraud rate: what recency would add if a prior shift had begun before C;
* served_ci90: a 90 % interval of served mean p / rate, resampling the test window's days. A
  10-day window holds ~150 frauds, so the rate alone is known to about +-14 %: a window whose
  interval reaches past 0.9 and 1.1 on both sides cannot tell a calibrated model from one 10 % off;
* shift: the fraud rate of the test window vs the validation days (completeness-corrected) and the
  mean forecast on labelled frauds and on the rest, test vs validation. A prior shift moves the
  rate; a concept shift (fraud that looks different) leaves the rate and lowers the forecast on
  fraud.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from riskgate_training.backtest_costs import day_of, day_weights, interval
from riskgate_training.backtest_models import FittedScorer
from riskgate_training.calibration import choose_calibration
from riskgate_training.metrics import calibration_metrics, meets_calibration_target
from riskgate_training.nowcast import DelayCdf, intercept_shift, nowcast_rate

CDF_POINTS = (7, 14, 21, 35, 42, 60)


def _calibration(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    m = calibration_metrics(y, p)
    keep = ("fraud_rate", "mean_p", "mean_p_over_rate", "slope", "intercept", "ece_quantile", "brier", "log_loss")
    return {**{k: m[k] for k in keep}, "meets_target": bool(meets_calibration_target(m))}


def served_scorers(scorers: dict[str, FittedScorer], X_valid: np.ndarray, y_valid: np.ndarray, t_valid: pd.Series,
                   cutoff: pd.Timestamp, cdf: DelayCdf, seed: int) -> tuple[dict[str, FittedScorer], dict[str, Any]]:
    """Each scorer recalibrated on the validation days for labels still arriving: a row of age a
    at the cut-off has a share cdf(a) of its eventual fraud label known, and the calibration is
    fitted to P(fraud known) = cdf(a) * p (calibration.py). A shift of the plain fit's intercept
    (the previous correction) fixed the mean but kept the flattened top of the curve."""
    known = cdf(_age_days(t_valid, cutoff))
    served, selection = {}, {}
    for k, s in scorers.items():
        cal, rep = choose_calibration(s.raw(X_valid), y_valid, seed=seed, known=known)
        served[k] = s.recalibrated(cal)
        selection[f"calibration_{k}"] = {"chosen": rep["chosen"], "cv_log_loss": rep["cv_log_loss"]}
    completeness = float(np.mean(known))
    return served, {"valid_completeness": completeness, "valid_rate_corrected": float(np.mean(y_valid)) / completeness,
                    **selection}


def _age_days(t: pd.Series, as_of: pd.Timestamp) -> np.ndarray:
    return np.asarray((as_of - t) / pd.Timedelta(days=1), dtype=np.float64)


def report(fitted: FittedScorer, served: FittedScorer, parts: dict[str, Any], cutoff: pd.Timestamp, cdf: DelayCdf,
           correction: dict[str, float], n_boot: int, seed: int) -> dict[str, Any]:
    """parts: X/y/t of `valid` (labels at C), `gap` (labels at C) and `test` (matured labels)."""
    Xv, yv = parts["valid"]["X"], parts["valid"]["y"]
    Xg, yg, tg = parts["gap"]["X"], parts["gap"]["y"], parts["gap"]["t"]
    Xt, yt = parts["test"]["X"], parts["test"]["y"]
    p_test, p_valid = served.score(Xt), served.score(Xv)
    now = nowcast_rate(tg, yg, cutoff, cdf)
    gap_mean = float(np.mean(served.score(Xg))) if len(Xg) else float("nan")
    out: dict[str, Any] = {
        "label_delay_cdf": {"labels": int(len(cdf.delays)), "horizon_days": cdf.horizon_days,
                            "share_known_by_day": {str(d): float(cdf(np.array([d]))[0]) for d in CDF_POINTS}},
        **correction,
        "as_fitted": _calibration(yt, fitted.score(Xt)),
        "served": _calibration(yt, p_test),
        "served_ci90": ratio_interval(p_test, yt, parts["test"]["t"], n_boot, seed),
        "nowcast": {**now, "served_mean_p_on_gap": gap_mean},
        "shift": {"valid_rate_corrected": correction["valid_rate_corrected"], "test_rate": float(np.mean(yt)),
                  "mean_p_labelled_fraud": {"valid": _mean(p_valid[yv == 1]), "test": _mean(p_test[yt == 1])},
                  "mean_p_rest": {"valid": _mean(p_valid[yv == 0]), "test": _mean(p_test[yt == 0])}},
    }
    if np.isfinite(now["rate"]) and 0 < now["rate"] < 1 and len(Xg):
        delta = intercept_shift(served.score(Xg), now["rate"])
        out["nowcast"]["shift"] = delta
        out["nowcast_corrected"] = _calibration(yt, served.shifted(delta).score(Xt))
    return out


def ratio_interval(p: np.ndarray, y: np.ndarray, t: pd.Series, n_boot: int, seed: int) -> list[float]:
    """90 % interval of sum(p) / sum(y) when whole days are resampled (a day shares its campaigns)."""
    day = day_of(t)
    days = np.unique(day)
    per_p = np.array([p[day == d].sum() for d in days])
    per_y = np.array([y[day == d].sum() for d in days], dtype=np.float64)
    w = day_weights(len(days), n_boot, seed)
    frauds = w @ per_y
    ok = frauds > 0
    return list(interval((w @ per_p)[ok] / frauds[ok]))


def _mean(v: np.ndarray) -> float | None:
    return float(np.mean(v)) if len(v) else None
