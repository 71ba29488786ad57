import numpy as np
import pandas as pd
import pytest

from riskgate_training.data import load_table
from riskgate_training.labels import delay_days, labels_as_of, maturity_days
from riskgate_training.split import DAY, SplitDays, time_split


def test_split_leaves_the_maturity_gap_before_test(table_dir) -> None:
    t = load_table(table_dir)
    s = time_split(t.occurred_at, SplitDays(test=10, valid=12, min_train=14), gap_days=11)
    ts = t.occurred_at
    assert ts.iloc[s.train_idx].max() < s.valid_start <= ts.iloc[s.valid_idx].min()
    assert ts.iloc[s.valid_idx].max() < s.valid_end
    assert s.test_start - s.valid_end == 11 * DAY
    assert ts.iloc[s.test_idx].min() >= s.test_start
    used = len(s.train_idx) + len(s.valid_idx) + len(s.test_idx)
    assert used + s.gap_rows == len(ts) and s.gap_rows > 0
    assert s.test_start == s.test_start.normalize() and s.days("valid") == pytest.approx(12)


def test_refuses_a_table_too_short_for_the_gap_naming_the_need() -> None:
    t = pd.Series(pd.date_range("2026-01-01", periods=40 * 24, freq="h", tz="UTC"))
    with pytest.raises(ValueError, match="= 60 days are needed"):
        time_split(t, SplitDays(test=14, valid=14, min_train=14), gap_days=18)


def test_labels_as_of_only_count_labels_already_arrived() -> None:
    occurred = pd.Series(pd.to_datetime(["2026-01-01", "2026-01-01", "2026-01-02"], utc=True))
    known = pd.Series(pd.to_datetime(["2026-01-20", None, "2026-02-20"], utc=True))
    assert labels_as_of(known, pd.Timestamp("2026-02-01", tz="UTC")).tolist() == [1, 0, 0]
    assert labels_as_of(known, pd.Timestamp("2026-03-01", tz="UTC")).tolist() == [1, 0, 1]
    assert delay_days(occurred, known).tolist() == [19.0, 49.0]


def test_maturity_is_the_delay_quantile_rounded_up() -> None:
    delays = np.random.default_rng(1).triangular(10, 24, 60, 20_000)
    # triangular(10, 24, 60): P(d <= x) = 1 - (60 - x)^2 / 1800 for x >= 24 -> p95 = 60 - sqrt(90) = 50.5
    assert maturity_days(delays, 0.95) == 51
    assert maturity_days(delays, 1.0) == 60
    with pytest.raises(ValueError):
        maturity_days(np.array([]), 0.95)
