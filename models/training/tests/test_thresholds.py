import itertools

import numpy as np
import pytest

from riskgate_training.thresholds import CostModel, choose_thresholds, decide, policy_cost

# tiny hand-checkable case: a legit at 0.1 (100 EUR), a fraud at 0.7 (90 EUR), a legit at 0.8 (1000 EUR)
S = np.array([0.1, 0.7, 0.8])
Y = np.array([0, 1, 0])
A = np.array([100.0, 90.0, 1000.0])
HAND = CostModel(chargeback_fee_eur=0.0, margin_rate=0.1, review_cost_eur=5.0)


def test_hand_case_unconstrained_reviews_both_high_scores() -> None:
    # review 0.7 and 0.8: 2 x 5 = 10 EUR (blocking the 0.8 legit would cost 100, allowing the fraud 90)
    c = choose_thresholds(S, Y, A, HAND, capacity_per_day=10, days=1.0)
    assert c.cost.total_eur == pytest.approx(10.0)
    assert c.review == pytest.approx(0.4) and c.block == pytest.approx(1.0)
    assert decide(S, c.review, c.block).tolist() == [0, 1, 1]


def test_hand_case_capacity_one_review() -> None:
    # one review a day: reviewing 0.8 alone = 5 + 90; blocking >= 0.4 = 100; allowing all = 90 -> allow all
    c = choose_thresholds(S, Y, A, HAND, capacity_per_day=1, days=1.0)
    assert c.cost.total_eur == pytest.approx(90.0)
    assert decide(S, c.review, c.block).tolist() == [0, 0, 0]


def test_hand_case_moves_with_costs() -> None:
    # a 20 EUR chargeback fee makes the missed fraud 110 > blocking both (100): block >= 0.4
    costs = CostModel(chargeback_fee_eur=20.0, margin_rate=0.1, review_cost_eur=5.0)
    c = choose_thresholds(S, Y, A, costs, capacity_per_day=1, days=1.0)
    assert c.cost.total_eur == pytest.approx(100.0)
    assert decide(S, c.review, c.block).tolist() == [0, 2, 2]
    assert c.block == pytest.approx(0.4)


def _random_case(n: int = 4000, seed: int = 0):
    rng = np.random.default_rng(seed)
    z = rng.normal(-5, 2, n)
    p = 1 / (1 + np.exp(-z))
    y = (rng.random(n) < p).astype(int)
    amount = np.exp(rng.normal(5.3, 0.7, n))
    return p, y, amount


@pytest.mark.parametrize("cap", [1.0, 5.0, 20.0, 1e9])
def test_capacity_is_respected(cap: float) -> None:
    p, y, a = _random_case()
    c = choose_thresholds(p, y, a, CostModel(), capacity_per_day=cap, days=10.0)
    assert c.review <= c.block
    reviews = int(((p >= c.review) & (p < c.block)).sum())
    assert reviews / 10.0 <= cap + 1e-9
    assert c.cost.n_review == reviews


def test_tighter_capacity_never_cheaper() -> None:
    p, y, a = _random_case(seed=1)
    costs = [choose_thresholds(p, y, a, CostModel(), cap, 10.0).cost.total_eur for cap in (1e9, 20, 5, 1, 0)]
    assert all(a <= b + 1e-9 for a, b in zip(costs, costs[1:]))


def test_thresholds_move_with_costs() -> None:
    p, y, a = _random_case(seed=2)
    cheap_fraud = choose_thresholds(p, y, a, CostModel(chargeback_fee_eur=0, margin_rate=0.5, review_cost_eur=20), 1e9, 10)
    dear_fraud = choose_thresholds(p, y, a, CostModel(chargeback_fee_eur=500, margin_rate=0.01, review_cost_eur=2), 1e9, 10)
    assert dear_fraud.review < cheap_fraud.review
    assert dear_fraud.block <= cheap_fraud.block
    no_reviews = choose_thresholds(p, y, a, CostModel(review_cost_eur=1e6), 1e9, 10)
    assert no_reviews.cost.n_review == 0


def test_matches_brute_force_on_small_random_case() -> None:
    p, y, a = _random_case(n=60, seed=3)
    p = np.round(p, 3)  # ties
    costs = CostModel(chargeback_fee_eur=10, margin_rate=0.2, review_cost_eur=3)
    cap, days = 0.5, 10.0  # at most 5 reviews
    c = choose_thresholds(p, y, a, costs, cap, days)
    cuts = np.unique(np.concatenate([[0.0, 1.0], np.unique(p)]))
    best = min(
        policy_cost(decide(p, r, b), y, a, costs, days).total_eur
        for r, b in itertools.combinations_with_replacement(cuts, 2)
        if ((p >= r) & (p < b)).sum() / days <= cap
    )
    assert c.cost.total_eur == pytest.approx(best)
    assert c.cost.total_eur == pytest.approx(policy_cost(decide(p, c.review, c.block), y, a, costs, days).total_eur)


def test_capacity_is_per_day() -> None:
    # the same three rows spread over two days: 1 review/day allows both reviews again
    c = choose_thresholds(S, Y, A, HAND, capacity_per_day=1, days=2.0)
    assert c.cost.total_eur == pytest.approx(10.0)
    assert c.cost.to_dict()["reviews_per_day"] == pytest.approx(1.0)


def test_decide_uses_greater_or_equal() -> None:
    # the serving contract: p >= block blocks, review <= p < block reviews
    assert decide(np.array([0.2, 0.5, 0.49, 0.8]), 0.5, 0.8).tolist() == [0, 1, 0, 2]
    assert decide(np.array([0.3]), 0.3, 0.3).tolist() == [2]
