"""The train and evaluate workflows (the CLI only parses arguments and prints)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskgate_training import plots
from riskgate_training.calibration import apply_calibration, choose_calibration
from riskgate_training.card import evaluate_card, train_card
from riskgate_training.data import load_table, span_days
from riskgate_training.evaluation import acceptance, evaluate_scores
from riskgate_training.export import (FRAUD_INDEX, INPUT_NAME, PROBA_OUTPUT, check_agreement, float32_report,
                                      onnx_fraud_proba, session, to_onnx)
from riskgate_training.manifest import (LIGHTGBM_FILE, MODEL_FILE, PARITY_FILE, SCHEMA_VERSION, library_versions,
                                        read_manifest, write_manifest)
from riskgate_training.model import ModelParams, lgb_contrib, lgb_raw, train_booster
from riskgate_training.parity import sample_rows, write_parity
from riskgate_training.split import SplitFractions, time_split
from riskgate_training.thresholds import CostModel, choose_thresholds


@dataclass(frozen=True)
class TrainConfig:
    table_dir: Path
    out_dir: Path
    name: str = "riskgate-fraud"
    version: str | None = None
    force: bool = False
    fractions: SplitFractions = field(default_factory=SplitFractions)
    costs: CostModel = field(default_factory=CostModel)
    review_capacity_per_day: float = 1000.0
    params: ModelParams = field(default_factory=ModelParams)
    parity_rows: int = 3000


@dataclass(frozen=True)
class TrainResult:
    artifact_dir: Path
    manifest: dict[str, Any]
    card: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def train(cfg: TrainConfig) -> TrainResult:
    """Train, calibrate, choose thresholds, export, verify, and write one artifact version."""
    created = _now()
    table = load_table(cfg.table_dir)
    version = cfg.version or f"{created:%Y%m%d}-{table.csv_sha256[:8]}"
    final_dir = cfg.out_dir / cfg.name / version
    if final_dir.exists() and not cfg.force:
        raise FileExistsError(f"{final_dir} exists (same day, same data); pass --force to replace it or --version")

    split = time_split(table.occurred_at, cfg.fractions)
    X, y, amount = table.X, table.y, table.amount
    for part, idx in (("train", split.train_idx), ("valid", split.valid_idx), ("test", split.test_idx)):
        if y[idx].sum() == 0:
            raise ValueError(f"the {part} split has no fraud rows; cannot train/calibrate/evaluate")
    tr, va, te = split.train_idx, split.valid_idx, split.test_idx

    booster = train_booster(X[tr], y[tr], table.features, cfg.params)
    onnx_model = to_onnx(booster, len(table.features))
    onnx_bytes = onnx_model.SerializeToString()
    sess = session(onnx_bytes)

    onnx_va = onnx_fraud_proba(sess, X[va])
    onnx_te = onnx_fraud_proba(sess, X[te])
    lgb_te = lgb_raw(booster, X[te])
    check_agreement(lgb_te, onnx_te)
    f32 = float32_report(booster, X[te], lgb_te, onnx_te)

    cal, cal_report = choose_calibration(onnx_va.astype(np.float64), y[va], seed=cfg.params.seed)
    cal_va = apply_calibration(cal, onnx_va)
    cal_te = apply_calibration(cal, onnx_te)
    days_va, days_te = split.days("valid"), split.days("test")
    choice = choose_thresholds(cal_va, y[va], amount[va], cfg.costs, cfg.review_capacity_per_day, days_va)

    common = dict(features=table.features, review=choice.review, block=choice.block, costs=cfg.costs,
                  capacity_per_day=cfg.review_capacity_per_day)
    test_metrics = evaluate_scores(raw=onnx_te.astype(np.float64), calibrated=cal_te, y=y[te], amount=amount[te],
                                   X=X[te], days=days_te, **common)
    valid_metrics = evaluate_scores(raw=onnx_va.astype(np.float64), calibrated=cal_va, y=y[va], amount=amount[va],
                                    X=X[va], days=days_va, **common)

    out_parent = cfg.out_dir / cfg.name
    out_parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=out_parent))
    try:
        (tmp / MODEL_FILE).write_bytes(onnx_bytes)
        booster.save_model(str(tmp / LIGHTGBM_FILE))

        pidx = sample_rows(y[te], cfg.parity_rows, seed=cfg.params.seed)
        rows = te[pidx]
        n_parity = write_parity(tmp / PARITY_FILE, table.event_ids[rows], X[rows], lgb_te[pidx], onnx_te[pidx],
                                cal_te[pidx], lgb_contrib(booster, X[rows]))

        base_va_cost = valid_metrics["expected_cost"]["rules_baseline"]["total_eur"]
        bl = test_metrics["rules_baseline"]
        base_point = (bl["recall_flagged"], bl["precision_flagged"]) if bl["precision_flagged"] is not None else None
        plot_files = [
            plots.precision_recall(tmp, y[te], cal_te, choice.review, choice.block, base_point),
            plots.calibration(tmp, y[te], onnx_te.astype(np.float64), cal_te),
            plots.score_histogram(tmp, y[te], cal_te, choice.review, choice.block),
            plots.cost_vs_threshold(tmp, choice.curve, choice.review, choice.block, choice.cost.total_eur,
                                    base_va_cost, len(va)),
        ]

        manifest: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "name": cfg.name,
            "version": version,
            "created_at": _iso(created),
            "features": list(table.features),
            "feature_set": table.meta["feature_set"],
            "onnx": {
                "file": MODEL_FILE,
                "input_name": INPUT_NAME,
                "input_shape": [None, len(table.features)],
                "input_type": "float32",
                "output_name": PROBA_OUTPUT,
                "fraud_index": FRAUD_INDEX,
                "output_shape": [None, 2],
                "opset": {imp.domain or "ai.onnx": imp.version for imp in onnx_model.opset_import},
            },
            "calibration": cal,
            "calibration_selection": cal_report,
            "thresholds": {
                "review": choice.review,
                "block": choice.block,
                "applies_to": "calibrated probability",
                "rule": "block if p >= block; review if review <= p < block; else allow",
                "chosen_on": "valid",
                "valid_expected_cost": choice.cost.to_dict(),
                "candidates_searched": choice.candidates,
            },
            "costs": cfg.costs.to_dict(),
            "review_capacity_per_day": cfg.review_capacity_per_day,
            "split": {
                **split.boundaries(),
                "fractions": {"train": cfg.fractions.train, "valid": cfg.fractions.valid, "test": cfg.fractions.test},
                "rows": {"train": int(len(tr)), "valid": int(len(va)), "test": int(len(te))},
                "fraud_rows": {"train": int(y[tr].sum()), "valid": int(y[va].sum()), "test": int(y[te].sum())},
                "days": {"train": split.days("train"), "valid": days_va, "test": days_te},
            },
            "training_data": {
                "path": str(table.path),
                "sha256": table.csv_sha256,
                "rows": int(len(table.frame)),
                "label_cutoff": table.meta["label_cutoff"],
                "table_created_at": table.meta.get("created_at"),
                "source": table.meta.get("source"),
            },
            "model_params": cfg.params.to_dict(),
            "libraries": library_versions(),
            "metrics": {"test": test_metrics, "valid": valid_metrics},
            "float32": f32,
            "parity": {"file": PARITY_FILE, "rows": n_parity, "fraud_rows": int(y[te][pidx].sum()),
                       "tolerance_calibrated": 1e-5},
            "plots": {k: p.name for k, p in zip(plots.PLOT_FILES, plot_files)},
            "lightgbm_model": LIGHTGBM_FILE,
        }
        manifest["acceptance"] = acceptance(test_metrics)
        write_manifest(tmp, manifest)

        if final_dir.exists():
            shutil.rmtree(final_dir)
        tmp.chmod(0o755)  # mkdtemp makes it 0700
        tmp.rename(final_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return TrainResult(final_dir, manifest, train_card(manifest, str(final_dir)))


def _utc(value: str) -> pd.Timestamp:
    t = pd.Timestamp(value)
    return t.tz_localize("UTC") if t.tz is None else t.tz_convert("UTC")


def evaluate(model_dir: Path, table_dir: Path, *, start: str | None = None, end: str | None = None,
             ignore_feature_set: bool = False) -> tuple[dict[str, Any], str]:
    """Score any table with a trained artifact (ONNX + manifest calibration and thresholds)."""
    manifest = read_manifest(model_dir)
    table = load_table(table_dir)
    if table.meta["feature_set"] != manifest["feature_set"] and not ignore_feature_set:
        raise ValueError(f"feature_set mismatch: table {table.meta['feature_set']} vs model {manifest['feature_set']} "
                         "(pass --ignore-feature-set to evaluate anyway)")
    missing = [f for f in manifest["features"] if f not in table.frame.columns]
    if missing:
        raise ValueError(f"table lacks model features: {missing}")
    frame = table.frame
    if start:
        frame = frame[frame["occurred_at"] >= _utc(start)]
    if end:
        frame = frame[frame["occurred_at"] < _utc(end)]
    if len(frame) == 0:
        raise ValueError("no rows in the requested time range")
    features = list(manifest["features"])
    X = frame[features].to_numpy(dtype=np.float64)
    y = frame["label"].to_numpy(dtype=np.int64)
    amount = frame["amount_eur"].to_numpy(dtype=np.float64)
    sess = session((Path(model_dir) / manifest["onnx"]["file"]).read_bytes())
    raw = onnx_fraud_proba(sess, X, manifest["onnx"]["input_name"])
    cal = apply_calibration(manifest["calibration"], raw)
    c = manifest["costs"]
    costs = CostModel(c["chargeback_fee_eur"], c["margin_rate"], c["review_cost_eur"])
    days = span_days(frame["occurred_at"].min(), frame["occurred_at"].max())
    metrics = evaluate_scores(raw=raw.astype(np.float64), calibrated=cal, y=y, amount=amount, X=X, features=features,
                              review=manifest["thresholds"]["review"], block=manifest["thresholds"]["block"],
                              costs=costs, capacity_per_day=manifest["review_capacity_per_day"], days=days)
    acc = acceptance(metrics)
    metrics["acceptance"] = acc
    metrics["table"] = {"path": str(table_dir), "sha256": table.csv_sha256, "feature_set": table.meta["feature_set"]}
    return metrics, evaluate_card(manifest, str(table_dir), metrics, acc)
