"""Time split with a label-maturity gap before the test split.

    train: t < valid_start | valid: valid_start <= t < valid_end | gap | test: test_start <= t <= end

The training date T is `test_start`: the model is fitted (trees on train, calibration and policy
on valid) with labels as known at T, and `gap_days` (>= the label maturity window) keep the last
fitted row old enough that its label has arrived by T. Rows inside the gap are not used: their
labels are not mature at T. The test split is the traffic after T, scored on labels matured
`maturity_days` after its end. Boundaries are whole UTC days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskgate_training.data import span_days

DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class SplitDays:
    test: int = 14
    valid: int = 14
    min_train: int = 14

    def __post_init__(self) -> None:
        if min(self.test, self.valid, self.min_train) < 1:
            raise ValueError(f"split days must be >= 1, got {self}")


@dataclass(frozen=True)
class TimeSplit:
    start: pd.Timestamp
    valid_start: pd.Timestamp
    valid_end: pd.Timestamp
    test_start: pd.Timestamp
    end: pd.Timestamp
    train_idx: np.ndarray
    valid_idx: np.ndarray
    test_idx: np.ndarray
    gap_rows: int

    @property
    def gap_days(self) -> float:
        return (self.test_start - self.valid_end) / DAY

    def days(self, part: str) -> float:
        bounds = {
            "train": (self.start, self.valid_start),
            "valid": (self.valid_start, self.valid_end),
            "test": (self.test_start, self.end),
        }[part]
        return span_days(*bounds)

    def boundaries(self) -> dict[str, str | float | int]:
        return {
            "train_start": iso(self.start),
            "valid_start": iso(self.valid_start),
            "valid_end": iso(self.valid_end),
            "test_start": iso(self.test_start),
            "test_end": iso(self.end),
            "gap_days": self.gap_days,
            "gap_rows_unused": self.gap_rows,
            "rule": "train: t < valid_start; valid: valid_start <= t < valid_end; "
                    "gap (unused): valid_end <= t < test_start; test: t >= test_start",
        }


def iso(t: pd.Timestamp) -> str:
    return t.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def time_split(occurred_at: pd.Series, days: SplitDays, gap_days: int) -> TimeSplit:
    """Cut from the end: test, then the gap, then validation; train is everything before."""
    t = pd.to_datetime(occurred_at, utc=True)
    start, end = t.min(), t.max()
    end_day = end.floor("D") + DAY
    test_start = end_day - days.test * DAY
    valid_end = test_start - gap_days * DAY
    valid_start = valid_end - days.valid * DAY
    need = days.min_train + days.valid + gap_days + days.test
    if valid_start - start < days.min_train * DAY:
        raise ValueError(
            f"the table spans {span_days(start, end):.1f} days but train >= {days.min_train} + valid {days.valid} "
            f"+ maturity gap {gap_days} + test {days.test} = {need} days are needed: simulate a longer world "
            "(or pass shorter --test-days/--valid-days, or --gap-days knowing labels will be immature)")
    train_idx = np.flatnonzero((t < valid_start).to_numpy())
    valid_idx = np.flatnonzero(((t >= valid_start) & (t < valid_end)).to_numpy())
    test_idx = np.flatnonzero((t >= test_start).to_numpy())
    gap_rows = int(((t >= valid_end) & (t < test_start)).sum())
    for name, idx in (("train", train_idx), ("valid", valid_idx), ("test", test_idx)):
        if len(idx) == 0:
            raise ValueError(f"time split left the {name} split empty")
    return TimeSplit(start, valid_start, valid_end, test_start, end, train_idx, valid_idx, test_idx, gap_rows)
