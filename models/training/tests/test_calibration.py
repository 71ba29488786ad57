import json
import math

import numpy as np
import pytest

from riskgate_training.calibration import (CAP, FLOOR, apply_calibration, choose_calibration, fit_isotonic, fit_platt,
                                           recalibration_check)
from riskgate_training.metrics import calibration_metrics, meets_calibration_target, quantile_ece


def test_quantile_ece_hand_computed() -> None:
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.1, 0.5, 0.9])
    # 2 equal-count bins: {0.1, 0.1} and {0.5, 0.9}: (2/4)*|0 - 0.1| + (2/4)*|1 - 0.7| = 0.05 + 0.15
    assert quantile_ece(y, p, n_bins=2) == pytest.approx(0.2, abs=1e-12)


def test_quantile_ece_does_not_pass_a_model_that_always_says_zero() -> None:
    rng = np.random.default_rng(0)
    p_true = 1 / (1 + np.exp(-rng.normal(-6, 2, 200_000)))
    y = (rng.random(len(p_true)) < p_true).astype(int)
    useless = np.full(len(y), 1e-6)
    assert quantile_ece(y, p_true) < 0.2 * quantile_ece(y, useless) + 1e-4
    assert quantile_ece(y, useless) == pytest.approx(y.mean(), rel=0.01)


def test_slope_and_intercept_of_a_calibrated_and_an_overconfident_model() -> None:
    rng = np.random.default_rng(1)
    z = rng.normal(-5, 1.5, 200_000)
    y = (rng.random(len(z)) < 1 / (1 + np.exp(-z))).astype(int)
    good = calibration_metrics(y, 1 / (1 + np.exp(-z)))
    assert good["slope"] == pytest.approx(1.0, abs=0.05) and abs(good["intercept"]) < 0.3
    assert meets_calibration_target(good)
    over = calibration_metrics(y, 1 / (1 + np.exp(-2 * (z + 5) + 5)))  # twice as sharp
    assert over["slope"] == pytest.approx(0.5, abs=0.05) and not meets_calibration_target(over)
    assert over["brier"] > good["brier"] and over["log_loss"] > good["log_loss"]


def _miscalibrated(n: int = 40000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    true_p = 1 / (1 + np.exp(-rng.normal(-4.0, 1.5, n)))
    y = (rng.random(n) < true_p).astype(int)
    return np.sqrt(true_p), y  # overconfident, like a model trained with heavy positive weights


@pytest.mark.parametrize("fit", [fit_isotonic, fit_platt])
def test_calibration_fixes_mean_and_slope_out_of_sample(fit) -> None:
    raw, y = _miscalibrated()
    half = len(raw) // 2
    cal = fit(raw[:half], y[:half], np.ones(half))
    before = calibration_metrics(y[half:], raw[half:])
    after = calibration_metrics(y[half:], apply_calibration(cal, raw[half:]))
    assert before["mean_p_over_rate"] > 2
    assert after["mean_p_over_rate"] == pytest.approx(1.0, abs=0.1)
    assert after["slope"] == pytest.approx(1.0, abs=0.15)
    assert after["ece_quantile"] < 0.2 * before["ece_quantile"]


@pytest.mark.parametrize("fit", [fit_isotonic, fit_platt])
def test_no_exact_zero_or_one_and_strictly_increasing(fit) -> None:
    raw, y = _miscalibrated(seed=2)
    cal = fit(raw, y, np.ones(len(raw)))
    out = apply_calibration(cal, np.array([0.0, 1e-9, 0.5, 1.0]))
    assert out.min() >= FLOOR and out.max() <= CAP
    assert 0.0 < out.min() and out.max() < 1.0
    if cal["method"] == "isotonic":
        assert np.all(np.diff(cal["x"]) > 0) and np.all(np.diff(cal["y"]) > 0)
        # centred isotonic: between two knots the map is strictly increasing, no plateaus
        grid = np.linspace(cal["x"][0], cal["x"][-1], 1000)
        assert np.all(np.diff(apply_calibration(cal, grid)) >= 0)
        assert len(np.unique(apply_calibration(cal, grid))) > 900


def test_isotonic_and_platt_formulas() -> None:
    iso = {"method": "isotonic", "x": [0.1, 0.2, 0.4], "y": [0.001, 0.5, 0.7], "floor": 0.01, "cap": 0.6}
    assert apply_calibration(iso, np.array([0.05, 0.15, 0.3, 0.9])).tolist() == pytest.approx(
        [0.01, 0.2505, 0.6, 0.6])
    platt = {"method": "platt", "a": 1.3, "b": -0.4, "eps": 1e-7, "floor": 1e-5, "cap": 0.995}
    r = 0.02
    expect = 1 / (1 + math.exp(-(1.3 * math.log(r / (1 - r)) - 0.4)))
    assert apply_calibration(platt, np.array([r]))[0] == pytest.approx(expect, rel=1e-12)
    assert apply_calibration(platt, np.array([1.0]))[0] == 0.995


def test_weights_count_as_repeated_rows() -> None:
    raw, y = _miscalibrated(n=6000, seed=3)
    w = np.where(np.arange(len(raw)) % 3 == 0, 2.0, 1.0)
    rep = np.repeat(np.arange(len(raw)), w.astype(int))
    a = fit_platt(raw, y, w)
    b = fit_platt(raw[rep], y[rep], np.ones(len(rep)))
    assert a["a"] == pytest.approx(b["a"], rel=1e-4) and a["b"] == pytest.approx(b["b"], rel=1e-4)


def test_choose_calibration_is_json_and_reports_valid_metrics() -> None:
    raw, y = _miscalibrated()
    cal, report = choose_calibration(raw, y, seed=1)
    json.dumps(cal)
    json.dumps(report)
    assert report["chosen"] == cal["method"] and set(report["cv_log_loss"]) == {"isotonic", "platt"}
    assert report["valid"]["mean_p_over_rate"] == pytest.approx(1.0, abs=0.05)


def test_recalibration_check_flags_a_shifted_window() -> None:
    raw, y = _miscalibrated(seed=4)
    cal = fit_platt(raw, y, np.ones(len(raw)))
    assert not recalibration_check(cal, raw, y)["recalibrate"]
    rng = np.random.default_rng(5)
    y_more = np.maximum(y, (rng.random(len(y)) < 0.02).astype(int))  # the fraud rate rose
    assert recalibration_check(cal, raw, y_more)["recalibrate"]
