"""Labels as known at a date, and how long they take to mature.

A checkout's fraud label arrives days to weeks after the checkout (chargebacks; a few review
outcomes sooner). The backfill records when it arrived (`label_known_at`); a model trained on
day T may only use labels with `label_known_at <= T`. The maturity window is measured on the
table itself: the `quantile` of the observed delays (checkout -> label), rounded up to whole
days. It is an assumption about the label process (in production: measured on past chargebacks)
and is written to the manifest with the distribution it came from.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

DELAY_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)


def labels_as_of(known_at: pd.Series, as_of: pd.Timestamp) -> np.ndarray:
    """1 where a fraud label had arrived by `as_of`, else 0 (legit or not yet known)."""
    return (known_at.notna() & (known_at <= as_of)).to_numpy().astype(np.int64)


def delay_days(occurred_at: pd.Series, known_at: pd.Series) -> np.ndarray:
    """Days from checkout to its fraud label, for the rows that have one."""
    has = known_at.notna()
    return ((known_at[has] - occurred_at[has]).dt.total_seconds() / 86400.0).to_numpy(dtype=np.float64)


def maturity_days(delays: np.ndarray, quantile: float) -> int:
    """Whole days by which `quantile` of fraud labels have arrived."""
    if not 0.5 <= quantile <= 1.0:
        raise ValueError(f"maturity quantile must be in [0.5, 1], got {quantile}")
    if len(delays) == 0:
        raise ValueError("no fraud labels in the table: cannot measure label maturity")
    return max(1, math.ceil(float(np.quantile(delays, quantile))))


def delay_summary(delays: np.ndarray) -> dict[str, Any]:
    """The measured delay distribution (days) for the manifest."""
    return {
        "rows": int(len(delays)),
        "min": float(delays.min()),
        "max": float(delays.max()),
        "mean": float(delays.mean()),
        "quantiles": {f"p{round(q * 100)}": float(np.quantile(delays, q)) for q in DELAY_QUANTILES},
    }
