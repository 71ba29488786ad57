"""Load and validate a training table (a directory with training.csv + meta.json).

The table is produced by the TypeScript backfill; this module is the one place that knows
its format, and it fails loudly (naming the column) instead of training on a table that
silently disagrees with its own meta.json (training/serving skew starts here).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

BASE_COLUMNS: tuple[str, ...] = ("event_id", "occurred_at", "user_id", "amount_eur", "label", "label_known_at")
CSV_NAME = "training.csv"
META_NAME = "meta.json"


class TableError(ValueError):
    """The training table is malformed; the message names the file/column at fault."""


@dataclass(frozen=True)
class TrainingTable:
    """A validated training table, rows sorted by (occurred_at, event_id)."""

    path: Path
    frame: pd.DataFrame
    features: list[str]
    meta: dict[str, Any]
    csv_sha256: str

    @property
    def X(self) -> np.ndarray:
        """Feature matrix (float64, columns in meta order)."""
        return self.frame[self.features].to_numpy(dtype=np.float64)

    @property
    def y(self) -> np.ndarray:
        return self.frame["label"].to_numpy(dtype=np.int64)

    @property
    def amount(self) -> np.ndarray:
        return self.frame["amount_eur"].to_numpy(dtype=np.float64)

    @property
    def occurred_at(self) -> pd.Series:
        return self.frame["occurred_at"]

    @property
    def known_at(self) -> pd.Series:
        """When each row's fraud label arrived (NaT: no fraud label by the table's cut-off)."""
        return self.frame["label_known_at"]

    @property
    def defaults(self) -> dict[str, float]:
        """Each feature's served default (meta.json `feature_sources`)."""
        return {name: float(self.meta["feature_sources"][name]["default"]) for name in self.features}

    @property
    def event_ids(self) -> np.ndarray:
        return self.frame["event_id"].to_numpy()

    def days(self) -> float:
        """Time span covered by the table in days (used to turn counts into per-day rates)."""
        return span_days(self.frame["occurred_at"].min(), self.frame["occurred_at"].max())


def span_days(start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Length of [start, end] in days, never below one hour (avoids /0 on tiny tables)."""
    return max((end - start).total_seconds(), 3600.0) / 86400.0


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, streamed (the CSV can be hundreds of MB)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_meta(table_dir: Path) -> dict[str, Any]:
    meta_path = table_dir / META_NAME
    if not meta_path.is_file():
        raise TableError(f"{meta_path}: missing (a training table is a directory with {CSV_NAME} and {META_NAME})")
    try:
        meta = json.loads(meta_path.read_text())
    except json.JSONDecodeError as e:
        raise TableError(f"{meta_path}: not valid JSON: {e}") from e
    for key in ("feature_set", "features", "feature_sources", "label_cutoff", "rows"):
        if key not in meta:
            raise TableError(f"{meta_path}: missing field {key!r}")
    if not isinstance(meta["features"], list) or not meta["features"]:
        raise TableError(f"{meta_path}: 'features' must be a non-empty list of names")
    if len(set(meta["features"])) != len(meta["features"]):
        raise TableError(f"{meta_path}: 'features' has duplicate names")
    clash = set(meta["features"]) & set(BASE_COLUMNS)
    if clash:
        raise TableError(f"{meta_path}: feature names clash with base columns: {sorted(clash)}")
    sources = meta["feature_sources"]
    for name in meta["features"]:
        default = sources.get(name, {}).get("default") if isinstance(sources, dict) else None
        if not isinstance(default, (int, float)) or isinstance(default, bool):
            raise TableError(f"{meta_path}: feature_sources.{name}.default must be a number (re-run the backfill)")
    return meta


def load_table(table_dir: str | Path) -> TrainingTable:
    """Read and validate a training table directory."""
    table_dir = Path(table_dir)
    meta = load_meta(table_dir)
    csv_path = table_dir / CSV_NAME
    if not csv_path.is_file():
        raise TableError(f"{csv_path}: missing")
    features: list[str] = list(meta["features"])

    header = pd.read_csv(csv_path, nrows=0).columns.tolist()
    missing = [c for c in (*BASE_COLUMNS, *features) if c not in header]
    if missing:
        raise TableError(f"{csv_path}: missing columns {missing}")
    extra = [c for c in header if c not in BASE_COLUMNS and c not in features]
    if extra:
        raise TableError(f"{csv_path}: columns not listed in meta.json features: {extra}")

    dtypes: dict[str, Any] = {"event_id": str, "user_id": str, "occurred_at": str, "label_known_at": str}
    frame = pd.read_csv(csv_path, dtype=dtypes, keep_default_na=True)
    if len(frame) == 0:
        raise TableError(f"{csv_path}: no rows")
    if int(meta["rows"]) != len(frame):
        raise TableError(f"{csv_path}: has {len(frame)} rows but meta.json says rows={meta['rows']} (truncated?)")

    try:
        frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True, format="ISO8601")
    except (ValueError, TypeError) as e:
        raise TableError(f"{csv_path}: column 'occurred_at' is not ISO-8601: {e}") from e
    try:
        frame["label_known_at"] = pd.to_datetime(frame["label_known_at"], utc=True, format="ISO8601")
    except (ValueError, TypeError) as e:
        raise TableError(f"{csv_path}: column 'label_known_at' is not ISO-8601 or empty: {e}") from e

    for col in ("amount_eur", "label", *features):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=np.float64, na_value=np.nan))
        if bad.any():
            first = int(np.flatnonzero(bad.to_numpy())[0])
            raise TableError(
                f"{csv_path}: column {col!r} has {int(bad.sum())} missing/non-numeric values "
                f"(first at data row {first + 1}: {frame[col].iloc[first]!r})"
            )
        frame[col] = values.astype(np.float64)
    labels = frame["label"].unique()
    if not set(labels.tolist()) <= {0.0, 1.0}:
        raise TableError(f"{csv_path}: column 'label' must be 0/1, found {sorted(labels.tolist())[:5]}")
    if frame["event_id"].duplicated().any():
        raise TableError(f"{csv_path}: duplicate event_id values")
    if (frame["amount_eur"] < 0).any():
        raise TableError(f"{csv_path}: negative amount_eur")

    if ((frame["label"] == 1.0) != frame["label_known_at"].notna()).any():
        raise TableError(f"{csv_path}: 'label_known_at' must be set exactly on rows with label 1")
    frame["label"] = frame["label"].astype(np.int64)
    frame = frame.sort_values(["occurred_at", "event_id"], kind="mergesort").reset_index(drop=True)
    return TrainingTable(path=table_dir, frame=frame, features=features, meta=meta, csv_sha256=sha256_file(csv_path))
