"""Leak audit: single-feature AUC, |SHAP| shares, train-vs-test ranges, and the CLI's exit code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FAST_RECIPE

from riskgate_training.cli import main
from riskgate_training.leak_audit import (AUC_LIMIT, EXIT_LEAK, SHAP_SHARE_LIMIT, LeakAudit, audit,
                                          outside_range_share, single_feature_auc)
from riskgate_training.pipeline import TrainConfig, train


def test_single_feature_auc_either_direction() -> None:
    y = np.array([0, 0, 0, 1, 1])
    assert single_feature_auc(np.array([0.1, 0.2, 0.3, 0.8, 0.9]), y) == pytest.approx(1.0)
    assert single_feature_auc(np.array([0.9, 0.8, 0.7, 0.2, 0.1]), y) == pytest.approx(1.0)
    assert single_feature_auc(np.array([1.0, 1.0, 1.0, 1.0, 1.0]), y) == 0.5
    assert single_feature_auc(np.array([0.0, 1.0, 0.0, 1.0, 0.0]), y) == pytest.approx(0.5833, abs=1e-3)


def test_outside_range_share() -> None:
    train = np.array([0.0, 5.0, 10.0])
    assert outside_range_share(train, np.array([1.0, 10.0, 11.0, -1.0])) == 0.5
    assert outside_range_share(train, np.array([])) == 0.0


def test_a_feature_carrying_most_of_the_shap_fails_even_when_no_auc_does() -> None:
    import lightgbm as lgb
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3000, 3))
    y = (X[:, 0] + 0.3 * rng.normal(size=3000) > 1.5).astype(int)  # feature 0 drives the model
    booster = lgb.train({"objective": "binary", "verbose": -1, "num_threads": 1, "seed": 1},
                        lgb.Dataset(X, y), num_boost_round=30)
    none = np.zeros(3000, dtype=np.int64)  # audited on rows without positives: every AUC is 0.5
    a: LeakAudit = audit(["f0", "f1", "f2"], X, none, X, none, booster)
    assert all(f.auc_train == 0.5 and f.auc_test == 0.5 for f in a.features)
    assert a.features[0].shap_share > SHAP_SHARE_LIMIT
    assert a.offenders == ["f0"] and not a.passed


@pytest.fixture(scope="module")
def leaky(table_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The synthetic table plus a column that is the label with a little noise: a planted leak."""
    out = tmp_path_factory.mktemp("leaky")
    shutil.copytree(table_dir, out, dirs_exist_ok=True)
    frame = pd.read_csv(out / "training.csv")
    rng = np.random.default_rng(5)
    frame["user_logins_leak"] = np.where(rng.random(len(frame)) < 0.97, 1 - frame["label"], frame["label"])
    frame.to_csv(out / "training.csv", index=False)
    meta = json.loads((out / "meta.json").read_text())
    meta["features"] = [*meta["features"], "user_logins_leak"]
    meta["feature_sources"]["user_logins_leak"] = {"entity": "user", "default": 0, "topics": ["accounts"]}
    (out / "meta.json").write_text(json.dumps(meta))
    result = train(TrainConfig(table_dir=out, out_dir=tmp_path_factory.mktemp("leaky-art"), recipe=FAST_RECIPE,
                               parity_rows=300))
    return out, result


def test_clean_table_passes_and_prints_the_audit(trained, table_dir, capsys) -> None:
    assert main(["evaluate", "--model", str(trained.artifact_dir), "--in", str(table_dir)]) == 0
    out = capsys.readouterr().out
    assert "leak audit: PASS" in out and "|SHAP|" in out


def test_planted_leak_fails_with_its_own_exit_code(leaky, tmp_path, capsys) -> None:
    table, result = leaky
    out_json = tmp_path / "eval.json"
    rc = main(["evaluate", "--model", str(result.artifact_dir), "--in", str(table), "--json", str(out_json)])
    assert rc == EXIT_LEAK
    out = capsys.readouterr().out
    assert "leak audit: FAIL" in out and "user_logins_leak" in out and "<-- LEAK" in out
    audit = json.loads(out_json.read_text())["leak_audit"]
    assert audit["passed"] is False and audit["offenders"] == ["user_logins_leak"]
    row = next(f for f in audit["features"] if f["feature"] == "user_logins_leak")
    assert max(row["auc_train"], row["auc_test"]) > AUC_LIMIT
    others = [f for f in audit["features"] if f["feature"] != "user_logins_leak"]
    assert sum(f["shap_share"] for f in others) + row["shap_share"] == pytest.approx(1.0, abs=1e-3)
