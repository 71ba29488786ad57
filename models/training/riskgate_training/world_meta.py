"""What the simulator says about the world a table was backfilled from (its world.json): facts no live
system would have, read only to explain an evaluation (the card, the backtest's drift columns), never
to fit anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[3]


def drift_starts_at(world: Path) -> str | None:
    """When the simulator's drifted fraud starts (world.json), None if unknown or none."""
    meta = world / "world.json"
    return json.loads(meta.read_text()).get("drift_starts_at") if meta.is_file() else None


def source_world(table_meta: dict[str, Any]) -> Path | None:
    """The world a table was backfilled from (its meta.json `source`, relative to the repo root)."""
    source = table_meta.get("source")
    if not source:
        return None
    path = Path(source)
    return path if path.is_absolute() else REPO_ROOT / path


def drift_line(drift_start: str | None, start: str, end: str, fit_end: str, scope: str) -> str | None:
    """A card's line when the simulated drift reaches the rows from `start` to `end` (`scope` names them:
    "the test split's"), for a model fitted on rows before `fit_end`; None when it does not reach them."""
    if not drift_start:
        return None
    drift, first, last = pd.Timestamp(drift_start), pd.Timestamp(start), pd.Timestamp(end)
    if drift >= last:
        return None
    day = pd.Timedelta(days=1)
    drifted, span = (last - max(drift, first)) / day, (last - first) / day
    fit = "none of the fit days" if drift >= pd.Timestamp(fit_end) else "the fit days too"
    return (f"  simulated world: its fraud changes its ways from {drift_start} ({drifted:.1f} of {scope} "
            f"{span:.1f} days, {fit}): a concept shift, so recall and calibration there measure it "
            "(models/training/README.md, Known limits)")
