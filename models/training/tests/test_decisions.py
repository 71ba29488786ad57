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


def test_blocked_rows_dropped_and_explored_rows_weighted(tmp_path) -> None:
    path = _write(tmp_path, [
        {"event_id": "a", "decision": "allow", "propensity": 1.0, "exploration": False},
        {"event_id": "b", "decision": "block", "propensity": 1.0, "exploration": False},
        {"event_id": "c", "decision": "review", "propensity": 0.05, "exploration": True},
    ])
    rw = reweight(np.array(["a", "b", "c", "d"]), read_decision_log(path))
    assert rw.keep.tolist() == [True, False, True, True]
    assert rw.weight.tolist() == [1.0, 1.0, 20.0, 1.0]
    assert rw.report["blocked_dropped"] == 1 and rw.report["explored"] == 1


@pytest.mark.parametrize("bad,field", [({"event_id": "a", "decision": "allow"}, "propensity"),
                                       ({"event_id": "a", "decision": "allow", "propensity": 0}, "propensity"),
                                       ({"event_id": "a", "decision": "maybe", "propensity": 1}, "decision")])
def test_bad_records_named(tmp_path, bad, field) -> None:
    with pytest.raises(TableError, match=field):
        read_decision_log(_write(tmp_path, [bad]))


def test_reweighting_undoes_exploration_sampling_on_synthetic_traffic() -> None:
    """Would-be allows are reviewed (labelled) with probability 0.1 only; weighting the
    explored rows by 1/0.1 recovers the fraud rate of all allowed traffic, ignoring them does not."""
    rng = np.random.default_rng(0)
    n = 200_000
    risky = rng.random(n) < 0.3
    fraud = rng.random(n) < np.where(risky, 0.02, 0.002)
    # production: risky checkouts are always reviewed (outcome known); safe ones only when explored
    explored = ~risky & (rng.random(n) < 0.1)
    observed = risky | explored
    log = {f"e{i}": ("review", 1.0 if risky[i] else 0.1, bool(explored[i])) for i in np.flatnonzero(observed)}
    ids = np.array([f"e{i}" for i in range(n)])
    rw = reweight(ids[observed], log)
    naive = fraud[observed].mean()
    weighted = np.average(fraud[observed], weights=rw.weight)
    assert abs(weighted - fraud.mean()) < 0.1 * fraud.mean()
    assert naive > 1.5 * fraud.mean()
    # and a calibration fitted with the weights is calibrated for all traffic
    raw = np.where(risky, 0.02, 0.002)[observed]
    cal = fit_platt(raw, fraud[observed].astype(int), rw.weight)
    safe, risky_p = apply_calibration(cal, np.array([0.002, 0.02]))
    assert safe == pytest.approx(0.002, rel=0.2) and risky_p == pytest.approx(0.02, rel=0.2)
