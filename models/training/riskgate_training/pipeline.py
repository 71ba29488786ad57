"""The train workflow (the CLI only parses arguments and prints; evaluate lives in evaluate_artifact.py)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskgate_training import label_excess, missed_fraud, plots
from riskgate_training.calibration import apply_calibration, choose_calibration, recalibration_check
from riskgate_training.card import CARD_FILE, train_card
from riskgate_training.data import load_table
from riskgate_training.decisions import read_decision_log, reweight
from riskgate_training.evaluation import acceptance, evaluate_scores
from riskgate_training.export import (FRAUD_INDEX, INPUT_NAME, PROBA_OUTPUT, check_agreement, float32_report,
                                      onnx_fraud_proba, session, to_onnx)
from riskgate_training.labels import delay_days, delay_summary, labels_as_of, maturity_days
from riskgate_training.manifest import (LIGHTGBM_FILE, MODEL_FILE, PARITY_FILE, SCHEMA_VERSION, library_versions,
                                        write_manifest)
from riskgate_training.model import lgb_contrib, lgb_raw
from riskgate_training.monitoring import monitoring_block
from riskgate_training.nowcast import DelayCdf
from riskgate_training.parity import sample_rows, write_parity
from riskgate_training.cost_policy import (Policy, day_index, fit_review_min, model_actions, policy_cost,
                                           reviews_per_day, seed_policy, with_capacity)
from riskgate_training.recipe import Recipe, fit
from riskgate_training.split import DAY, SplitDays, iso, time_split
from riskgate_training.world_meta import drift_starts_at, source_world

RECALIBRATION_WINDOW_DAYS = 7


@dataclass(frozen=True)
class CostSeed:
    chargeback_fee_eur: float = 25.0
    review_cost_eur: float = 4.0
    fn_over_fp_at_median: float = 20.0


@dataclass(frozen=True)
class TrainConfig:
    table_dir: Path
    out_dir: Path
    name: str = "riskgate-fraud"
    version: str | None = None
    force: bool = False
    days: SplitDays = field(default_factory=SplitDays)
    maturity_quantile: float = 0.95
    gap_days: int | None = None  # default: the measured maturity window
    decisions: Path | None = None
    costs: CostSeed = field(default_factory=CostSeed)
    review_capacity_per_day: float = 1000.0
    recipe: Recipe = field(default_factory=Recipe)
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


def _policy_curve(p: np.ndarray, amount: np.ndarray, y: np.ndarray, day: np.ndarray, pol: Policy,
                  days: float) -> dict[str, list[float]]:
    curve: dict[str, list[float]] = {"review_min": [], "cost_per_1000": [], "p95_reviews": []}
    for t in np.geomspace(pol.review_cost_eur, max(pol.review_cost_eur * 200, 1.0), 40):
        cand = Policy(**{**pol.__dict__, "review_min_expected_loss_eur": float(t)})
        acts = model_actions(p, amount, cand)
        capped, _ = with_capacity(acts, p, amount, day, cand)
        curve["review_min"].append(float(t))
        curve["cost_per_1000"].append(policy_cost(capped, y, amount, cand, days).to_dict()["per_1000_checkouts_eur"])
        curve["p95_reviews"].append(float(np.quantile(reviews_per_day(acts, day), 0.95)))
    return curve


def train(cfg: TrainConfig) -> TrainResult:
    """Train, calibrate, fit the policy, export, verify, and write one artifact version."""
    created = _now()
    table = load_table(cfg.table_dir)
    version = cfg.version or f"{created:%Y%m%d}-{table.csv_sha256[:8]}"
    final_dir = cfg.out_dir / cfg.name / version
    if final_dir.exists() and not cfg.force:
        raise FileExistsError(f"{final_dir} exists (same day, same data); pass --force to replace it or --version")

    delays = delay_days(table.occurred_at, table.known_at)
    maturity = maturity_days(delays, cfg.maturity_quantile)
    gap = maturity if cfg.gap_days is None else cfg.gap_days
    split = time_split(table.occurred_at, cfg.days, gap)
    trained_at = split.test_start
    cutoff = pd.Timestamp(table.meta["label_cutoff"])
    cutoff = cutoff.tz_localize("UTC") if cutoff.tz is None else cutoff.tz_convert("UTC")
    test_as_of = min(split.end + maturity * DAY, cutoff)
    y_fit = labels_as_of(table.known_at, trained_at)
    y_test = labels_as_of(table.known_at, test_as_of)

    weights = np.ones(len(table.frame))
    keep = np.ones(len(table.frame), dtype=bool)
    selection: dict[str, Any] = {"decision_log": None}
    if cfg.decisions is not None:
        rw = reweight(table.event_ids, read_decision_log(cfg.decisions))
        weights, keep = rw.weight, rw.keep
        selection = {"decision_log": str(cfg.decisions), **rw.report}
    tr = split.train_idx[keep[split.train_idx]]
    va = split.valid_idx[keep[split.valid_idx]]
    te = split.test_idx
    for part, idx, yy in (("train", tr, y_fit), ("valid", va, y_fit), ("test", te, y_test)):
        if yy[idx].sum() == 0:
            raise ValueError(f"the {part} split has no fraud labels known by its as-of date")

    X, amount = table.X, table.amount
    day = day_index(table.occurred_at)
    booster, augmented = fit(X[tr], y_fit[tr], table.features, table.meta["feature_sources"], cfg.recipe, weights[tr])
    onnx_model = to_onnx(booster, len(table.features))
    onnx_bytes = onnx_model.SerializeToString()
    sess = session(onnx_bytes)

    onnx_tr = onnx_fraud_proba(sess, X[tr])
    onnx_va = onnx_fraud_proba(sess, X[va])
    onnx_te = onnx_fraud_proba(sess, X[te])
    lgb_te = lgb_raw(booster, X[te])
    check_agreement(lgb_te, onnx_te)
    f32 = float32_report(booster, X[te], lgb_te, onnx_te)

    model_seed = cfg.recipe.params.seed
    cal, cal_report = choose_calibration(onnx_va.astype(np.float64), y_fit[va], weights[va], seed=model_seed)
    cal_va, cal_te = apply_calibration(cal, onnx_va), apply_calibration(cal, onnx_te)
    latest = (table.occurred_at.iloc[va] >= split.valid_end - RECALIBRATION_WINDOW_DAYS * DAY).to_numpy()
    if (~latest).any() and y_fit[va][~latest].sum() and y_fit[va][latest].sum():
        earlier, _ = choose_calibration(onnx_va[~latest].astype(np.float64), y_fit[va][~latest],
                                        weights[va][~latest], seed=model_seed)
        recal = {"window_days": RECALIBRATION_WINDOW_DAYS, "fitted_on": "valid before the window",
                 **recalibration_check(earlier, onnx_va[latest], y_fit[va][latest])}
    else:
        recal = {"window_days": RECALIBRATION_WINDOW_DAYS, "skipped": "no fraud label on one side of the window"}

    seed = seed_policy(amount[tr], chargeback_fee=cfg.costs.chargeback_fee_eur, review_cost=cfg.costs.review_cost_eur,
                       fn_over_fp=cfg.costs.fn_over_fp_at_median, capacity=cfg.review_capacity_per_day)
    pol, pol_fit = fit_review_min(cal_va, amount[va], day[va], seed)
    days_va, days_te = split.days("valid"), split.days("test")
    test_metrics = evaluate_scores(raw=onnx_te.astype(np.float64), calibrated=cal_te, y=y_test[te], amount=amount[te],
                                   X=X[te], day=day[te], features=table.features, pol=pol, days=days_te)
    valid_metrics = evaluate_scores(raw=onnx_va.astype(np.float64), calibrated=cal_va, y=y_fit[va], amount=amount[va],
                                    X=X[va], day=day[va], features=table.features, pol=pol, days=days_va)

    out_parent = cfg.out_dir / cfg.name
    out_parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=out_parent))
    try:
        (tmp / MODEL_FILE).write_bytes(onnx_bytes)
        booster.save_model(str(tmp / LIGHTGBM_FILE))

        pidx = sample_rows(y_test[te], cfg.parity_rows, seed=model_seed)
        rows = te[pidx]
        n_parity = write_parity(tmp / PARITY_FILE, table.event_ids[rows], X[rows], lgb_te[pidx], onnx_te[pidx],
                                cal_te[pidx], lgb_contrib(booster, X[rows]))

        m = test_metrics
        bl = m["rules_baseline"]
        base_point = (bl["recall_flagged"], bl["precision_flagged"]) if bl["precision_flagged"] is not None else None
        points = {k: (m[f"recall_{k}"], m[f"precision_{k}"]) for k in ("block", "flagged")
                  if m[f"precision_{k}"] is not None}
        plot_files = [
            plots.precision_recall(tmp, y_test[te], cal_te, points, base_point),
            plots.calibration(tmp, y_test[te], onnx_te.astype(np.float64), cal_te),
            plots.score_histogram(tmp, y_test[te], cal_te),
            plots.cost_vs_review_min(tmp, _policy_curve(cal_va, amount[va], y_fit[va], day[va], pol, days_va),
                                     pol.review_min_expected_loss_eur, pol.review_capacity_per_day),
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
            "recalibration_check": recal,
            "policy": {**pol.to_manifest(), "fit": pol_fit},
            "review_capacity_per_day": cfg.review_capacity_per_day,
            "labels": {
                "cutoff": iso(cutoff),
                "maturity_days": maturity,
                "maturity_quantile": cfg.maturity_quantile,
                "gap_days": gap,
                "delay_days": delay_summary(delays),
                "known_as_of": {"train": iso(trained_at), "valid": iso(trained_at), "test": iso(test_as_of)},
                "test_matured": bool(split.end + maturity * DAY <= cutoff),
                "rule": "label = 1 if a fraud label (chargeback or review) arrived by known_as_of; train and valid "
                        "use labels as known at the training date (test_start), >= gap_days after the last row "
                        "fitted; test uses labels matured maturity_days after its end",
                "selection": selection,
            },
            "split": {
                **split.boundaries(),
                "days": {"train": split.days("train"), "valid": days_va, "test": days_te},
                "rows": {"train": int(len(tr)), "valid": int(len(va)), "test": int(len(te))},
                "fraud_rows": {"train": int(y_fit[tr].sum()), "valid": int(y_fit[va].sum()),
                               "test": int(y_test[te].sum())},
            },
            "monitoring": {**monitoring_block(X[tr], table.features, table.defaults, apply_calibration(cal, onnx_tr)),
                           # `npm run monitor`'s reference: the frauds the model was calibrated on.
                           "missed_fraud": missed_fraud.reference(cal_va[y_fit[va] == 1]),
                           # Its second test: labels arriving ahead of what the served scores predict.
                           "label_excess": label_excess.reference(
                               DelayCdf.measure(table.occurred_at, table.known_at, trained_at, maturity), maturity,
                               label_excess.SOURCE)},
            "training_data": {
                "path": str(table.path),
                "sha256": table.csv_sha256,
                "rows": int(len(table.frame)),
                "label_cutoff": table.meta["label_cutoff"],
                "table_created_at": table.meta.get("created_at"),
                "source": table.meta.get("source"),
                # The simulator's ground truth, for the card only (world_meta.py); None for real data.
                "simulated_drift_starts_at": drift_starts_at(world) if (world := source_world(table.meta)) else None,
            },
            "model_params": cfg.recipe.params.to_dict(),
            **augmented,
            "libraries": library_versions(),
            "metrics": {"test": test_metrics, "valid": valid_metrics},
            "float32": f32,
            "parity": {"file": PARITY_FILE, "rows": n_parity, "fraud_rows": int(y_test[te][pidx].sum()),
                       "tolerance_calibrated": 1e-5},
            "plots": {k: p.name for k, p in zip(plots.PLOT_FILES, plot_files)},
            "lightgbm_model": LIGHTGBM_FILE,
        }
        manifest["acceptance"] = acceptance(test_metrics)
        write_manifest(tmp, manifest)
        (tmp / CARD_FILE).write_text(train_card(manifest, str(final_dir)) + "\n")

        if final_dir.exists():
            shutil.rmtree(final_dir)
        tmp.chmod(0o755)  # mkdtemp makes it 0700
        tmp.rename(final_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return TrainResult(final_dir, manifest, train_card(manifest, str(final_dir)))
