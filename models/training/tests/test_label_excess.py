import numpy as np
import pytest
from scipy.stats import norm, poisson

from riskgate_training import label_excess as le
from riskgate_training import missed_fraud
from riskgate_training import monitor_power as power

DAY = le.DAY_NS


REF = le.reference(power.EmpiricalCdf(power.label_delays(np.random.default_rng(0), 20_000)), 60, "test")


def _runs(seed: int, runs: int, per_day: int, scenario: str) -> list[tuple[int | None, int | None, int | None]]:
    """First alert day of (label excess, score mean, label arrivals) in each simulated deployment (monitor_power.py)."""
    rng = np.random.default_rng(seed)
    return [power.first_alerts(power.simulate(rng, per_day, 30, scenario, onset=10), REF,
                               missed_fraud.reference(power.validation_frauds(rng, 150))) for _ in range(runs)]


def test_labels_drawn_from_the_served_scores_rarely_alert_over_a_90_day_daily_run() -> None:
    runs = _runs(11, 30, 1_000, "null")
    # the thresholds aim at a few percent of runs; 3 of 30 would already be twice that. The same
    # runs hold the label-arrivals test (label_arrivals.py) to its own false alarms.
    excess = [e for e, _, _ in runs if e is not None]
    short = [a for _, _, a in runs if a is not None]
    assert len(excess) <= 2 and len(short) <= 2, (excess, short)


def test_fraud_the_scores_miss_alerts_within_weeks_of_its_onset() -> None:
    first = [e for e, _, _ in _runs(5, 5, 3_000, "unseen fraud")]
    assert all(e is not None and 10 < e <= 10 + 30 for e in first), first


def test_more_fraud_at_the_same_scores_is_seen_by_the_label_count_more_than_by_the_frauds_mean_score() -> None:
    # a prior shift: every checkout 1.6 x as likely to be fraud as its score says, from day 10
    runs = _runs(3, 8, 3_000, "more fraud at the same scores")
    excess = sum(e is not None and e > 10 for e, _, _ in runs)
    assert excess >= 7 and excess > sum(m is not None for _, m, _ in runs), runs


def test_more_labels_than_predicted_alerts_fewer_does_not() -> None:
    p = np.full(1_000, 0.02)  # 20 expected once every label is in
    scored = np.zeros(1_000, dtype=np.int64)
    as_of = 90 * DAY
    many, few = np.zeros(1_000, dtype=bool), np.zeros(1_000, dtype=bool)
    many[:45], few[:5] = True, True
    hi = le.check(REF, p, scored, many, as_of)
    lo = le.check(REF, p, scored, few, as_of)
    assert hi["expected"] == pytest.approx(20.0) and hi["labels"] == 45
    assert hi["z"] == pytest.approx(norm.isf(poisson.sf(44, 20.0))) and hi["z"] > le.Z_CUMULATIVE
    assert hi["alert"] and hi["cumulative_alert"]
    assert lo["z"] < 0 and not lo["alert"]


def test_labels_still_on_their_way_are_not_expected_yet() -> None:
    p = np.full(1_000, 0.02)
    scored = np.zeros(1_000, dtype=np.int64)
    labelled = np.zeros(1_000, dtype=bool)
    # a day after scoring only the fast review outcomes can be in: ~20 % of labels x (1 - 0.5) / 2.5
    early = le.check(REF, p, scored, labelled, 1 * DAY)
    assert early["expected"] == pytest.approx(20 * 0.2 * 0.5 / 2.5, rel=0.1)
    # at 35 days, the reviews and the chargebacks' triangular(10, 24, 60) CDF: 1 - 25^2 / (50 x 36)
    later = le.check(REF, p, scored, labelled, 35 * DAY)["expected"]
    assert later == pytest.approx(20 * (0.2 + 0.8 * (1 - 25**2 / (50 * 36))), rel=0.05)
    assert le.known_share(REF, np.array([-1.0, 60.0, 400.0])).tolist() == [0.0, 1.0, 1.0]


def test_too_few_labels_never_alert_however_unlikely() -> None:
    p = np.full(10_000, 1e-5)  # 0.1 expected
    labelled = np.zeros(10_000, dtype=bool)
    labelled[: le.MIN_LABELS - 1] = True
    r = le.check(REF, p, np.zeros(10_000, dtype=np.int64), labelled, 90 * DAY)
    assert r["z"] > 5 and not r["alert"]
    # no label yet is a tail of 1: a very negative z, still a number for the JSON and the gauges
    assert le.tail_z(0, 20.0) == -le.Z_LIMIT and le.tail_z(3, 0.0) == le.Z_LIMIT


def test_a_late_burst_alerts_on_the_checkouts_scored_since_its_day() -> None:
    # 60 days of 1,000 checkouts a day at p 0.01 whose labels all arrived as predicted, then a day
    # with 25 labels where 10 were expected: diluted in the 610 since the start, plain since that day.
    days = 61
    p = np.full(days * 1_000, 0.01)
    scored = np.repeat(np.arange(days, dtype=np.int64) * DAY, 1_000)
    labelled = np.zeros(len(p), dtype=bool)
    labelled[np.arange(0, 60_000, 100)] = True
    labelled[60_000:60_025] = True
    r = le.check(REF, p, scored, labelled, (days + 200) * DAY)
    assert not r["cumulative_alert"]
    assert r["alert"] and r["recent"]["alert"] and r["recent"]["since"] == "1970-03-02"
    assert (r["recent"]["labels"], r["recent"]["expected"]) == (25, pytest.approx(10.0))


def test_the_delay_table_keeps_the_cdf_and_nothing_is_expected_of_no_checkouts() -> None:
    cdf = power.EmpiricalCdf(np.array([1.0, 2.0, 3.0, 4.0]))
    table = le.delay_table(cdf, 4)
    assert table["days"][:5] == [0.0, 0.25, 0.5, 0.75, 1.0] and table["days"][-1] == 4.0
    assert table["share"][4] == 0.25 and table["share"][-1] == 1.0
    r = le.check(REF, np.array([]), np.array([], dtype=np.int64), np.array([], dtype=bool), DAY)
    assert r["labels"] == 0 and r["z"] is None and not r["alert"]
