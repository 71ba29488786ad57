import numpy as np
import pandas as pd
import pytest

from riskgate_training.cost_policy import (ALLOW, BLOCK, REVIEW, Policy, day_index, fit_review_min, model_actions,
                                      policy_cost, reviews_per_day, seed_policy, with_capacity)

POL = Policy(chargeback_fee_eur=25.0, review_cost_eur=4.0, decline_cost_eur=10.0, median_amount_eur=175.0,
             fn_over_fp_at_median=20.0, review_min_expected_loss_eur=4.0, review_capacity_per_day=2)


def test_seed_decline_cost_is_fn_over_20_at_the_median() -> None:
    pol = seed_policy(np.array([100.0, 175.0, 900.0]), chargeback_fee=25.0, review_cost=4.0, fn_over_fp=20.0,
                      capacity=1000)
    assert pol.median_amount_eur == 175.0 and pol.decline_cost_eur == pytest.approx(10.0)
    assert pol.review_min_expected_loss_eur == 4.0


def test_rule_is_amount_aware() -> None:
    # p = 0.02: 80 EUR -> loss_allow 2.1 < 4 allow; 3000 EUR -> 60.5 >= 4 review (block loss 9.8 > 4)
    # p = 0.7: loss_block 3.0 <= min(loss_allow, 4) -> block
    p = np.array([0.02, 0.02, 0.7, 0.001])
    amount = np.array([80.0, 3000.0, 80.0, 3000.0])
    assert model_actions(p, amount, POL).tolist() == [ALLOW, REVIEW, BLOCK, ALLOW]


def test_overflow_is_ranked_by_expected_loss_not_allowed_wholesale() -> None:
    p = np.array([0.05, 0.05, 0.5, 0.05])
    amount = np.array([500.0, 500.0, 2000.0, 50.0])
    day = np.array([1, 1, 1, 1])
    acts = np.array([REVIEW, REVIEW, REVIEW, REVIEW])
    out, overflow = with_capacity(acts, p, amount, day, POL)
    # the first two take the budget; p=0.5 on 2000 EUR: block (5 < 1012.5); p=0.05 on 50 EUR: allow (9.5 > 3.75)
    assert out.tolist() == [REVIEW, REVIEW, BLOCK, ALLOW] and overflow == 1


def test_review_min_raised_so_the_p95_day_fits_capacity() -> None:
    rng = np.random.default_rng(0)
    n = 30 * 400
    day = np.repeat(np.arange(30), 400)
    p = rng.beta(0.3, 30, n)
    amount = np.exp(rng.normal(5.2, 0.8, n))
    pol = Policy(**{**POL.__dict__, "review_capacity_per_day": 20})
    fitted, report = fit_review_min(p, amount, day, pol)
    assert fitted.review_min_expected_loss_eur > pol.review_cost_eur and report["raised_above_review_cost"]
    per_day = reviews_per_day(model_actions(p, amount, fitted), day)
    assert np.quantile(per_day, 0.95) <= 20
    lower = Policy(**{**fitted.__dict__, "review_min_expected_loss_eur": fitted.review_min_expected_loss_eur * 0.9})
    assert np.quantile(reviews_per_day(model_actions(p, amount, lower), day), 0.95) > 20
    roomy, _ = fit_review_min(p, amount, day, Policy(**{**POL.__dict__, "review_capacity_per_day": 10_000}))
    assert roomy.review_min_expected_loss_eur == 4.0


def test_cost_of_actions() -> None:
    y = np.array([1, 0, 1, 0])
    acts = np.array([ALLOW, BLOCK, REVIEW, REVIEW])
    c = policy_cost(acts, y, np.array([100.0, 50.0, 70.0, 20.0]), POL, days=1.0)
    assert c.missed_fraud_eur == 125.0 and c.declined_legit_eur == 10.0 and c.review_eur == 8.0
    assert c.to_dict()["per_1000_checkouts_eur"] == pytest.approx(1000 * 143 / 4)


def test_day_index_is_the_utc_day() -> None:
    t = pd.Series(pd.to_datetime(["2026-01-01T23:59:59Z", "2026-01-02T00:00:00Z"], utc=True))
    d = day_index(t)
    assert d[1] - d[0] == 1
