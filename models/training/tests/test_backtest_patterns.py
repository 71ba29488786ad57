"""backtest_patterns: the window's frauds by the simulator's pattern, and what each system stopped."""

import json

import numpy as np
import pandas as pd
import pytest

from riskgate_training.backtest_patterns import FRIENDLY, fraud_by_pattern, load_truth, pattern_table


def _truth(tmp_path, lines):
    (tmp_path / "truth.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    return load_truth(tmp_path)


def test_groups_frauds_by_pattern_and_prices_what_each_system_stopped(tmp_path):
    truth = _truth(tmp_path, [
        {"checkout_event_id": "a", "fraud": True, "pattern": "account_takeover", "drifted": True},
        {"checkout_event_id": "b", "fraud": True, "pattern": "account_takeover", "drifted": True},
        {"checkout_event_id": "c", "fraud": True, "pattern": "account_takeover", "drifted": False},
        {"checkout_event_id": "d", "fraud": False, "pattern": None, "drifted": False},
        {"checkout_event_id": "e", "fraud": False, "pattern": None, "drifted": False},
    ])
    ids = np.array(["a", "b", "c", "d", "e"])
    fraud = np.array([1, 1, 1, 1, 0])  # d: a chargeback on a checkout the truth calls legit
    amount = np.array([75.0, 275.0, 100.0, 50.0, 1000.0])
    p = np.array([0.1, 0.3, 0.9, 0.2, 0.0])
    decisions = pd.DataFrame({
        "event_id": ["a", "b", "c", "d", "e"] * 2,
        "system": ["rules"] * 5 + ["model_equal"] * 5,
        "decision": ["allow", "review", "allow", "allow", "block", "block", "allow", "review", "allow", "block"],
    })
    groups = {(g["pattern"], g["adapted"]): g for g in fraud_by_pattern(truth, ids, fraud, amount, p, decisions, 25.0)}
    assert set(groups) == {("account_takeover", True), ("account_takeover", False), (FRIENDLY, False)}
    adapted = groups[("account_takeover", True)]
    assert adapted["frauds"] == 2 and adapted["eur_at_stake"] == pytest.approx(400.0)
    # rules reviewed b (300 of 400), the model blocked a (100 of 400); e's block is not a fraud's.
    assert adapted["stopped_share_eur"]["rules"] == pytest.approx(0.75)
    assert adapted["stopped_share_eur"]["model_equal"] == pytest.approx(0.25)
    assert adapted["stopped_share_eur"]["model_capacity"] == 0.0  # a system without decisions stopped nothing
    assert adapted["mean_model_p"] == pytest.approx(0.2)
    assert groups[("account_takeover", False)]["stopped_share_eur"]["model_equal"] == pytest.approx(1.0)
    assert groups[(FRIENDLY, False)]["frauds"] == 1

    table = pattern_table([{"seed": 1, "window": {"cutoff": "2026-04-06T00:00:00Z"},
                            "fraud_by_pattern": list(groups.values())}])
    assert any("| account_takeover, adapted | 2 | 400 | 75 % | 25 % | 0 % | 0.200 |" in line for line in table)


def test_old_worlds_without_the_drifted_field_read_as_not_adapted(tmp_path):
    truth = _truth(tmp_path, [{"checkout_event_id": "a", "fraud": True, "pattern": "host_ring"}])
    assert truth.loc["a", "pattern"] == "host_ring" and not truth.loc["a", "drifted"]


def test_no_truth_no_table(tmp_path):
    assert load_truth(tmp_path) is None
    assert pattern_table([{"seed": 1, "window": {"cutoff": "2026-04-06"}, "fraud_by_pattern": None}]) == []
