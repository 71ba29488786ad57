import json
import math
from pathlib import Path

import lightgbm as lgb
import numpy as np
import onnx
import pandas as pd
import pytest

from riskgate_training.calibration import apply_calibration
from riskgate_training.card import train_card
from riskgate_training.data import load_table
from riskgate_training.export import onnx_fraud_proba, session
from riskgate_training.manifest import REQUIRED_FIELDS, validate_manifest
from riskgate_training.parity import read_parity



def test_artifact_files(trained) -> None:
    d = trained.artifact_dir
    names = {p.name for p in d.iterdir()}
    assert {"model.onnx", "manifest.json", "parity.jsonl", "lightgbm_model.txt", "model_card.txt"} <= names
    assert (d / "model_card.txt").read_text().strip() == trained.card
    for png in trained.manifest["plots"].values():
        assert (d / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(trained.manifest["plots"]) == 4
    assert not [p for p in d.parent.iterdir() if p.name.startswith(".tmp-")]


def test_manifest_complete(trained) -> None:
    m = json.loads((trained.artifact_dir / "manifest.json").read_text())
    assert validate_manifest(m) == []
    assert all(f in m for f in REQUIRED_FIELDS)
    meta = json.loads((Path(m["training_data"]["path"]) / "meta.json").read_text())
    assert m["features"] == meta["features"] and m["feature_set"] == meta["feature_set"]
    assert m["training_data"]["rows"] == meta["rows"]
    assert m["training_data"]["label_cutoff"] == meta["label_cutoff"]
    assert m["version"].endswith(m["training_data"]["sha256"][:8])
    assert m["schema_version"] == 2 and "thresholds" not in m
    pol = m["policy"]
    assert pol["review_min_expected_loss_eur"] >= pol["review_cost_eur"] == 4.0
    assert pol["decline_cost_eur"] == pytest.approx((pol["median_amount_eur"] + 25.0) / 20)
    lb = m["labels"]
    assert lb["gap_days"] == lb["maturity_days"] in (10, 11)  # p95 of triangular(2, 5, 12) = 10.1
    assert lb["known_as_of"]["train"] == lb["known_as_of"]["valid"] == m["split"]["test_start"]
    assert lb["known_as_of"]["test"] > m["split"]["test_end"] and lb["test_matured"]
    assert set(m["monitoring"]["features"]) == set(m["features"])
    assert m["calibration"]["floor"] > 0 and m["calibration"]["cap"] < 1
    t = m["metrics"]["test"]
    assert 0.5 < t["roc_auc"] <= 1 and 0 < t["pr_auc"] <= 1
    assert t["calibration"]["mean_p_over_rate"] == pytest.approx(1.0, abs=0.25)
    assert t["reviews_p95_day"] <= m["review_capacity_per_day"]
    assert {"model", "rules_baseline", "allow_all"} <= set(t["expected_cost"])
    assert t["rules_baseline"]["skipped_rules"] == []  # every rule found its feature-store column
    assert m["float32"]["rows"] == m["split"]["rows"]["test"]
    for lib in ("lightgbm", "onnxruntime", "onnxmltools", "scikit-learn"):
        assert m["libraries"][lib] != "missing"


def test_onnx_matches_lightgbm(trained, table_dir) -> None:
    d = trained.artifact_dir
    m = trained.manifest
    model = onnx.load(str(d / m["onnx"]["file"]))
    assert model.graph.input[0].name == m["onnx"]["input_name"]
    assert m["onnx"]["output_name"] in [o.name for o in model.graph.output]
    booster = lgb.Booster(model_file=str(d / "lightgbm_model.txt"))
    table = load_table(table_dir)
    test_idx = np.flatnonzero((table.occurred_at >= pd.Timestamp(m["split"]["test_start"])).to_numpy())
    X = table.X[test_idx]
    onnx_p = onnx_fraud_proba(session(model), X)
    lgb_p = booster.predict(X)
    diff = np.abs(onnx_p.astype(np.float64) - lgb_p)
    assert np.median(diff) < 1e-6
    assert diff.max() == pytest.approx(m["float32"]["max_abs_diff"], rel=1e-6, abs=1e-12)
    assert int((diff > 1e-6).sum()) == m["float32"]["rows_over_tolerance"]


def test_parity_file_consistent_with_manifest(trained) -> None:
    d = trained.artifact_dir
    m = trained.manifest
    rows = read_parity(d / "parity.jsonl")
    assert len(rows) == m["parity"]["rows"] == 1500
    assert sum(1 for r in rows if r["event_id"]) == len(rows)
    assert m["parity"]["fraud_rows"] > 0
    n = len(m["features"])
    X = np.array([r["features"] for r in rows], dtype=np.float64)
    assert X.shape == (len(rows), n)
    assert np.array_equal(X.astype(np.float32).astype(np.float64), X)  # already float32-exact
    onnx_raw = np.array([r["onnx_raw"] for r in rows])
    calibrated = np.array([r["calibrated"] for r in rows])
    raw = np.array([r["raw"] for r in rows])

    # what the TypeScript service does: run model.onnx on float32 features, apply manifest calibration
    served = onnx_fraud_proba(session((d / "model.onnx").read_bytes()), X, m["onnx"]["input_name"])
    assert np.array_equal(served.astype(np.float64), onnx_raw)
    assert np.max(np.abs(apply_calibration(m["calibration"], served) - calibrated)) < 1e-12
    assert np.max(np.abs(raw - onnx_raw)) < 1e-4

    # re-implement the documented formula independently of apply_calibration
    cal = m["calibration"]
    for r in rows[:200]:
        x = r["onnx_raw"]
        if cal["method"] == "isotonic":
            xs, ys = cal["x"], cal["y"]
            if x <= xs[0]:
                want = ys[0]
            elif x >= xs[-1]:
                want = ys[-1]
            else:
                i = max(k for k in range(len(xs)) if xs[k] <= x)
                want = ys[i] + (x - xs[i]) * (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i])
        else:
            q = min(max(x, cal["eps"]), 1 - cal["eps"])
            want = 1 / (1 + math.exp(-(cal["a"] * math.log(q / (1 - q)) + cal["b"])))
        assert abs(want - r["calibrated"]) < 1e-12

    # SHAP contributions: one per feature + bias, summing to the LightGBM log-odds
    contrib = np.array([r["contrib"] for r in rows])
    assert contrib.shape == (len(rows), n + 1)
    assert np.allclose(1 / (1 + np.exp(-contrib.sum(axis=1))), raw, atol=1e-9)


