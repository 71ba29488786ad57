"""Would the deployment have noticed? Drift monitors replayed over a backtest window.

Two monitors, each evaluated day by day after the cut-off C:

* PSI, as served (services/scoring-api/src/drift, alerts RiskgateFeatureDrift / RiskgateScoreDrift):
  each feature's and the calibrated score's distribution over one test day against the fit split's
  decile bins (monitoring.py), shares floored at 1e-4, alert above 0.25. Lifetime counters and ages
  (`grows_with_age` in the table's feature_sources) are reported apart and never alert, as served:
  they pass 0.25 as entities age after the cut-off, drift or not. Serving computes it over
  DRIFT_WINDOW_MINUTES (60) and needs >= 500 checkouts in the window; a day is the shortest window
  that holds 500 checkouts at the backtest's 3,000 a day.
* Missed fraud, from labels (missed_fraud.py, the test the deployment runs with `npm run monitor`):
  the frauds among test checkouts whose label has arrived by day d, and the mean served score on
  them, against the same mean on the validation days' labelled frauds. It alerts when at least
  MIN_FRAUDS labels are in and the mean is more than Z standard errors below the reference, or
  the mean of those scored since a later test day is Z_RECENT below it. A
  concept shift (fraud that looks different, so the model scores it low) shows here and barely in
  PSI: fraud is half a percent of checkouts.
* Label excess (label_excess.py, the monitor's second test): the fraud labels arrived by day d on
  the test checkouts the served policy allowed (model_capacity's replayed decisions; in a deployment
  only they come back as chargebacks) against the number their served scores predict with the
  label-delay CDF measured at the cut-off. It sees fraud the model prices too low whether or not the
  frauds' scores fell: a higher fraud rate at the same scores moves no mean score.
* Label arrivals (label_arrivals.py, the monitor's third test): on the same checkouts, the labels
  that arrived in the last days against those the scores predict would. Its case is a label feed
  that breaks, which the backtest never has: every alert here is a false alarm, or a model that
  prices the window too high. A window's 10 days of checkouts spread their labels over two months,
  so it may never predict the 10 arrivals a week the test needs (a deployment scoring every day
  does); the table then says so rather than "none".

Lags are in days from the drift's onset in the test window (world.json `drift_starts_at`), or from C
when the window has no drift (an alert there is a false alarm).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from riskgate_training import label_arrivals, label_excess, missed_fraud
from riskgate_training.monitoring import bins

PSI_ALERT = 0.25
SHARE_FLOOR = 1e-4
MIN_CHECKOUTS = 500  # serving's alerts need as many in their window (a partial last day has a few)
DAY = pd.Timedelta(days=1)


def psi(values: np.ndarray, reference: dict[str, Any]) -> float:
    """The serving formula: sum (a - e) ln(a / e) over the reference bins, shares floored."""
    edges = np.asarray(reference["edges"], dtype=np.float64)
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    a = np.maximum(counts / max(len(values), 1), SHARE_FLOOR)
    e = np.maximum(np.asarray(reference["train_share"], dtype=np.float64), SHARE_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def _top(per_feature: list[float], features: list[str], keep: list[bool]) -> tuple[float | None, str | None]:
    picked = [(v, f) for v, f, k in zip(per_feature, features, keep, strict=True) if k]
    return max(picked) if picked else (None, None)


def psi_by_day(X_fit: np.ndarray, score_fit: np.ndarray, X_test: np.ndarray, score_test: np.ndarray,
               day_test: np.ndarray, features: list[str], grows_with_age: list[bool]) -> list[dict[str, Any]]:
    """Per test day with at least MIN_CHECKOUTS: the score's PSI, and the feature with the highest
    PSI among those the alert watches and among the lifetime counters and ages."""
    refs = [bins(X_fit[:, j]) for j in range(X_fit.shape[1])]
    score_ref = bins(score_fit)
    out = []
    for day in np.unique(day_test):
        m = day_test == day
        if m.sum() < MIN_CHECKOUTS:
            continue
        per_feature = [psi(X_test[m, j], refs[j]) for j in range(len(refs))]
        top, name = _top(per_feature, features, [not g for g in grows_with_age])
        top_aging, aging = _top(per_feature, features, grows_with_age)
        out.append({"day": str(day), "checkouts": int(m.sum()), "score_psi": psi(score_test[m], score_ref),
                    "max_feature_psi": top, "max_feature": name,
                    "max_aging_feature_psi": top_aging, "max_aging_feature": aging})
    return out


def missed_fraud_by_day(p_valid_fraud: np.ndarray, p_test: np.ndarray, known_at_test: pd.Series,
                        t_test: pd.Series, days: list[pd.Timestamp]) -> list[dict[str, Any]]:
    """For each day d: test frauds labelled by the end of d, their mean served score, and whether
    that mean (or that of the frauds scored since a later test day) is too far below the
    validation frauds' mean."""
    ref = missed_fraud.reference(p_valid_fraud)
    scored_ns = pd.to_datetime(t_test, utc=True).dt.as_unit("ns").astype("int64").to_numpy()
    out = []
    for d in days:
        m = (known_at_test < d + DAY).to_numpy()
        out.append({"day": f"{d:%Y-%m-%d}", **missed_fraud.check(ref, p_test[m], scored_ns[m])})
    return out


