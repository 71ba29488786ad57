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


def _arriving_labels(n: int = 120_000, seed: int = 6) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A calibrated raw score (it is the true probability) with a wide spread; each fraud's label is
    known with a share `known` (0.4-1, like rows 1-6 weeks old at the cut-off): (raw, eventual y,
    known y, known)."""
    rng = np.random.default_rng(seed)
    raw = 1 / (1 + np.exp(-rng.normal(-6.0, 3.0, n)))
    y = (rng.random(n) < raw).astype(int)
    known = rng.uniform(0.4, 1.0, n)
    return raw, y, y * (rng.random(n) < known), known


@pytest.mark.parametrize("fit", [fit_isotonic, fit_platt])
def test_labels_still_arriving_flatten_a_plain_fit_and_not_one_told_how_many_arrived(fit) -> None:
    raw, y, y_known, known = _arriving_labels()
    half = len(raw) // 2
    plain = apply_calibration(fit(raw[:half], y_known[:half], np.ones(half)), raw[half:])
    delayed = apply_calibration(fit(raw[:half], y_known[:half], np.ones(half), known[:half]), raw[half:])
    truth = raw[half:]
    assert np.mean(plain) / np.mean(truth) < 0.85  # forecasts "known by now", not fraud
    assert np.mean(delayed) / np.mean(truth) == pytest.approx(1.0, abs=0.08)
    assert calibration_metrics(y[half:], delayed)["slope"] == pytest.approx(1.0, abs=0.1)


def test_flattening_by_arriving_labels_shows_in_the_slope_after_a_mean_shift() -> None:
    raw, y, y_known, known = _arriving_labels(seed=7)
    cal = fit_platt(raw, y_known, np.ones(len(raw)))
    # the previous correction: the plain fit's intercept shifted by the mean completeness
    shifted = {**cal, "b": cal["b"] - math.log(float(np.mean(known)))}
    m = calibration_metrics(y, apply_calibration(shifted, raw))
    assert m["slope"] > 1.15


def test_all_labels_known_gives_the_plain_fit() -> None:
    raw, y = _miscalibrated(n=8000, seed=8)
    ones = np.ones(len(raw))
    for fit in (fit_platt, fit_isotonic):
        a, b = fit(raw, y, ones), fit(raw, y, ones, ones)
        grid = np.linspace(0, 1, 101)
        assert apply_calibration(a, grid) == pytest.approx(apply_calibration(b, grid), rel=1e-3, abs=1e-6)


def test_choose_calibration_with_arriving_labels_scores_what_was_observed() -> None:
    raw, y, y_known, known = _arriving_labels(n=60_000, seed=9)
    cal, report = choose_calibration(raw, y_known, seed=1, known=known)
    json.dumps(report)
    assert report["valid"]["mean_p_over_rate"] == pytest.approx(1.0, abs=0.05)  # known x p against known labels
    assert np.mean(apply_calibration(cal, raw)) / np.mean(raw) == pytest.approx(1.0, abs=0.08)
