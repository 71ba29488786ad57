"""The label-arrivals test (label_arrivals.py): fraud labels that stop arriving are seen within days."""

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm, poisson

from riskgate_training import label_arrivals as la
from riskgate_training import label_excess as le
from riskgate_training import missed_fraud
from riskgate_training import monitor_power as power
from riskgate_training.missed_fraud_monitor import main

DAY = le.DAY_NS
REF = le.reference(power.EmpiricalCdf(power.label_delays(np.random.default_rng(0), 20_000)), 60, "test")
LINEAR_30 = {"label_delay_cdf": {"days": [0.0, 30.0], "share": [0.0, 1.0]}, "from": "test: evenly over 30 days"}


def _arrivals_first_alert(seed: int, runs: int, per_day: int, scenario: str, onset: float = 10) -> list[int | None]:
    rng = np.random.default_rng(seed)
    return [power.first_alerts(power.simulate(rng, per_day, 30, scenario, onset=onset), REF,
                               missed_fraud.reference(power.validation_frauds(rng, 150)))[2] for _ in range(runs)]


def test_the_expected_arrivals_are_the_scores_times_the_delay_curve_over_the_window() -> None:
    # 100 checkouts at p 0.1 scored on day 0, labels spread evenly over 30 days: by day 20 the last 7
    # days hold 7/30 of their labels, 100 * 0.1 * 7/30 = 2.33; one checkout scored on day 18 adds
    # 0.1 * 2/30 (it is 2 days old, so only 2 of its days fall in the window)
    p = np.array([0.1] * 100 + [0.1])
    scored = np.array([0] * 100 + [18 * DAY], dtype=np.int64)
    never = np.iinfo(np.int64).max
    labelled = np.array([15 * DAY, 12 * DAY] + [never] * 99, dtype=np.int64)
    r = la.check(LINEAR_30, p, scored, labelled, 20 * DAY)
    assert r["expected"] == pytest.approx(10 * 7 / 30 + 0.1 * 2 / 30)
    # the label of day 12 is older than the window; one arrived in it
    assert (r["arrived"], r["days"]) == (1, 7.0)
    assert r["z"] == pytest.approx(norm.isf(poisson.cdf(1, r["expected"])))
    assert not r["alert"]  # fewer than 10 predicted: no shortfall can be significant


def test_no_arrival_where_many_are_predicted_alerts_and_as_many_as_predicted_pass() -> None:
    p = np.full(3_000, 0.01)
    scored = np.zeros(3_000, dtype=np.int64)
    never = np.iinfo(np.int64).max
    silent = la.check(LINEAR_30, p, scored, np.full(3_000, never, dtype=np.int64), 20 * DAY)
    assert silent["expected"] == pytest.approx(7.0) and not silent["alert"]  # under the minimum
    wide = la.check(LINEAR_30, np.full(6_000, 0.01), np.zeros(6_000, dtype=np.int64),
                    np.full(6_000, never, dtype=np.int64), 20 * DAY)
    assert wide["expected"] == pytest.approx(14.0) and wide["arrived"] == 0
    assert wide["alert"] and wide["z"] > la.Z_SHORTFALL
    labels = np.full(6_000, never, dtype=np.int64)
    labels[:14] = 16 * DAY
    assert not la.check(LINEAR_30, np.full(6_000, 0.01), np.zeros(6_000, dtype=np.int64), labels, 20 * DAY)["alert"]


def test_a_label_feed_that_stops_is_seen_within_a_week() -> None:
    # ten days after the model's last checkout, when its labels arrive fastest (about 20 a week here)
    first = _arrivals_first_alert(5, 5, 3_000, "labels stop arriving", onset=40)
    assert all(a is not None and 40 < a <= 47 for a in first), first


def _monitor(tmp_path: Path, labels: list[dict]) -> tuple[int, dict, str]:
    """20,000 checkouts this model allowed at p 0.01 over March 1-20 (1,000 a day); the monitor runs
    on April 15, when their labels, evenly spread over 30 days, predict about 19 arrivals in the
    last week. The frauds' scores match the missed-fraud reference: only label counts can alert."""
    model = {"name": "riskgate-fraud", "version": "v1"}
    decisions = [{"kind": "decision", "event_id": f"x{i}", "score": 0.01, "model": model, "decision": "allow",
                  "scored_at": f"2026-03-{1 + i % 20:02d}T08:00:00Z"} for i in range(20_000)]
    reference = {"mean_p": 0.01, "sd_p": 0.01, "frauds": 100, "z": 2.0, "min_frauds": 20, "from": "test"}
    d = tmp_path / "model"
    d.mkdir()
    (d / "manifest.json").write_text(json.dumps({**model, "monitoring": {"missed_fraud": reference,
                                                                         "label_excess": LINEAR_30}}))
    paths = []
    for name, rows in (("d.jsonl", decisions), ("l.jsonl", labels)):
        paths.append(tmp_path / name)
        paths[-1].write_text("".join(json.dumps(r) + "\n" for r in rows))
    out, prom = tmp_path / "result.json", tmp_path / "riskgate.prom"
    code = main(["--decisions", str(paths[0]), "--labels", str(paths[1]), "--model", str(d),
                 "--as-of", "2026-04-15T00:00:00Z", "--json", str(out), "--textfile", str(prom)])
    return code, json.loads(out.read_text()), prom.read_text()


def _labels(n: int, day: str, offset: int = 0) -> list[dict]:
    return [{"type": "chargeback", "checkout_event_id": f"x{offset + i}", "label": "fraud",
             "occurred_at": f"{day}T00:00:00Z"} for i in range(n)]


def test_the_monitor_reports_a_label_feed_that_stopped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # labels came until April 5, then none: the chargeback feed broke
    code, r, prom = _monitor(tmp_path, _labels(120, "2026-03-25") + _labels(30, "2026-04-05", 120))
    arrivals = r["label_excess"]["arrivals"]
    assert arrivals["arrived"] == 0 and arrivals["expected"] > 15 and arrivals["alert"]
    assert code == 1 and not r["alert"]  # no missed fraud: the labels, not the model, went missing
    assert 'riskgate_missed_fraud_label_shortfall_alert{model="riskgate-fraud/v1"} 1.0' in prom
    assert f'riskgate_missed_fraud_expected_arrivals{{model="riskgate-fraud/v1"}} {arrivals["expected"]!r}' in prom
    assert 'riskgate_missed_fraud_label_arrivals{model="riskgate-fraud/v1"} 0.0' in prom
    assert "fraud labels that arrived in the last 7 days: 0" in capsys.readouterr().out


def test_the_monitor_passes_labels_that_keep_arriving(tmp_path: Path) -> None:
    code, r, prom = _monitor(tmp_path, _labels(120, "2026-03-25") + _labels(20, "2026-04-12", 120))
    arrivals = r["label_excess"]["arrivals"]
    assert arrivals["arrived"] == 20 and not arrivals["alert"] and code == 0
    assert 'riskgate_missed_fraud_label_shortfall_alert{model="riskgate-fraud/v1"} 0.0' in prom
