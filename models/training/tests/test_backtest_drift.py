import numpy as np
import pandas as pd
import pytest

from riskgate_training.backtest_drift import (drift_onset, drift_report, label_excess_by_day, missed_fraud_by_day,
                                             monitor_window, psi)
from riskgate_training.backtest_summary import drift_table
from riskgate_training.monitoring import bins

C = pd.Timestamp("2026-03-01", tz="UTC")
# fraud labels arrive evenly over the 30 days after the checkout
EXCESS_REF = {"label_delay_cdf": {"days": [0.0, 30.0], "share": [0.0, 1.0]}, "z": 3.0, "z_recent": 3.5,
              "recent_days": 56, "min_labels": 10, "from": "test"}


def test_psi_is_the_serving_formula() -> None:
    ref = {"edges": [1.0], "train_share": [0.5, 0.5]}
    assert psi(np.array([0.0, 0.0, 0.0, 2.0]), ref) == pytest.approx((0.75 - 0.5) * np.log(1.5) + (0.25 - 0.5) * np.log(0.5))
    assert psi(np.array([0.0, 2.0]), ref) == 0.0
    # an empty bin counts as the 1e-4 floor, not as log(0)
    assert psi(np.zeros(10), ref) == pytest.approx((1 - 0.5) * np.log(2) + (1e-4 - 0.5) * np.log(1e-4 / 0.5))


def _labels(days_after_c: list[float]) -> pd.Series:
    return pd.Series([C + pd.Timedelta(days=d) if d is not None else pd.NaT for d in days_after_c])


def test_the_missed_fraud_monitor_fires_when_labelled_fraud_scores_low_and_not_before_enough_labels() -> None:
    rng = np.random.default_rng(0)
    p_valid_fraud = rng.uniform(0.5, 0.9, 200)  # mean 0.7
    n = 60
    known = _labels([1.5 + i * 0.5 for i in range(n)] + [None] * 40)  # one label every 12 hours
    days = list(pd.date_range(C, periods=40, freq="D"))
    low = np.concatenate([np.full(n, 0.3), rng.uniform(0, 0.01, 40)])
    same = np.concatenate([rng.uniform(0.5, 0.9, n), rng.uniform(0, 0.01, 40)])
    scored = pd.Series(pd.date_range(C, periods=n + 40, freq="h"))
    fired = [d for d in missed_fraud_by_day(p_valid_fraud, low, known, scored, days) if d["alert"]]
    # labels by the end of day k: those at 1.5 + i/2 < k + 1 (i < 2k - 1): 19 by day 10, 21 by day 11
    assert fired[0]["day"] == "2026-03-12" and fired[0]["frauds_labelled"] == 21
    assert not any(d["alert"] for d in missed_fraud_by_day(p_valid_fraud, same, known, scored, days))


