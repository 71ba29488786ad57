"""Missing-stream report and the v2 expected-loss decision it uses."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from riskgate_training import stream_robustness as sr
from riskgate_training.cli import main
from riskgate_training.policy import ALLOW, BLOCK, REVIEW, expected_loss_actions, model_actions

POLICY_V2 = {
    "kind": "expected_loss", "currency": "EUR", "chargeback_fee_eur": 25.0, "review_cost_eur": 4.0,
    "decline_cost_eur": 12.5, "median_amount_eur": 225.0, "fn_over_fp_at_median": 20,
    "review_min_expected_loss_eur": 6.0, "review_capacity_per_day": 1000, "rule": "...",
}


def test_expected_loss_actions_follow_the_contract() -> None:
    # p=0.001, 200 EUR: loss_allow 0.225 < 6 -> allow
    # p=0.05, 200 EUR: loss_allow 11.25 >= 6, loss_block 11.875 > 4 -> review
    # p=0.8, 200 EUR: loss_block 2.5 <= min(180, 4) -> block
    # p=0.02, 300 EUR: loss_allow 6.5 >= 6 -> review; 250 EUR: 5.5 < 6 -> allow (amount matters)
    # p=0.7, 10 EUR: loss_block 3.75 <= min(24.5, 4) -> block even for a small amount
    p = np.array([0.001, 0.05, 0.8, 0.02, 0.02, 0.7])
    a = np.array([200.0, 200.0, 200.0, 300.0, 250.0, 10.0])
    assert expected_loss_actions(p, a, POLICY_V2).tolist() == [ALLOW, REVIEW, BLOCK, REVIEW, ALLOW, BLOCK]
    assert model_actions({"schema_version": 2, "policy": POLICY_V2}, p, a).tolist() == [0, 1, 2, 1, 0, 2]


def test_boundary_block_when_loss_block_equals_review_cost() -> None:
    # loss_block = (1 - p) * 12.5 == 4 at p = 0.68: block (<=), review cost is the cheaper bound
    p = np.array([0.68])
    assert expected_loss_actions(p, np.array([1000.0]), POLICY_V2).tolist() == [BLOCK]


def test_v1_manifests_decide_on_thresholds() -> None:
    m = {"thresholds": {"review": 0.1, "block": 0.5}}
    assert model_actions(m, np.array([0.05, 0.1, 0.5]), np.zeros(3)).tolist() == [ALLOW, REVIEW, BLOCK]


SOURCES = {
    "ip_logins_1h": {"entity": "ip", "default": 0, "topics": ["accounts"]},
    "user_distinct_ips_7d": {"entity": "user", "default": 0, "topics": ["accounts", "checkouts"]},
    "instrument_failed_1h": {"entity": "payment_instrument", "default": 0, "topics": ["payments"]},
    "booking_amount_eur": {"entity": "request", "default": 0, "topics": []},
}
FEATURES = ["ip_logins_1h", "user_distinct_ips_7d", "instrument_failed_1h", "booking_amount_eur"]


def test_features_of_splits_sole_and_shared_sources() -> None:
    assert sr.features_of(SOURCES, FEATURES, "accounts") == (["ip_logins_1h"], ["user_distinct_ips_7d"])
    assert sr.features_of(SOURCES, FEATURES, "listings") == ([], [])


def test_run_reports_the_share_of_legit_flagged_before_and_after() -> None:
    n = 1000
    X = np.zeros((n, 4))
    X[:, 0] = np.where(np.arange(n) % 10 == 0, 0, 3)  # 10 % of rows have no login in the hour
    X[:, 3] = 200.0
    y = np.zeros(n, dtype=np.int64)
    y[:10] = 1

    def score(x: np.ndarray) -> np.ndarray:  # a model that learned "no login = fraud"
        return np.where(x[:, 0] == 0, 0.05, 0.001)

    manifest = {"features": FEATURES, "policy": POLICY_V2}
    results = {r.stream: r for r in sr.run(manifest, SOURCES, X, y, X[:, 3], score)}
    logins = results["logins"]
    assert logins.silenced == ["ip_logins_1h"] and logins.degraded == ["user_distinct_ips_7d"]
    assert logins.legit_flagged_before == pytest.approx(99 / 990)  # rows 10, 20, ..., 990 of the 990 legit
    assert logins.legit_flagged_after == 1.0 and not logins.passed
    assert results["listings"].ratio == 1.0 and results["listings"].passed
    text = sr.report(list(results.values()))
    assert "logins" in text and "FAIL" in text and "at default: ip_logins_1h" in text


def test_evaluate_prints_the_missing_stream_report(trained, table_dir, tmp_path, capsys) -> None:
    table = tmp_path / "t"
    shutil.copytree(table_dir, table)
    meta = json.loads((table / "meta.json").read_text())
    meta["feature_sources"] = {
        name: {"entity": "user", "default": 0, "topics": ["accounts"] if name == "new_device_for_user" else []}
        for name in meta["features"]
    }
    (table / "meta.json").write_text(json.dumps(meta))
    out_json = tmp_path / "eval.json"
    assert main(["evaluate", "--model", str(trained.artifact_dir), "--in", str(table), "--json", str(out_json)]) == 0
    assert "missing upstream stream" in capsys.readouterr().out
    report = json.loads(out_json.read_text())["missing_stream"]
    assert report["logins"]["silenced"] == ["new_device_for_user"]
    assert report["payments"]["silenced"] == [] and report["payments"]["ratio"] == 1.0
