import numpy as np
import pandas as pd
import pytest

from riskgate_training.data import load_table
from riskgate_training.split import SplitFractions, time_split


def test_time_split_is_ordered_and_complete(table_dir) -> None:
    t = load_table(table_dir)
    s = time_split(t.occurred_at, SplitFractions(0.6, 0.2, 0.2))
    ts = t.occurred_at
    assert ts.iloc[s.test_idx].min() > ts.iloc[s.train_idx].max()
    assert ts.iloc[s.valid_idx].min() > ts.iloc[s.train_idx].max()
    assert ts.iloc[s.test_idx].min() >= ts.iloc[s.valid_idx].max()
    assert ts.iloc[s.train_idx].max() < s.valid_start <= ts.iloc[s.valid_idx].min()
    assert ts.iloc[s.valid_idx].max() < s.test_start <= ts.iloc[s.test_idx].min()
    all_idx = np.concatenate([s.train_idx, s.valid_idx, s.test_idx])
    assert sorted(all_idx.tolist()) == list(range(len(ts)))
    # 56 days snapped to midnight: 60/20/20 -> ~34 / 11 / 11 days
    assert s.valid_start == s.valid_start.normalize() and s.test_start == s.test_start.normalize()
    assert 33 <= s.days("train") <= 35 and 10 <= s.days("valid") <= 12


def test_fractions_follow_time_not_rows() -> None:
    # 90 % of rows in the first day, then sparse: a row-based split would put the boundary on day 1
    t = pd.Series(pd.to_datetime(["2026-01-01T00:00:00Z"] * 90 + [f"2026-01-{d:02d}T12:00:00Z" for d in range(2, 12)]))
    s = time_split(t, SplitFractions(0.5, 0.25, 0.25))
    assert len(s.train_idx) >= 90 and len(s.test_idx) >= 1


def test_bad_fractions_rejected() -> None:
    with pytest.raises(ValueError):
        SplitFractions(0.7, 0.2, 0.2)
    with pytest.raises(ValueError):
        SplitFractions(1.0, 0.0, 0.0)
