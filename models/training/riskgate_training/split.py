"""Time-based train / validation / test split.

Fraud patterns drift and labels mature with delay, so a random split would leak the future
into training and overstate quality. We cut the table's time span into consecutive pieces:
train on the earliest part, fit calibration + thresholds on the next, measure on the last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskgate_training.data import span_days


@dataclass(frozen=True)
class SplitFractions:
    """Fractions of the table's *time span* (not of rows) for train / validation / test."""

    train: float = 0.6
    valid: float = 0.2
    test: float = 0.2

    def __post_init__(self) -> None:
        parts = (self.train, self.valid, self.test)
        if any(p <= 0 for p in parts) or abs(sum(parts) - 1.0) > 1e-6:
            raise ValueError(f"split fractions must be positive and sum to 1, got {parts}")


@dataclass(frozen=True)
class TimeSplit:
    """Row indices per split plus the boundaries (train < valid_start <= valid < test_start <= test)."""

    start: pd.Timestamp
    valid_start: pd.Timestamp
    test_start: pd.Timestamp
    end: pd.Timestamp
    train_idx: np.ndarray
    valid_idx: np.ndarray
    test_idx: np.ndarray

    def days(self, part: str) -> float:
        """Days covered by a split (to convert counts to per-day review volume)."""
        bounds = {
            "train": (self.start, self.valid_start),
            "valid": (self.valid_start, self.test_start),
            "test": (self.test_start, self.end),
        }[part]
        return span_days(*bounds)

    def boundaries(self) -> dict[str, str]:
        return {
            "train_start": _iso(self.start),
            "valid_start": _iso(self.valid_start),
            "test_start": _iso(self.test_start),
            "test_end": _iso(self.end),
            "rule": "train: t < valid_start; valid: valid_start <= t < test_start; test: t >= test_start",
        }


def _iso(t: pd.Timestamp) -> str:
    return t.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def time_split(occurred_at: pd.Series, fractions: SplitFractions = SplitFractions()) -> TimeSplit:
    """Split rows by time. Boundaries snap to UTC midnight when the table spans >= 14 days
    (whole days are easier to reason about and reproduce), otherwise they are exact."""
    t = pd.to_datetime(occurred_at, utc=True)
    start, end = t.min(), t.max()
    span = end - start
    valid_start = start + span * fractions.train
    test_start = start + span * (fractions.train + fractions.valid)
    if span >= pd.Timedelta(days=14):
        valid_start = valid_start.round("D")
        test_start = test_start.round("D")
    train_idx = np.flatnonzero((t < valid_start).to_numpy())
    valid_idx = np.flatnonzero(((t >= valid_start) & (t < test_start)).to_numpy())
    test_idx = np.flatnonzero((t >= test_start).to_numpy())
    for name, idx in (("train", train_idx), ("valid", valid_idx), ("test", test_idx)):
        if len(idx) == 0:
            raise ValueError(f"time split left the {name} split empty (span {span}, fractions {fractions})")
    return TimeSplit(start, valid_start, test_start, end, train_idx, valid_idx, test_idx)
