import numpy as np
import pytest

from riskgate_training.monitoring import bins, monitoring_block


def test_bins_follow_the_documented_rule() -> None:
    v = np.arange(100, dtype=float)
    b = bins(v)
    assert len(b["train_share"]) == len(b["edges"]) + 1 == 10
    assert sum(b["train_share"]) == pytest.approx(1.0)
    idx = np.searchsorted(np.array(b["edges"]), v, side="right")  # number of edges <= x
    assert np.bincount(idx).tolist() == [round(s * 100) for s in b["train_share"]]


def test_default_share_and_a_mostly_constant_feature() -> None:
    X = np.column_stack([np.r_[np.zeros(90), np.arange(1, 11)], np.full(100, 720.0)])
    m = monitoring_block(X, ["logins_1h", "hours_since_reset"], {"logins_1h": 0, "hours_since_reset": 720},
                         np.linspace(0, 0.1, 100))
    f = m["features"]
    assert f["logins_1h"]["default_share"] == 0.9 and f["hours_since_reset"]["default_share"] == 1.0
    assert sum(f["hours_since_reset"]["train_share"]) == pytest.approx(1.0)
    assert len(m["score"]["edges"]) == 9
