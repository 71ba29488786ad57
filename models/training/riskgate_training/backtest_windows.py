"""Rolling-origin windows and labels as known at a date.

For each cut-off C (the day a model would have been trained and shipped):

    fit:   [start, C - gap - valid_days)     model fitted here
    valid: [C - gap - valid_days, C - gap)   calibration and the capacity operating point
    gap:   [C - gap, C)                      not fitted; its young labels nowcast the recent fraud rate
    test:  [C, C + test_days)                decisions replayed and priced here

Training and validation see labels as known at C (a chargeback that arrives after C does not exist
yet); the gap keeps the most recent, least mature checkouts out of fitting. The test window is
priced on matured labels: known by test end + maturity_days.

Labels as of a date come from the backfill table's `label_known_at` (labels.labels_as_of).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Window:
    cutoff: pd.Timestamp
    fit_start: pd.Timestamp
    valid_start: pd.Timestamp
    valid_end: pd.Timestamp
    test_end: pd.Timestamp
    matured_at: pd.Timestamp

    @property
    def name(self) -> str:
        return f"{self.cutoff:%Y-%m-%d}"

    def masks(self, occurred_at: pd.Series) -> dict[str, np.ndarray]:
        t = occurred_at
        return {
            "fit": ((t >= self.fit_start) & (t < self.valid_start)).to_numpy(),
            "valid": ((t >= self.valid_start) & (t < self.valid_end)).to_numpy(),
            "gap": ((t >= self.valid_end) & (t < self.cutoff)).to_numpy(),
            "test": ((t >= self.cutoff) & (t < self.test_end)).to_numpy(),
        }

    def to_dict(self) -> dict[str, str]:
        iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
        return {"cutoff": iso(self.cutoff), "fit_start": iso(self.fit_start), "valid_start": iso(self.valid_start),
                "valid_end": iso(self.valid_end), "test_start": iso(self.cutoff), "test_end": iso(self.test_end),
                "labels_known_as_of": iso(self.cutoff), "test_labels_matured_at": iso(self.matured_at)}


def rolling_windows(first: pd.Timestamp, last: pd.Timestamp, *, n_windows: int, test_days: int, gap_days: int,
                    valid_days: int, maturity_days: int, min_fit_days: int = 5) -> list[Window]:
    """`n_windows` back-to-back test windows of `test_days` ending at the last whole day of the data."""
    if n_windows < 1 or test_days < 1 or valid_days < 1 or gap_days < 0:
        raise ValueError("need n_windows, test_days, valid_days >= 1 and gap_days >= 0")
    start = first.floor("D")
    end = last.floor("D") + DAY if last != last.floor("D") else last
    windows = []
    for k in range(n_windows, 0, -1):
        cutoff = end - k * test_days * DAY
        valid_end = cutoff - gap_days * DAY
        valid_start = valid_end - valid_days * DAY
        if valid_start - start < min_fit_days * DAY:
            raise ValueError(
                f"cut-off {cutoff:%Y-%m-%d} leaves {(valid_start - start) / DAY:.1f} days to fit on (need "
                f"{min_fit_days}): use fewer or shorter windows, a shorter gap, or a longer world")
        test_end = cutoff + test_days * DAY
        windows.append(Window(cutoff, start, valid_start, valid_end, test_end, test_end + maturity_days * DAY))
    return windows
