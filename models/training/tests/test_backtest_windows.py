"""Rolling-origin windows, labels as of a date, and the backtest's operating points."""

import numpy as np
import pandas as pd
import pytest

from riskgate_training.backtest_costs import PolicyCosts
from riskgate_training.backtest_policy import NO_REVIEW_BAND, capacity_point, equal_volume_point, losses
from riskgate_training.backtest_windows import rolling_windows

T0 = pd.Timestamp("2026-01-05T00:00:00Z")
D = pd.Timedelta(days=1)


def test_windows_roll_back_to_back_to_the_end_of_the_data() -> None:
    ws = rolling_windows(T0 + pd.Timedelta(hours=3), T0 + 89 * D + pd.Timedelta(hours=20), n_windows=3, test_days=10,
                         gap_days=35, valid_days=7, maturity_days=60)
    assert [w.cutoff for w in ws] == [T0 + 60 * D, T0 + 70 * D, T0 + 80 * D]
    assert ws[-1].test_end == T0 + 90 * D
    for w in ws:
        assert w.fit_start == T0
        assert w.valid_end == w.cutoff - 35 * D and w.valid_start == w.valid_end - 7 * D
        assert w.matured_at == w.test_end + 60 * D
    assert all(a.test_end == b.cutoff for a, b in zip(ws, ws[1:]))


def test_window_parts_never_overlap_and_the_gap_is_only_nowcast() -> None:
    (w,) = rolling_windows(T0, T0 + 40 * D, n_windows=1, test_days=5, gap_days=10, valid_days=5, maturity_days=30)
    t = pd.Series(pd.date_range(T0, T0 + 40 * D, freq="1h", tz="UTC", inclusive="left"))
    m = w.masks(t)
    assert not (m["fit"] & m["valid"]).any() and not (m["valid"] & m["test"]).any()
    assert t[m["valid"]].max() < w.valid_end <= w.cutoff - 10 * D
    assert t[m["test"]].min() == w.cutoff
    gap = m["gap"]
    assert gap.sum() == 10 * 24 and not (gap & (m["fit"] | m["valid"] | m["test"])).any()
    assert t[gap].min() == w.valid_end and t[gap].max() < w.cutoff


def test_too_many_windows_for_the_data_is_an_error_naming_the_cutoff() -> None:
    with pytest.raises(ValueError, match="days to fit on"):
        rolling_windows(T0, T0 + 30 * D, n_windows=3, test_days=10, gap_days=7, valid_days=7, maturity_days=60)


COSTS = PolicyCosts.seeded(median_amount_eur=175.0)  # fee 25, review 4, decline 10


def test_losses_follow_the_manifest_rule() -> None:
    allow, block, blocked = losses(np.array([0.7, 0.5, 0.01]), np.array([175.0, 175.0, 175.0]), COSTS)
    assert allow.tolist() == pytest.approx([140.0, 100.0, 2.0])
    assert block.tolist() == pytest.approx([3.0, 5.0, 9.9])
    # (1 - p) * 10 <= min(p * 200, 4): p = 0.7 blocks, p = 0.5 does not (5 > 4), p = 0.01 does not
    assert blocked.tolist() == [True, False, False]


def test_capacity_point_keeps_the_review_cost_when_it_fits_and_raises_it_when_not() -> None:
    rng = np.random.default_rng(0)
    days = np.repeat([f"d{i}" for i in range(20)], 1000)
    p = rng.beta(0.5, 30, size=len(days))
    amount = rng.lognormal(5.3, 0.6, size=len(days))
    assert capacity_point(p, amount, days, COSTS, 1000).review_min_expected_loss_eur == COSTS.review_cost_eur
    tight = capacity_point(p, amount, days, COSTS, 50).review_min_expected_loss_eur
    assert tight > COSTS.review_cost_eur
    allow, _, blocked = losses(p, amount, COSTS)
    per_day = pd.Series(~blocked & (allow >= tight)).groupby(days).sum()
    assert np.percentile(per_day, 95) <= 50
    looser = pd.Series(~blocked & (allow >= tight * 0.98)).groupby(days).sum()
    assert np.percentile(looser, 95) > 50  # the bar is raised no further than needed


def test_equal_volume_point_matches_the_rules_review_count_as_the_pipeline_combines() -> None:
    amount = np.full(9, 175.0)
    p = np.array([0.9, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.35, 0.6])
    rule = np.array(["", "", "", "review", "", "", "", "allow", "block"])
    # Target 3: the review rule's checkout is one; two more by loss among checkouts no rule decided
    # and the model does not block (p 0.9 blocks): 0.5 and 0.4 (losses 100, 80); 0.35 is allow-listed.
    bar = equal_volume_point(p, amount, rule, 3, COSTS).review_min_expected_loss_eur
    assert bar == pytest.approx((80.0 + 40.0) / 2)
    allow, _, blocked = losses(p, amount, COSTS)
    model = np.where(blocked, "block", np.where(allow >= bar, "review", "allow"))
    combined = np.where(np.isin(rule, ("allow", "block")), rule,
                        np.where(model == "block", "block",
                                 np.where((rule == "review") | (model == "review"), "review", "allow")))
    assert (combined == "review").sum() == 3


def test_equal_volume_point_without_room_adds_no_review_band() -> None:
    amount = np.full(3, 175.0)
    p = np.array([0.9, 0.3, 0.2])
    rule = np.array(["review", "review", ""])
    # The model blocks the 0.9 review; the other review rule already meets a target of 1.
    assert equal_volume_point(p, amount, rule, 1, COSTS).review_min_expected_loss_eur == NO_REVIEW_BAND
    assert equal_volume_point(p, amount, rule, 0, COSTS).review_min_expected_loss_eur == NO_REVIEW_BAND
    assert equal_volume_point(p, amount, rule, 10, COSTS).review_min_expected_loss_eur == 0.0
