import json

import numpy as np
import pytest

from riskgate_training.data import TableError
from riskgate_training.decisions import read_decision_log, reweight
from riskgate_training.calibration import apply_calibration, fit_platt


def _write(tmp_path, records):
    path = tmp_path / "decisions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_blocked_rows_dropped_and_the_exploration_draw_weighted(tmp_path) -> None:
    path = _write(tmp_path, [
        {"event_id": "a", "decision": "allow", "propensity": 0.75, "exploration": False},
        {"event_id": "b", "decision": "block", "propensity": 1.0, "exploration": False},
        {"event_id": "c", "decision": "review", "propensity": 0.25, "exploration": True},
        {"event_id": "e", "decision": "review", "propensity": 1.0, "exploration": False},
    ])
    rw = reweight(np.array(["a", "b", "c", "d", "e"]), read_decision_log(path))
    assert rw.keep.tolist() == [True, False, True, True, True]
    # a: 4/3, c: 4, scaled so that the two weigh two rows: 0.5 and 1.5
    assert rw.weight.tolist() == pytest.approx([0.5, 1.0, 1.5, 1.0, 1.0])
    assert rw.report["blocked_dropped"] == 1 and rw.report["explored"] == 1


@pytest.mark.parametrize("bad,field", [({"event_id": "a", "decision": "allow"}, "propensity"),
                                       ({"event_id": "a", "decision": "allow", "propensity": 0}, "propensity"),
                                       ({"event_id": "a", "decision": "maybe", "propensity": 1}, "decision")])
def test_bad_records_named(tmp_path, bad, field) -> None:
    with pytest.raises(TableError, match=field):
        read_decision_log(_write(tmp_path, [bad]))


def test_exploration_keeps_the_traffic_mix_and_its_reviews_correct_missed_chargebacks() -> None:
    """Synthetic traffic as the scoring API logs it: the model reviews risky checkouts; each
    would-be allow is reviewed with probability 0.05 (review outcome = truth) or allowed
    (propensity 0.95; only 80 % of its frauds ever charge back)."""
    rng = np.random.default_rng(0)
    n = 400_000
    risky = rng.random(n) < 0.1
    fraud = rng.random(n) < np.where(risky, 0.03, 0.003)
    explored = ~risky & (rng.random(n) < 0.05)
    charged_back = fraud & (rng.random(n) < 0.8)
    label = np.where(risky | explored, fraud, charged_back).astype(int)
    log = {f"e{i}": ("review" if risky[i] or explored[i] else "allow",
                     1.0 if risky[i] else (0.05 if explored[i] else 0.95), bool(explored[i])) for i in range(n)}
    rw = reweight(np.array([f"e{i}" for i in range(n)]), log)
    # the would-be allows weigh what they are in the traffic (plain 1/propensity would double them)
    assert rw.weight[~risky].sum() == pytest.approx((~risky).sum(), rel=1e-9)
    assert rw.weight[risky].tolist() == [1.0] * int(risky.sum())
    # their fraud rate: the allowed arm alone misses a fifth; the explored reviews recover half of it
    truth = fraud[~risky].mean()
    naive = label[~risky].mean()
    weighted = np.average(label[~risky], weights=rw.weight[~risky])
    assert naive == pytest.approx(0.8 * truth, rel=0.1)
    assert weighted == pytest.approx(0.9 * truth, rel=0.1)
    cal = fit_platt(np.where(risky, 0.03, 0.003), label, rw.weight)
    assert apply_calibration(cal, np.array([0.003]))[0] == pytest.approx(0.9 * 0.003, rel=0.15)
