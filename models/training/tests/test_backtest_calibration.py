"""The interval on a backtest window's calibration: resampled days, around the window's own ratio."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskgate_training.backtest_calibration import ratio_interval


def _window(per_day: int, rate: float, forecast: float, seed: int = 1) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    rng = np.random.default_rng(seed)
    n = 10 * per_day
    t = pd.Series(pd.Timestamp("2026-04-06", tz="UTC") + pd.to_timedelta(np.repeat(np.arange(10), per_day), unit="D"))
    return np.full(n, forecast), (rng.random(n) < rate).astype(int), t


def test_the_interval_holds_the_windows_own_ratio_and_scales_with_the_forecast() -> None:
    p, y, t = _window(3_000, 0.005, 0.005)
    lo, hi = ratio_interval(p, y, t, n_boot=2_000, seed=3)
    assert lo < p.sum() / y.sum() < hi
    lo11, hi11 = ratio_interval(1.1 * p, y, t, n_boot=2_000, seed=3)
    assert np.allclose([lo11, hi11], [1.1 * lo, 1.1 * hi])


def test_more_frauds_narrow_the_interval() -> None:
    # the default world's 10-day window (~150 frauds) against one with 100 times the checkouts
    widths = {}
    for per_day in (3_000, 300_000):
        lo, hi = ratio_interval(*_window(per_day, 0.005, 0.0055), n_boot=2_000, seed=3)
        widths[per_day] = hi - lo
    assert widths[300_000] < widths[3_000] / 4


def test_the_interval_is_reproducible_from_its_seed() -> None:
    w = _window(3_000, 0.005, 0.005)
    assert ratio_interval(*w, n_boot=500, seed=4) == ratio_interval(*w, n_boot=500, seed=4)