def test_card_says_when_the_simulated_drift_reaches_the_test_split(trained) -> None:
    # The synthetic table comes from no simulated world: nothing to say.
    assert trained.manifest["training_data"]["simulated_drift_starts_at"] is None
    assert "simulated world" not in trained.card
    manifest = json.loads(json.dumps(trained.manifest))
    split = manifest["split"]
    test_start, test_end = pd.Timestamp(split["test_start"]), pd.Timestamp(split["test_end"])
    start = test_start + (test_end - test_start) * 0.25
    manifest["training_data"]["simulated_drift_starts_at"] = start.isoformat()
    drifted = (test_end - start) / pd.Timedelta(days=1)
    span = (test_end - test_start) / pd.Timedelta(days=1)
    line = [x for x in train_card(manifest, "d").splitlines() if x.startswith("  simulated world:")]
    assert len(line) == 1
    assert f"({drifted:.1f} of the test split's {span:.1f} days, none of the fit days)" in line[0]
    assert "recall and calibration there measure it" in line[0]
    # A drift after the test split, or from before the validation days' end.
    manifest["training_data"]["simulated_drift_starts_at"] = (test_end + pd.Timedelta(days=1)).isoformat()
    assert "simulated world" not in train_card(manifest, "d")
    manifest["training_data"]["simulated_drift_starts_at"] = split["train_start"]
    assert f"({span:.1f} of the test split's {span:.1f} days, the fit days too)" in train_card(manifest, "d")