def test_fraud_that_drops_late_in_a_long_deployment_alerts_on_the_frauds_scored_since_the_drop() -> None:
    # 300 frauds over 30 days scored like the reference, then a day whose 25 frauds score 0.3: in the
    # 325 since the cut-off that is a drop of 0.03, inside the bar (2 standard errors: 0.046), but
    # the 25 scored since that day are far below theirs.
    rng = np.random.default_rng(3)
    p_valid_fraud = rng.normal(0.7, 0.2, 100)
    scored = pd.Series([C + pd.Timedelta(days=i // 10, hours=i % 10) for i in range(300)]
                       + [C + pd.Timedelta(days=30, hours=h % 20) for h in range(25)])
    p = np.concatenate([p_valid_fraud.mean() + rng.normal(0, 0.2, 300), rng.normal(0.3, 0.05, 25)])
    known = pd.Series([C + pd.Timedelta(days=40)] * 325)
    [day] = missed_fraud_by_day(p_valid_fraud, p, known, scored, [C + pd.Timedelta(days=40)])
    assert day["mean_p"] > day["alert_below"], "the test since the cut-off is diluted"
    assert day["alert"] and day["recent"]["alert"]
    assert day["recent"]["since"] == "2026-03-31" and day["recent"]["frauds_labelled"] == 25
    assert day["recent"]["mean_p"] < day["recent"]["alert_below"]


def test_onset_is_the_drift_start_inside_the_window_else_the_cut_off() -> None:
    end = C + pd.Timedelta(days=10)
    assert drift_onset("2026-03-04T00:00:00Z", C, end) == (pd.Timestamp("2026-03-04", tz="UTC"), True)
    assert drift_onset("2026-02-01T00:00:00Z", C, end) == (C, True)
    assert drift_onset("2026-03-20T00:00:00Z", C, end) == (C, False)
    assert drift_onset(None, C, end) == (C, False)


def test_a_shifted_feature_fires_feature_psi_on_its_day_with_the_lag_from_the_onset() -> None:
    rng = np.random.default_rng(1)
    X_fit = rng.normal(0, 1, (5000, 2))
    t_test = pd.Series(pd.date_range(C, periods=6001, freq="144s"))  # 10 days, 600 a day, one on day 11
    X_test = rng.normal(0, 1, (6001, 2))
    shifted = (t_test >= C + pd.Timedelta(days=6)).to_numpy()
    X_test[shifted, 1] += 2.0
    p_fit, p_test = rng.uniform(0, 1, 5000), rng.uniform(0, 1, 6001)
    report = monitor_window(["a", "b"], [False, False], X_fit, p_fit, X_test, p_test, t_test,
                            pd.Series([pd.NaT] * 6001, dtype="datetime64[ns, UTC]"),
                            p_fit[:50], EXCESS_REF, np.ones(6001, dtype=bool), C, C + pd.Timedelta(days=10),
                            C + pd.Timedelta(days=20), "2026-03-05T00:00:00Z")
    assert report["drift_in_window"]
    assert report["feature_psi"] == {"first_alert_day": "2026-03-07", "lag_days": 3.0}
    assert report["score_psi"]["first_alert_day"] is None and report["missed_fraud"]["first_alert_day"] is None
    assert report["label_excess"]["first_alert_day"] is None
    assert report["psi_by_day"][6]["max_feature"] == "b"
    assert len(report["psi_by_day"]) == 10  # the last day's single checkout is no window to alert on
    row = drift_table([{"seed": 1, "window": {"cutoff": "2026-03-01T00:00:00Z"}, "drift_in_test": 0.6,
                        "drift_monitors": report}])[2]
    assert "2026-03-07 (+3 d)" in row and "none" in row
    assert bins(X_fit[:, 1])["edges"]  # the reference is the served one (monitoring.bins)


def test_a_lifetime_counter_or_age_that_grows_after_the_cut_off_is_reported_but_never_alerts() -> None:
    rng = np.random.default_rng(2)
    X_fit = np.column_stack([rng.normal(0, 1, 5000), rng.poisson(2, 5000)])
    t_test = pd.Series(pd.date_range(C, periods=6000, freq="144s"))
    days_after = ((t_test - C) / pd.Timedelta(days=1)).to_numpy()
    # Every customer has paid a few more times since the model was fitted: the counter only grows.
    X_test = np.column_stack([rng.normal(0, 1, 6000), rng.poisson(2 + days_after)])
    p_fit, p_test = rng.uniform(0, 1, 5000), rng.uniform(0, 1, 6000)
    args = (X_fit, p_fit, X_test, p_test, t_test, pd.Series([pd.NaT] * 6000, dtype="datetime64[ns, UTC]"),
            p_fit[:50], EXCESS_REF, np.ones(6000, dtype=bool), C, C + pd.Timedelta(days=10),
            C + pd.Timedelta(days=20), None)
    aging = monitor_window(["amount", "payments"], [False, True], *args)
    assert aging["feature_psi"]["first_alert_day"] is None
    assert aging["max_aging_feature_psi"] > 0.25 and aging["max_feature_psi"] < 0.25
    assert aging["psi_by_day"][-1]["max_aging_feature"] == "payments"
    # The same counter, watched like any other feature, is a false alarm on a window without drift.
    watched = monitor_window(["amount", "payments"], [False, False], *args)
    assert watched["feature_psi"]["first_alert_day"] is not None


def test_the_label_excess_monitor_fires_once_allowed_fraud_outruns_its_scores() -> None:
    # 10 days of 3,000 allowed checkouts a day at p 0.002 (6 frauds a day predicted); from day 5,
    # 12 more a day turn out fraud, scored the same. Labels come 0-30 days after the checkout.
    rng = np.random.default_rng(4)
    n = 30_000
    t = pd.Series(C + pd.to_timedelta(np.sort(rng.uniform(0, 10, n)), unit="D"))
    days_in = ((t - C) / pd.Timedelta(days=1)).to_numpy()
    p = np.full(n, 0.002)
    fraud = (rng.random(n) < p) | ((days_in >= 5) & (rng.random(n) < 0.004))
    known = pd.Series(np.where(fraud, t + pd.to_timedelta(rng.uniform(0, 30, n), unit="D"), pd.NaT),
                      dtype="datetime64[ns, UTC]")
    days = list(pd.date_range(C, periods=40, freq="D"))
    fired = [d for d in label_excess_by_day(EXCESS_REF, p, t, known, days) if d["alert"]]
    assert fired and C + pd.Timedelta(days=5) < pd.Timestamp(fired[0]["day"], tz="UTC") <= C + pd.Timedelta(days=20)
    assert fired[0]["labels"] > fired[0]["expected"]
    # without the extra fraud: the same checkouts never alert
    honest = pd.Series(np.where(rng.random(n) < p, t + pd.to_timedelta(rng.uniform(0, 30, n), unit="D"), pd.NaT),
                       dtype="datetime64[ns, UTC]")
    assert not any(d["alert"] for d in label_excess_by_day(EXCESS_REF, p, t, honest, days))


def test_the_label_arrivals_test_fires_on_a_feed_that_breaks_and_not_on_a_whole_one() -> None:
    # 30,000 allowed checkouts over 10 days at p 0.002, each fraud labelled 0-30 days later (about
    # 2 labels a day arrive); from day 20 no label arrives any more
    rng = np.random.default_rng(5)
    n = 30_000
    t = pd.Series(C + pd.to_timedelta(np.sort(rng.uniform(0, 10, n)), unit="D"))
    p = np.full(n, 0.002)
    whole = pd.Series(np.where(rng.random(n) < p, t + pd.to_timedelta(rng.uniform(0, 30, n), unit="D"), pd.NaT),
                      dtype="datetime64[ns, UTC]")
    broken = whole.where(whole < C + pd.Timedelta(days=20))
    days = list(pd.date_range(C, periods=40, freq="D"))
    assert not any(d["arrivals"]["alert"] for d in label_excess_by_day(EXCESS_REF, p, t, whole, days))
    fired = [d for d in label_excess_by_day(EXCESS_REF, p, t, broken, days) if d["arrivals"]["alert"]]
    assert fired and C + pd.Timedelta(days=20) < pd.Timestamp(fired[0]["day"], tz="UTC") <= C + pd.Timedelta(days=27)
    # the week before the alert still holds the last labels from before the break
    assert fired[0]["arrivals"]["arrived"] < fired[0]["arrivals"]["expected"] / 4


def test_the_drift_table_says_when_a_window_never_predicts_enough_arrivals_to_test() -> None:
    rng = np.random.default_rng(6)
    t = pd.Series(C + pd.to_timedelta(np.sort(rng.uniform(0, 10, 3_000)), unit="D"))
    days = list(pd.date_range(C, periods=40, freq="D"))
    few = label_excess_by_day(EXCESS_REF, np.full(3_000, 0.002), t,
                              pd.Series([pd.NaT] * 3_000, dtype="datetime64[ns, UTC]"), days)
    report = drift_report([], [], few, np.array([0.5]), C, False)
    row = drift_table([{"seed": 1, "window": {"cutoff": "2026-03-01T00:00:00Z"}, "drift_in_test": 0.0,
                        "drift_monitors": report}])[2]
    assert report["max_expected_arrivals"] == pytest.approx(6 * 7 / 30, rel=0.05)
    assert "too few to test (at most 1.4 predicted a week)" in row
