"""Backtest arithmetic on hand-made decisions: prices, per-day totals, metrics, bootstrap-by-day."""

import numpy as np
import pandas as pd
import pytest

from riskgate_training.backtest_costs import (PolicyCosts, bootstrap_cost, bootstrap_ratio, day_of, day_weights,
                                              decision_costs, per_day, summarise)

COSTS = PolicyCosts.seeded(median_amount_eur=175.0)  # decline = (175 + 25) / 20 = 10


def test_seeded_decline_cost_makes_a_missed_median_fraud_20_declines() -> None:
    assert COSTS.decline_cost_eur == pytest.approx(10.0)
    missed = decision_costs(np.array(["allow"]), np.array([1]), np.array([175.0]), COSTS)[0]
    declined = decision_costs(np.array(["block"]), np.array([0]), np.array([175.0]), COSTS)[0]
    assert missed == pytest.approx(20 * declined)


def test_each_decision_and_label_is_priced_by_the_policy_table() -> None:
    decision = np.array(["allow", "allow", "review", "review", "block", "block"])
    fraud = np.array([1, 0, 1, 0, 1, 0])
    amount = np.array([300.0, 300.0, 80.0, 80.0, 900.0, 900.0])
    assert decision_costs(decision, fraud, amount, COSTS).tolist() == [325.0, 0.0, 4.0, 4.0, 0.0, 10.0]


def test_an_unknown_decision_is_refused() -> None:
    with pytest.raises(ValueError, match="maybe"):
        decision_costs(np.array(["maybe"]), np.array([0]), np.array([1.0]), COSTS)


def _frame() -> pd.DataFrame:
    # Day 1: 4 checkouts, one fraud reviewed, one legit reviewed, one overflow; day 2: a missed fraud
    # and a fraud blocked; day 3: quiet.
    rows = [
        ("2026-01-01T01:00:00Z", "review", 1, 100.0, False),
        ("2026-01-01T02:00:00Z", "review", 0, 100.0, False),
        ("2026-01-01T03:00:00Z", "allow", 0, 100.0, True),
        ("2026-01-01T23:59:59Z", "allow", 0, 100.0, False),
        ("2026-01-02T00:00:00Z", "allow", 1, 275.0, False),
        ("2026-01-02T05:00:00Z", "block", 1, 500.0, False),
        ("2026-01-03T05:00:00Z", "allow", 0, 50.0, False),
    ]
    f = pd.DataFrame(rows, columns=["occurred_at", "decision", "fraud", "amount", "overflow"])
    f["day"] = day_of(f["occurred_at"])
    f["cost"] = decision_costs(f["decision"].to_numpy(), f["fraud"].to_numpy(), f["amount"].to_numpy(), COSTS)
    return f


def test_days_are_utc_calendar_days_and_totals_add_up() -> None:
    days = per_day(_frame())
    assert list(days.index) == ["2026-01-01", "2026-01-02", "2026-01-03"]
    assert days["checkouts"].tolist() == [4, 2, 1]
    assert days["cost"].tolist() == [8.0, 300.0, 0.0]
    assert days["reviews"].tolist() == [2, 0, 0]
    assert days["overflows"].tolist() == [1, 0, 0]


def test_summary_metrics() -> None:
    s = summarise(per_day(_frame()))
    assert s["cost_per_1000"] == pytest.approx(1000 * 308.0 / 7)
    assert s["recall_review"] == pytest.approx(1 / 3) and s["precision_review"] == pytest.approx(1 / 2)
    assert s["recall_block"] == pytest.approx(1 / 3) and s["precision_block"] == pytest.approx(1.0)
    assert s["reviews_per_day_mean"] == pytest.approx(2 / 3)
    assert s["reviews_per_day_p95"] == pytest.approx(np.percentile([2, 0, 0], 95))
    assert s["overflow_days"] == 1 and s["days"] == 3


def test_precision_is_undefined_without_decisions() -> None:
    f = _frame()
    f["decision"] = "allow"
    s = summarise(per_day(f))
    assert s["precision_review"] is None and s["precision_block"] is None and s["recall_review"] == 0.0


def test_day_weights_resample_whole_days() -> None:
    w = day_weights(10, 500, seed=1)
    assert w.shape == (500, 10)
    assert (w.sum(axis=1) == 10).all()
    assert not np.array_equal(w[0], w[1])
    assert np.array_equal(w, day_weights(10, 500, seed=1))


def _days(cost: list[float], n: int = 1000) -> pd.DataFrame:
    return pd.DataFrame({"cost": cost, "checkouts": [n] * len(cost)}, index=[f"d{i}" for i in range(len(cost))])


def test_cost_interval_covers_the_point_and_is_degenerate_for_identical_days() -> None:
    flat = _days([500.0] * 20)
    assert bootstrap_cost(flat, day_weights(20, 300, 2)) == pytest.approx((500.0, 500.0))
    rng = np.random.default_rng(4)
    noisy = _days(rng.gamma(2.0, 250.0, size=30).tolist())
    lo, hi = bootstrap_cost(noisy, day_weights(30, 2000, 3))
    point = 1000 * noisy["cost"].sum() / noisy["checkouts"].sum()
    assert lo < point < hi
    # A day-level bootstrap of 30 iid days: the 90 % width is about 2 x 1.645 standard errors.
    se = 1000 * noisy["cost"].std(ddof=1) / np.sqrt(30) / 1000
    assert 0.7 * 3.29 * se < hi - lo < 1.3 * 3.29 * se


def test_ratio_is_paired_by_day() -> None:
    # The system always costs exactly half the baseline on the same day, however much days vary: a
    # paired bootstrap gives a zero-width interval, an unpaired one would not.
    base = _days([100.0, 900.0, 50.0, 4000.0, 300.0, 10.0])
    half = _days([c / 2 for c in base["cost"]])
    ratio, (lo, hi) = bootstrap_ratio(half, base, day_weights(6, 1000, 5))
    assert ratio == pytest.approx(0.5) and lo == pytest.approx(0.5) and hi == pytest.approx(0.5)


def test_ratio_interval_widens_with_disagreeing_days() -> None:
    base = _days([100.0] * 10)
    system = _days([0.0] * 5 + [100.0] * 5)
    ratio, (lo, hi) = bootstrap_ratio(system, base, day_weights(10, 2000, 6))
    assert ratio == pytest.approx(0.5)
    assert lo < 0.4 and hi > 0.6


def test_ratio_needs_the_same_days_and_a_costly_baseline() -> None:
    with pytest.raises(ValueError, match="same days"):
        bootstrap_ratio(_days([1.0, 2.0]), _days([1.0, 2.0, 3.0]), day_weights(2, 10, 1))
    with pytest.raises(ValueError, match="costs nothing"):
        bootstrap_ratio(_days([1.0, 2.0]), _days([0.0, 0.0]), day_weights(2, 10, 1))
