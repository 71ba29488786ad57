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


def drift_line(drift_start: str | None, split: dict[str, Any]) -> str | None:
    """The card's line when the simulated drift reaches the test split; None when it does not."""
    if not drift_start:
        return None
    start = pd.Timestamp(drift_start)
    test_start, test_end = pd.Timestamp(split["test_start"]), pd.Timestamp(split["test_end"])
    if start >= test_end:
        return None
    day = pd.Timedelta(days=1)
    drifted, span = (test_end - max(start, test_start)) / day, (test_end - test_start) / day
    fit = "none of the fit days" if start >= pd.Timestamp(split["valid_end"]) else "the fit days too"
    return (f"  simulated world: its fraud changes its ways from {drift_start} ({drifted:.1f} of the test "
            f"split's {span:.1f} days, {fit}): a concept shift, so test recall and calibration measure it "
            "(models/training/README.md, Known limits)")
