"""The evaluate workflow: score any table with a trained artifact (the CLI only parses and prints)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskgate_training.calibration import apply_calibration
from riskgate_training.card import evaluate_card
from riskgate_training.cost_policy import Policy, day_index
from riskgate_training.data import load_table, span_days
from riskgate_training.evaluation import acceptance, evaluate_scores
from riskgate_training.export import onnx_fraud_proba, session
from riskgate_training.labels import labels_as_of
from riskgate_training.manifest import read_manifest
from riskgate_training.split import DAY, iso
from riskgate_training.world_meta import drift_starts_at, source_world


def _utc(value: str) -> pd.Timestamp:
    t = pd.Timestamp(value)
    return t.tz_localize("UTC") if t.tz is None else t.tz_convert("UTC")


def policy_from_manifest(block: dict[str, Any]) -> Policy:
    return Policy(**{k: block[k] for k in Policy.__dataclass_fields__})


def evaluate(model_dir: Path, table_dir: Path, *, start: str | None = None, end: str | None = None,
             labels_as_of_iso: str | None = None, ignore_feature_set: bool = False) -> tuple[dict[str, Any], str]:
    """Score any table with a trained artifact (ONNX + manifest calibration and policy). Labels are
    read as known `maturity_days` after the last row scored (capped at the table's cut-off)
    unless --labels-as-of says otherwise. On the model's own training table, rows from its test
    split's start unless start/end say otherwise; the card counts rows it was fitted or calibrated on."""
    manifest = read_manifest(model_dir)
    table = load_table(table_dir)
    if table.meta["feature_set"] != manifest["feature_set"] and not ignore_feature_set:
        raise ValueError(f"feature_set mismatch: table {table.meta['feature_set']} vs model {manifest['feature_set']} "
                         "(pass --ignore-feature-set to evaluate anyway)")
    missing = [f for f in manifest["features"] if f not in table.frame.columns]
    if missing:
        raise ValueError(f"table lacks model features: {missing}")
    frame = table.frame
    split = manifest["split"]
    own_table = table.csv_sha256 == manifest["training_data"]["sha256"]
    if own_table and not start and not end:
        # On the table it was trained on, the whole table would score the model on the rows it was
        # fitted and calibrated on, and call that a pass: by default it gets its test split only.
        start = split["test_start"]
    if start:
        frame = frame[frame["occurred_at"] >= _utc(start)]
    if end:
        frame = frame[frame["occurred_at"] < _utc(end)]
    if len(frame) == 0:
        raise ValueError("no rows in the requested time range")
    seen = int((frame["occurred_at"] < _utc(split["valid_end"])).sum()) if own_table else 0
    features = list(manifest["features"])
    X = frame[features].to_numpy(dtype=np.float64)
    cutoff = _utc(table.meta["label_cutoff"])
    last = frame["occurred_at"].max()
    as_of = _utc(labels_as_of_iso) if labels_as_of_iso else min(last + manifest["labels"]["maturity_days"] * DAY,
                                                                cutoff)
    y = labels_as_of(frame["label_known_at"], as_of)
    amount = frame["amount_eur"].to_numpy(dtype=np.float64)
    sess = session((Path(model_dir) / manifest["onnx"]["file"]).read_bytes())
    raw = onnx_fraud_proba(sess, X, manifest["onnx"]["input_name"])
    cal = apply_calibration(manifest["calibration"], raw)
    days = span_days(frame["occurred_at"].min(), last)
    metrics = evaluate_scores(raw=raw.astype(np.float64), calibrated=cal, y=y, amount=amount, X=X,
                              day=day_index(frame["occurred_at"]), features=features,
                              pol=policy_from_manifest(manifest["policy"]), days=days)
    acc = acceptance(metrics)
    metrics["acceptance"] = acc
    metrics["labels_as_of"] = iso(as_of)
    metrics["labels_matured"] = bool(last + manifest["labels"]["maturity_days"] * DAY <= as_of)
    metrics["table"] = {"path": str(table_dir), "sha256": table.csv_sha256, "feature_set": table.meta["feature_set"],
                        "is_training_table": own_table}
    world = source_world(table.meta)
    metrics["rows_scored"] = {"from": iso(frame["occurred_at"].min()), "to": iso(last),
                              "fitted_or_calibrated_on": seen,
                              # The simulator's ground truth, for the card only (world_meta.py).
                              "simulated_drift_starts_at": drift_starts_at(world) if world else None}
    return metrics, evaluate_card(manifest, str(table_dir), metrics, acc)


def validation_fraud_scores(model_dir: Path, table_dir: Path) -> np.ndarray:
    """The served (calibrated) scores of the validation split's frauds, labels as known at the
    training date: the missed-fraud reference of a manifest written before it carried one."""
    manifest = read_manifest(model_dir)
    table = load_table(table_dir)
    if table.csv_sha256 != manifest["training_data"]["sha256"]:
        raise ValueError(f"{table_dir} is not the table {model_dir} was trained on (sha256 differs)")
    split = manifest["split"]
    t = table.frame["occurred_at"]
    rows = table.frame[(t >= _utc(split["valid_start"])) & (t < _utc(split["valid_end"]))]
    y = labels_as_of(rows["label_known_at"], _utc(manifest["labels"]["known_as_of"]["valid"]))
    X = rows[list(manifest["features"])].to_numpy(dtype=np.float64)
    sess = session((Path(model_dir) / manifest["onnx"]["file"]).read_bytes())
    raw = onnx_fraud_proba(sess, X, manifest["onnx"]["input_name"])
    return np.asarray(apply_calibration(manifest["calibration"], raw), dtype=np.float64)[np.asarray(y) == 1]
