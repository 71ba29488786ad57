import numpy as np
import pandas as pd
import pytest

from riskgate_training.calibration import apply_calibration, fit_isotonic, fit_platt
from riskgate_training.nowcast import DelayCdf, expected_completeness, intercept_shift, nowcast_rate, shifted

T0 = pd.Timestamp("2026-01-01", tz="UTC")


def _world(rate: float, days: int, per_day: int, seed: int) -> tuple[pd.Series, pd.Series]:
    """Checkouts with fraud at `rate`, each fraud label arriving 10-60 days later (uniform)."""
    rng = np.random.default_rng(seed)
    n = days * per_day
    t = pd.Series(T0 + pd.to_timedelta(np.sort(rng.uniform(0, days, n)), unit="D"))
    fraud = rng.random(n) < rate
    known = pd.Series(pd.NaT, index=t.index, dtype=t.dtype)
    known[fraud] = t[fraud] + pd.to_timedelta(rng.uniform(10, 60, fraud.sum()), unit="D")
    return t, known


def test_the_delay_cdf_is_measured_on_checkouts_old_enough_and_known_by_the_date() -> None:
    t, known = _world(0.05, 200, 200, seed=1)
    as_of = T0 + pd.Timedelta(days=150)
    cdf = DelayCdf.measure(t, known, as_of, horizon_days=60)
    assert cdf(np.array([5.0]))[0] == 0.0
    assert cdf(np.array([35.0]))[0] == pytest.approx(0.5, abs=0.06)  # ~900 delays: +- 2 standard errors
    assert cdf(np.array([60.0]))[0] == 1.0
    with pytest.raises(ValueError, match="older than 60 days"):
        DelayCdf.measure(t, known, T0 + pd.Timedelta(days=50), horizon_days=60)


def test_nowcast_recovers_the_rate_of_recent_checkouts_from_their_young_labels() -> None:
    t, known = _world(0.02, 200, 300, seed=2)
    as_of = T0 + pd.Timedelta(days=170)
    cdf = DelayCdf.measure(t, known, as_of, horizon_days=60)
    recent = (t >= as_of - pd.Timedelta(days=35)) & (t < as_of)
    y_known = (known[recent].notna() & (known[recent] <= as_of)).to_numpy()
    assert y_known.mean() < 0.02 * 0.6  # most labels of the last 35 days have not arrived
    now = nowcast_rate(t[recent], y_known, as_of, cdf)
    assert now["rate"] == pytest.approx(0.02, rel=0.15)
    assert expected_completeness(t[recent], as_of, cdf) == pytest.approx(now["expected_share_known"])


def test_an_intercept_shift_moves_the_mean_forecast_to_the_target_in_both_served_forms() -> None:
    rng = np.random.default_rng(3)
    raw = rng.beta(0.5, 20, 20_000)
    y = (rng.random(len(raw)) < raw).astype(int)
    for cal in (fit_platt(raw, y, np.ones(len(raw))), fit_isotonic(raw, y, np.ones(len(raw)))):
        p = apply_calibration(cal, raw)
        target = 1.4 * p.mean()
        delta = intercept_shift(p, target)
        moved = apply_calibration(shifted(cal, delta), raw)
        assert moved.mean() == pytest.approx(target, rel=0.02)
        assert np.all(np.diff(moved[np.argsort(raw)]) >= -1e-12)  # ranking kept
    with pytest.raises(ValueError):
        intercept_shift(np.array([0.1]), 1.5)
