"""manifest.json: everything the scoring service needs to load, check and apply the model,
and everything a reviewer needs to know what it was trained on and how good it was."""

from __future__ import annotations

import importlib.metadata
import json
import platform
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
MODEL_FILE = "model.onnx"
PARITY_FILE = "parity.jsonl"
LIGHTGBM_FILE = "lightgbm_model.txt"
SCHEMA_VERSION = 2

REQUIRED_FIELDS: tuple[str, ...] = (
    "schema_version", "name", "version", "created_at", "features", "feature_set", "onnx", "calibration",
    "policy", "labels", "monitoring", "review_capacity_per_day", "split", "training_data", "libraries", "metrics",
    "float32", "parity",
)
POLICY_FIELDS: tuple[str, ...] = (
    "kind", "currency", "chargeback_fee_eur", "review_cost_eur", "decline_cost_eur", "median_amount_eur",
    "fn_over_fp_at_median", "review_min_expected_loss_eur", "review_capacity_per_day", "rule",
)
REQUIRED_METRICS: tuple[str, ...] = (
    "pr_auc", "roc_auc", "calibration", "recall_block", "precision_block", "recall_flagged", "precision_flagged",
    "reviews_per_day", "reviews_p95_day", "expected_cost",
)
LIBRARIES = ("lightgbm", "scikit-learn", "onnxmltools", "onnx", "onnxruntime", "numpy", "pandas", "scipy", "skl2onnx")


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            out[lib] = "missing"
    return out


def validate_manifest(manifest: dict[str, Any]) -> list[str]:
    """Names of missing fields (empty list = complete)."""
    missing = [f for f in REQUIRED_FIELDS if f not in manifest]
    test = manifest.get("metrics", {}).get("test", {})
    missing += [f"metrics.test.{f}" for f in REQUIRED_METRICS if f not in test]
    for f in ("file", "input_name", "output_name", "fraud_index"):
        if f not in manifest.get("onnx", {}):
            missing.append(f"onnx.{f}")
    missing += [f"policy.{f}" for f in POLICY_FIELDS if f not in manifest.get("policy", {})]
    for f in ("cutoff", "maturity_days", "gap_days", "known_as_of"):
        if f not in manifest.get("labels", {}):
            missing.append(f"labels.{f}")
    for f in ("features", "score"):
        if f not in manifest.get("monitoring", {}):
            missing.append(f"monitoring.{f}")
    for f in ("sha256", "rows", "label_cutoff"):
        if f not in manifest.get("training_data", {}):
            missing.append(f"training_data.{f}")
    return missing


def write_manifest(directory: Path, manifest: dict[str, Any]) -> Path:
    missing = validate_manifest(manifest)
    if missing:
        raise ValueError(f"manifest incomplete: {missing}")
    path = directory / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2, allow_nan=False) + "\n")
    return path


def read_manifest(directory: Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no manifest (is --model an artifact version directory?)")
    return json.loads(path.read_text())
