import json
from pathlib import Path

import pandas as pd

from riskgate_training.backtest import drift_overlap, given_world, meets_cost_target
from riskgate_training.backtest_summary import calibration_table, cost_table
from riskgate_training.backtest_windows import rolling_windows


def _system(ratio: float, upper: float) -> dict:
    return {"cost_per_1000": 1000 * ratio, "cost_per_1000_ci90": [900 * ratio, 1100 * ratio],
            "ratio_to_rules": ratio, "ratio_to_rules_ci90": [ratio * 0.8, upper],
            "reviews_per_day_mean": 40.0, "reviews_per_day_p95": 55.0}


def _calibration(ratio: float, meets: bool) -> dict:
    served = {"fraud_rate": 0.005, "mean_p_over_rate": ratio, "slope": 1.0, "ece_quantile": 0.001, "meets_target": meets}
    return {"served": served, "as_fitted": {"mean_p_over_rate": 0.7}, "nowcast": {"rate": 0.0051},
            "nowcast_corrected": {"mean_p_over_rate": ratio * 1.02},
            "shift": {"valid_rate_corrected": 0.0052, "mean_p_labelled_fraud": {"valid": 0.8, "test": 0.4}}}


def _result(seed: int, eq: tuple[float, float], cap: tuple[float, float], drift: float | None) -> dict:
    return {"seed": seed, "window": {"cutoff": "2026-03-17T00:00:00Z"}, "drift_in_test": drift,
            "systems": {"rules": _system(1.0, 1.0), "model_equal": _system(*eq), "model_capacity": _system(*cap),
                        "scorecard_equal": _system(0.7, 0.8)},
            "calibration": _calibration(0.6 if drift else 1.02, not drift)}


def test_the_cost_target_needs_the_ratio_and_the_interval() -> None:
    assert meets_cost_target(_system(0.45, 0.58))
    assert not meets_cost_target(_system(0.45, 0.61))
    assert not meets_cost_target(_system(0.51, 0.55))


def test_the_cost_table_marks_each_window_and_operating_point() -> None:
    rows = cost_table([_result(7, (0.45, 0.58), (0.3, 0.4), 0.0), _result(8, (0.55, 0.7), (0.45, 0.62), 1.0)],
                      meets_cost_target)
    assert len(rows) == 4
    assert "| 7 | 2026-03-17 | 0 % |" in rows[2] and rows[2].count("PASS") == 2
    assert "| 8 | 2026-03-17 | 100 % |" in rows[3] and rows[3].count("FAIL") == 2


def test_the_calibration_table_shows_drift_and_non_drift_windows_side_by_side() -> None:
    rows = calibration_table([_result(7, (0.4, 0.5), (0.4, 0.5), 0.0), _result(7, (0.4, 0.5), (0.4, 0.5), 0.4)])
    assert rows[2].endswith("PASS |") and "| 1.020 |" in rows[2], "no interval: a result from before it"
    with_ci = _result(7, (0.4, 0.5), (0.4, 0.5), 0.0)
    with_ci["calibration"]["served_ci90"] = [0.851, 1.184]
    assert "| 1.020 [0.85, 1.18] |" in calibration_table([with_ci])[2]
    assert rows[3].endswith("FAIL |") and "| 40 % |" in rows[3] and "0.800 → 0.400" in rows[3]


def test_drift_overlap_is_the_share_of_drifted_test_days(tmp_path: Path) -> None:
    t0 = pd.Timestamp("2026-01-05", tz="UTC")
    windows = rolling_windows(t0, t0 + pd.Timedelta(days=100), n_windows=3, test_days=10, gap_days=35,
                              valid_days=7, maturity_days=60)
    (tmp_path / "world.json").write_text(json.dumps({"seed": 4, "drift_starts_at": "2026-04-01T00:00:00.000Z"}))
    assert [drift_overlap(tmp_path, w) for w in windows] == [0.0, 0.4, 1.0]  # tests from 03-16, 03-26, 04-05
    (tmp_path / "world.json").write_text(json.dumps({"drift_starts_at": None}))
    assert drift_overlap(tmp_path, windows[-1]) == 0.0
    assert drift_overlap(tmp_path / "none", windows[-1]) is None


def test_a_given_world_is_named_by_its_seed(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "world.json").write_text(json.dumps({"seed": 4}))
    assert given_world(f"{tmp_path}/w:{tmp_path}/t") == (4, tmp_path / "w", tmp_path / "t")
    assert given_world(f"{tmp_path}/x:{tmp_path}/t")[0] == "x"