def label_excess_by_day(ref: dict[str, Any], p_test: np.ndarray, t_test: pd.Series, known_at_test: pd.Series,
                        days: list[pd.Timestamp]) -> list[dict[str, Any]]:
    """For each day d: the fraud labels arrived by the end of d among the test checkouts, against
    the number their served scores and the label-delay CDF predict (label_excess.py), and those
    that arrived in the days before it (label_arrivals.py)."""
    scored_ns = pd.to_datetime(t_test, utc=True).dt.as_unit("ns").astype("int64").to_numpy()
    known = pd.to_datetime(known_at_test, utc=True)
    label_ns = np.where(known.notna(), known.dt.as_unit("ns").astype("int64"), np.iinfo(np.int64).max)
    out = []
    for d in days:
        end = d + DAY
        labelled = (known_at_test < end).to_numpy()
        out.append({"day": f"{d:%Y-%m-%d}", **label_excess.check(ref, p_test, scored_ns, labelled, end.value),
                    "arrivals": label_arrivals.check(ref, p_test, scored_ns, label_ns, end.value - 1)})
    return out


def first_alert(days: list[dict[str, Any]], fired: Any, onset: pd.Timestamp) -> dict[str, Any]:
    """The first day the monitor fires, and its lag in days from `onset` (a day counts whole)."""
    for d in days:
        if fired(d):
            day = pd.Timestamp(d["day"], tz=onset.tz)
            return {"first_alert_day": d["day"], "lag_days": float((day + DAY - onset) / DAY)}
    return {"first_alert_day": None, "lag_days": None}


def drift_report(psi_days: list[dict[str, Any]], label_days: list[dict[str, Any]], excess_days: list[dict[str, Any]],
                 p_valid_fraud: np.ndarray, onset: pd.Timestamp, drifted: bool) -> dict[str, Any]:
    """Per monitor: first alert and lag from `onset` (drift onset, or the cut-off without drift)."""
    return {
        "drift_in_window": drifted,
        "lag_from": f"{onset:%Y-%m-%d} ({'drift onset' if drifted else 'cut-off: any alert is a false alarm'})",
        "score_psi": first_alert(psi_days, lambda d: d["score_psi"] > PSI_ALERT, onset),
        "feature_psi": first_alert(psi_days, lambda d: (d["max_feature_psi"] or 0.0) > PSI_ALERT, onset),
        "missed_fraud": first_alert(label_days, lambda d: d["alert"], onset),
        "label_excess": first_alert(excess_days, lambda d: d["alert"], onset),
        "label_arrivals": first_alert(excess_days, lambda d: d["arrivals"]["alert"], onset),
        # a window's few checkouts may never predict enough arrivals in a week to test at all
        "max_expected_arrivals": max((d["arrivals"]["expected"] for d in excess_days), default=0.0),
        "max_score_psi": max((d["score_psi"] for d in psi_days), default=None),
        "max_feature_psi": max((d["max_feature_psi"] for d in psi_days if d["max_feature_psi"] is not None),
                               default=None),
        "max_aging_feature_psi": max((d["max_aging_feature_psi"] for d in psi_days
                                      if d["max_aging_feature_psi"] is not None), default=None),
        "reference_mean_p_on_fraud": float(np.mean(p_valid_fraud)) if len(p_valid_fraud) else None,
        "psi_by_day": psi_days,
        "missed_fraud_by_day": label_days,
        "label_excess_by_day": excess_days,
    }


def drift_onset(drift_starts_at: str | None, cutoff: pd.Timestamp, test_end: pd.Timestamp) -> tuple[pd.Timestamp, bool]:
    """(when lags count from, whether the test window has drift): the onset inside the window, or C."""
    if drift_starts_at:
        start = pd.Timestamp(drift_starts_at)
        if start < test_end:
            return max(start, cutoff), True
    return cutoff, False


def monitor_window(features: list[str], grows_with_age: list[bool], X_fit: np.ndarray, p_fit: np.ndarray,
                   X_test: np.ndarray, p_test: np.ndarray, t_test: pd.Series, known_at_test: pd.Series,
                   p_valid_fraud: np.ndarray, excess_ref: dict[str, Any], allowed: np.ndarray, cutoff: pd.Timestamp,
                   test_end: pd.Timestamp, matured_at: pd.Timestamp, drift_starts_at: str | None) -> dict[str, Any]:
    """The monitors over one backtest window: PSI over the test days, labels until they mature."""
    onset, drifted = drift_onset(drift_starts_at, cutoff, test_end)
    day_test = pd.to_datetime(t_test, utc=True).dt.strftime("%Y-%m-%d").to_numpy()
    label_days = list(pd.date_range(cutoff, matured_at, freq="D", inclusive="left"))
    return drift_report(psi_by_day(X_fit, p_fit, X_test, p_test, day_test, features, grows_with_age),
                        missed_fraud_by_day(p_valid_fraud, p_test, known_at_test, t_test, label_days),
                        label_excess_by_day(excess_ref, p_test[allowed], t_test[allowed], known_at_test[allowed],
                                            label_days), p_valid_fraud,
                        onset, drifted)
