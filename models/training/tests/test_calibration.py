import json
import math

import numpy as np
import pytest

from riskgate_training.calibration import apply_calibration, choose_calibration, fit_isotonic, fit_platt
from riskgate_training.metrics import ece


def test_ece_hand_computed() -> None:
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.1, 0.9, 0.5])
    # bins (width 1/15): 0.1 -> bin 1, 0.9 -> bin 13, 0.5 -> bin 7
    # (2/4)*|0 - 0.1| + (1/4)*|1 - 0.9| + (1/4)*|1 - 0.5| = 0.05 + 0.025 + 0.125
    assert ece(y, p) == pytest.approx(0.2, abs=1e-12)


def test_ece_edges() -> None:
    assert ece(np.array([1, 1]), np.array([1.0, 1.0])) == pytest.approx(0.0)  # p == 1 goes to the last bin
    assert ece(np.array([0, 1]), np.array([0.5, 0.5])) == pytest.approx(0.0)
    assert ece(np.array([0, 0]), np.array([0.99, 0.99])) == pytest.approx(0.99)


def _miscalibrated(n: int = 40000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    true_p = 1 / (1 + np.exp(-rng.normal(-4.0, 1.5, n)))
    y = (rng.random(n) < true_p).astype(int)
    raw = np.sqrt(true_p)  # overconfident, like a model trained with heavy positive weights
    return raw, y, true_p


@pytest.mark.parametrize("fit", [fit_isotonic, fit_platt])
def test_calibration_reduces_ece_out_of_sample(fit) -> None:
    raw, y, _ = _miscalibrated()
    half = len(raw) // 2
    cal = fit(raw[:half], y[:half])
    before = ece(y[half:], raw[half:])
    after = ece(y[half:], apply_calibration(cal, raw[half:]))
    assert before > 0.05
    assert after < before / 5
    assert after < 0.01


def test_isotonic_representation_is_np_interp_clipped() -> None:
    cal = {"method": "isotonic", "x": [0.1, 0.2, 0.6], "y": [0.0, 0.5, 0.7]}
    raw = np.array([0.0, 0.1, 0.15, 0.2, 0.4, 0.6, 0.9])
    expected = [0.0, 0.0, 0.25, 0.5, 0.6, 0.7, 0.7]
    assert apply_calibration(cal, raw) == pytest.approx(expected, abs=1e-15)


def test_platt_formula() -> None:
    cal = {"method": "platt", "a": 2.0, "b": -1.0, "eps": 1e-7}
    r = 0.2
    expected = 1 / (1 + math.exp(-(2.0 * math.log(r / (1 - r)) - 1.0)))
    assert apply_calibration(cal, np.array([r]))[0] == pytest.approx(expected, rel=1e-15)
    # clipping keeps 0 and 1 finite
    out = apply_calibration(cal, np.array([0.0, 1.0]))
    assert np.all(np.isfinite(out)) and 0 < out[0] < 1e-10 and out[1] > 1 - 1e-10


def test_fit_platt_recovers_known_parameters() -> None:
    rng = np.random.default_rng(1)
    z = rng.normal(-3, 2, 200000)
    raw = 1 / (1 + np.exp(-z))
    y = (rng.random(len(z)) < 1 / (1 + np.exp(-(0.5 * z + 0.7)))).astype(int)
    cal = fit_platt(raw, y)
    assert cal["a"] == pytest.approx(0.5, abs=0.03) and cal["b"] == pytest.approx(0.7, abs=0.06)


def test_choose_calibration_is_json_and_improves_ece() -> None:
    raw, y, _ = _miscalibrated(seed=2)
    cal, report = choose_calibration(raw, y)
    assert cal["method"] in {"isotonic", "platt"}
    assert json.loads(json.dumps(cal)) == cal
    assert report["calibrated_ece_valid"] < report["raw_ece_valid"]
    assert set(report["cv_ece"]) == {"isotonic", "platt"}
    assert report["cv_ece"][report["chosen"]] <= min(report["cv_ece"].values()) + 1e-6
    if cal["method"] == "isotonic":
        assert np.all(np.diff(cal["x"]) > 0)


def test_pipeline_calibration_fixes_a_weighted_model(table_dir, tmp_path) -> None:
    """Positive weighting inflates raw probabilities; the validation-fitted calibration must
    bring the test-split ECE back down (and below the raw ECE)."""
    from riskgate_training.model import ModelParams
    from riskgate_training.pipeline import TrainConfig, train

    params = ModelParams(n_estimators=60, learning_rate=0.1, min_child_samples=40, scale_pos_weight=30.0)
    r = train(TrainConfig(table_dir=table_dir, out_dir=tmp_path, params=params, parity_rows=100))
    t = r.manifest["metrics"]["test"]
    print(t["ece_raw"], t["ece"], r.manifest["calibration"]["method"], t["mean_raw"], t["mean_calibrated"], t["fraud_rate"])
    assert t["ece"] < t["ece_raw"]
    # the weighted model over-predicts on average; calibrated scores match the fraud rate
    assert t["mean_raw"] > 1.5 * t["fraud_rate"]
    assert abs(t["mean_calibrated"] - t["fraud_rate"]) < 0.25 * (t["mean_raw"] - t["fraud_rate"])
    assert t["ece"] <= 0.02
