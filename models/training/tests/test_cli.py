import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from riskgate_training.cli import main

TRAINING_DIR = Path(__file__).resolve().parents[1]
FAST = ["--test-days", "10", "--valid-days", "12", "--n-estimators", "60", "--learning-rate", "0.1", "--min-child-samples", "40", "--parity-rows", "500"]


def test_train_cli_end_to_end(table_dir, tmp_path, capsys) -> None:
    out = tmp_path / "artifacts"
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"review_capacity": 30, "chargeback_fee": 30.0, "name": "from-config",
                               "stream_dropout_share": 0.2, "stream_dropout_seed": 11}))
    rc = main(["train", "--in", str(table_dir), "--out", str(out), "--config", str(cfg), "--review-capacity", "25",
               "--version", "v-test", *FAST])
    assert rc == 0
    card = capsys.readouterr().out
    assert "model card: from-config v-test" in card and "PR-AUC" in card and "expected cost" in card
    d = out / "from-config" / "v-test"
    m = json.loads((d / "manifest.json").read_text())
    assert m["review_capacity_per_day"] == 25  # flag beats config
    assert m["policy"]["chargeback_fee_eur"] == 30.0  # config beats default
    assert m["model_params"]["n_estimators"] == 60
    assert (m["stream_dropout"]["share"], m["stream_dropout"]["seed"]) == (0.2, 11)
    assert m["policy"]["fit"]["p95_reviews_per_day"] <= 25
    assert sum(1 for _ in (d / "parity.jsonl").open()) == 500

    # same version again: refused without --force, replaced with it
    assert main(["train", "--in", str(table_dir), "--out", str(out), "--name", "from-config", "--version", "v-test",
                 *FAST]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["train", "--in", str(table_dir), "--out", str(out), "--name", "from-config", "--version", "v-test",
                 "--force", *FAST]) == 0


def test_unknown_config_key_rejected(table_dir, tmp_path, capsys) -> None:
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"review_capacityy": 3}))
    assert main(["train", "--in", str(table_dir), "--out", str(tmp_path), "--config", str(cfg)]) == 2
    assert "review_capacityy" in capsys.readouterr().err


def test_evaluate_reproduces_test_metrics(trained, table_dir, tmp_path, capsys) -> None:
    m = trained.manifest
    out_json = tmp_path / "eval.json"
    rc = main(["evaluate", "--model", str(trained.artifact_dir), "--in", str(table_dir),
               "--from", m["split"]["test_start"], "--json", str(out_json)])
    assert rc == 0
    assert "evaluate:" in capsys.readouterr().out
    ev = json.loads(out_json.read_text())
    t = m["metrics"]["test"]
    assert ev["labels_as_of"] == m["labels"]["known_as_of"]["test"] and ev["labels_matured"]
    for key in ("pr_auc", "roc_auc", "recall_block", "precision_flagged", "rows", "fraud_rows", "reviews_p95_day"):
        assert ev[key] == pytest.approx(t[key], rel=1e-9), key
    assert ev["calibration"] == pytest.approx(t["calibration"], rel=1e-9)
    assert ev["expected_cost"]["model"]["total_eur"] == pytest.approx(t["expected_cost"]["model"]["total_eur"])
    assert ev["expected_cost"]["rules_baseline"]["total_eur"] == pytest.approx(
        t["expected_cost"]["rules_baseline"]["total_eur"])


def test_evaluate_on_its_training_table_scores_only_unseen_rows(trained, table_dir, tmp_path, capsys) -> None:
    m = trained.manifest
    out_json = tmp_path / "eval.json"
    assert main(["evaluate", "--model", str(trained.artifact_dir), "--in", str(table_dir),
                 "--json", str(out_json)]) == 0
    ev = json.loads(out_json.read_text())
    assert ev["table"]["is_training_table"] and ev["rows"] == m["split"]["rows"]["test"]
    assert ev["pr_auc"] == pytest.approx(m["metrics"]["test"]["pr_auc"], rel=1e-9)
    assert "none fitted or calibrated on" in capsys.readouterr().out

    assert main(["evaluate", "--model", str(trained.artifact_dir), "--in", str(table_dir),
                 "--from", m["split"]["train_start"], "--json", str(out_json)]) == 0
    ev = json.loads(out_json.read_text())
    seen = m["split"]["rows"]["train"] + m["split"]["rows"]["valid"]
    assert ev["rows_scored"]["fitted_or_calibrated_on"] == seen
    assert f"{seen:,} of them fitted or calibrated on, OPTIMISTIC" in capsys.readouterr().out


def test_evaluate_refuses_other_feature_set(trained, table_dir, tmp_path, capsys) -> None:
    import shutil
    other = tmp_path / "other"
    shutil.copytree(table_dir, other)
    meta = json.loads((other / "meta.json").read_text())
    meta["feature_set"] = "something-else"
    (other / "meta.json").write_text(json.dumps(meta))
    assert main(["evaluate", "--model", str(trained.artifact_dir), "--in", str(other)]) == 2
    assert "feature_set" in capsys.readouterr().err
    assert main(["evaluate", "--model", str(trained.artifact_dir), "--in", str(other), "--ignore-feature-set"]) == 0


def test_run_sh_evaluate(trained, table_dir) -> None:
    env = {**os.environ, "RISKGATE_SKIP_VENV_SETUP": "1"}
    # run.sh uses models/training/.venv; when the tests run from another interpreter, point it there
    venv_python = TRAINING_DIR / ".venv" / "bin" / "python"
    if not venv_python.exists():
        pytest.skip(f"{venv_python} missing (tests are running outside the project venv: {sys.executable})")
    proc = subprocess.run(["bash", str(TRAINING_DIR / "run.sh"), "evaluate", "--model", str(trained.artifact_dir),
                           "--in", str(table_dir)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "PR-AUC" in proc.stdout and "expected cost" in proc.stdout
    bad = subprocess.run(["bash", str(TRAINING_DIR / "run.sh"), "evaluate", "--model", str(table_dir),
                          "--in", str(table_dir)], env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "manifest" in bad.stderr
