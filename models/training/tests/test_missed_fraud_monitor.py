"""`npm run monitor`: the missed-fraud test on a deployed model's decision log and labels."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from riskgate_training import missed_fraud
from riskgate_training.evaluate_artifact import validation_fraud_scores
from riskgate_training.missed_fraud_monitor import main

MODEL = {"name": "riskgate-fraud", "version": "v1"}
REFERENCE = {"mean_p": 0.6, "sd_p": 0.2, "frauds": 100, "z": 2.0, "min_frauds": 20, "from": "test"}


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _model_dir(tmp_path: Path, reference: dict | None = REFERENCE) -> Path:
    d = tmp_path / "model"
    d.mkdir()
    monitoring = {"missed_fraud": reference} if reference else {}
    (d / "manifest.json").write_text(json.dumps({**MODEL, "monitoring": monitoring}))
    return d


def _world(tmp_path: Path, fraud_scores: list[float]) -> tuple[Path, Path]:
    """Decisions of this model for each labelled fraud (and records the monitor must ignore), and
    their labels: each fraud labelled by a review on day 2, then again by a chargeback later."""
    decisions, labels = [], []
    for i, p in enumerate(fraud_scores):
        eid = f"c{i}"
        decisions.append({"kind": "decision", "event_id": eid, "score": p, "model": MODEL, "mode": "normal",
                          "scored_at": f"2026-03-{1 + i % 14:02d}T10:00:00Z"})
        # another model's opinion of the same checkout, and a legit label: never counted
        decisions.append({"kind": "shadow", "event_id": eid, "score": 0.99, "model": {**MODEL, "version": "v2"}})
        labels.append({"type": "review_outcome", "checkout_event_id": eid, "label": "fraud",
                       "occurred_at": "2026-03-20T00:00:00Z"})
        labels.append({"type": "chargeback", "checkout_event_id": eid, "label": "fraud",
                       "occurred_at": "2026-04-20T00:00:00Z"})
    decisions += [
        {"kind": "decision", "event_id": "rules", "score": None, "model": None, "mode": "rules_only"},
        {"kind": "decision", "event_id": "old", "score": 0.0, "model": {**MODEL, "version": "v0"}},
        {"kind": "decision", "event_id": "ok", "score": 0.001, "model": MODEL, "mode": "normal"},
    ]
    labels += [
        {"type": "chargeback", "checkout_event_id": "old", "label": "fraud", "occurred_at": "2026-03-20T00:00:00Z"},
        {"type": "review_outcome", "checkout_event_id": "ok", "label": "legit", "occurred_at": "2026-03-20T00:00:00Z"},
        {"type": "chargeback", "checkout_event_id": "late", "label": "fraud", "occurred_at": "2026-05-20T00:00:00Z"},
    ]
    return _jsonl(tmp_path / "decisions.jsonl", decisions), _jsonl(tmp_path / "labels.jsonl", labels)


def _run(tmp_path: Path, scores: list[float], *extra: str, reference: dict | None = REFERENCE) -> tuple[int, dict, str]:
    decisions, labels = _world(tmp_path, scores)
    model = _model_dir(tmp_path, reference)
    out, prom = tmp_path / "result.json", tmp_path / "riskgate.prom"
    code = main(["--decisions", str(decisions), "--labels", str(labels), "--model", str(model), "--as-of",
                 "2026-04-01T00:00:00Z", "--json", str(out), "--textfile", str(prom), *extra])
    return code, json.loads(out.read_text()) if out.exists() else {}, prom.read_text() if prom.exists() else ""


def test_frauds_scored_like_the_reference_pass(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    code, r, prom = _run(tmp_path, list(np.clip(rng.normal(0.6, 0.2, 40), 0, 1)))
    assert code == 0 and not r["alert"]
    # the 40 frauds of this model; not the other version's, not the label after --as-of
    assert r["frauds_labelled"] == 40 and r["decisions_scored"] == 41 and r["fraud_labels"] == 41
    assert 'riskgate_missed_fraud_alert{model="riskgate-fraud/v1"} 0.0' in prom
    assert 'riskgate_missed_fraud_labelled_frauds{model="riskgate-fraud/v1"} 40.0' in prom


def test_frauds_the_model_now_scores_low_alert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scores = [0.6] * 20 + [0.05] * 20  # half the frauds labelled since got through at p 0.05
    code, r, prom = _run(tmp_path, scores)
    assert code == 1 and r["alert"]
    assert r["mean_p"] == pytest.approx(0.325)
    assert r["alert_below"] == pytest.approx(0.6 - 2 * 0.2 * np.sqrt(1 / 40 + 1 / 100))
    assert 'riskgate_missed_fraud_alert{model="riskgate-fraud/v1"} 1.0' in prom
    assert "ALERT" in capsys.readouterr().out
    # the weeks the frauds were scored in, for the operator looking for where it started
    assert sum(w["frauds"] for w in r["by_week"]) == 40
    assert main(["--decisions", str(tmp_path / "decisions.jsonl"), "--labels", str(tmp_path / "labels.jsonl"),
                 "--model", str(tmp_path / "model"), "--as-of", "2026-04-01", "--report-only"]) == 0


def test_a_drop_late_in_a_long_deployment_alerts_on_the_frauds_scored_since(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    # Two months of frauds scored like the reference, then 25 in the last two days at p 0.2: among
    # all 325 the mean moves by 0.03, inside the bar; the 25 scored since Mar 31 are far below it.
    rng = np.random.default_rng(5)
    scores = list(np.clip(rng.normal(0.6, 0.2, 300), 0, 1)) + [0.2] * 25
    scored = [f"2026-{1 + (i // 10) // 28 + 1:02d}-{1 + (i // 10) % 28:02d}T10:00:00Z" for i in range(300)]
    scored += [f"2026-03-{30 + i % 2:02d}T12:00:00Z" for i in range(25)]
    decisions = [{"kind": "decision", "event_id": f"c{i}", "score": p, "model": MODEL, "scored_at": t}
                 for i, (p, t) in enumerate(zip(scores, scored, strict=True))]
    labels = [{"type": "chargeback", "checkout_event_id": f"c{i}", "label": "fraud",
               "occurred_at": "2026-04-15T00:00:00Z"} for i in range(325)]
    model = _model_dir(tmp_path)
    out, prom = tmp_path / "result.json", tmp_path / "riskgate.prom"
    code = main(["--decisions", str(_jsonl(tmp_path / "d.jsonl", decisions)), "--labels",
                 str(_jsonl(tmp_path / "l.jsonl", labels)), "--model", str(model), "--as-of", "2026-04-16",
                 "--json", str(out), "--textfile", str(prom)])
    r = json.loads(out.read_text())
    assert code == 1 and r["alert"] and not r["cumulative_alert"]
    assert r["recent"]["since"] == "2026-03-30" and r["recent"]["frauds_labelled"] == 25
    text = prom.read_text()
    assert 'riskgate_missed_fraud_alert{model="riskgate-fraud/v1"} 1.0' in text
    gauge = next(line for line in text.splitlines() if line.startswith("riskgate_missed_fraud_recent_mean_score{"))
    assert float(gauge.split()[-1]) == pytest.approx(0.2)
    assert f'riskgate_missed_fraud_recent_since_timestamp_seconds{{model="riskgate-fraud/v1"}} {1774828800.0!r}' in text
    assert "scored since 2026-03-30" in capsys.readouterr().out


def test_a_drop_within_the_references_own_sampling_error_does_not_alert() -> None:
    # 400 frauds labelled, scored 0.04 below a reference taken on 100 validation frauds: the
    # reference's mean is itself uncertain by 0.2 / sqrt(100) = 0.02, so this is 4 standard errors
    # of the test's 400 alone (the old bar alerted) but 1.8 of the difference of the two means
    r = missed_fraud.check(REFERENCE, np.full(400, 0.56))
    assert not r["alert"] and r["alert_below"] == pytest.approx(0.6 - 2 * 0.2 * np.sqrt(1 / 400 + 1 / 100))
    assert missed_fraud.check(REFERENCE, np.full(400, 0.50))["alert"], "a drop of 0.10 still alerts"


def test_too_few_labels_never_alert(tmp_path: Path) -> None:
    code, r, prom = _run(tmp_path, [0.01] * 19)
    assert code == 0 and not r["alert"] and r["frauds_labelled"] == 19


def test_before_the_first_label_the_gauges_say_nan(tmp_path: Path) -> None:
    code, r, prom = _run(tmp_path, [])
    assert code == 0 and r["frauds_labelled"] == 0
    assert 'riskgate_missed_fraud_mean_score{model="riskgate-fraud/v1"} NaN' in prom


def test_a_manifest_without_a_reference_needs_its_training_table(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = _run(tmp_path, [0.5] * 30, reference=None)
    assert code == 2 and "--table" in capsys.readouterr().err


def test_training_writes_the_reference_and_the_table_reproduces_it(trained, table_dir: Path, tmp_path: Path) -> None:
    ref = trained.manifest["monitoring"]["missed_fraud"]
    assert ref["frauds"] == trained.manifest["split"]["fraud_rows"]["valid"]
    assert 0 < ref["mean_p"] < 1 and ref["sd_p"] > 0
    # an artifact whose manifest predates the block: the table gives the same reference
    old = tmp_path / "old"
    shutil.copytree(trained.artifact_dir, old)
    manifest = json.loads((old / "manifest.json").read_text())
    del manifest["monitoring"]["missed_fraud"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    again = missed_fraud.reference(validation_fraud_scores(old, table_dir))
    assert again["frauds"] == ref["frauds"]
    assert again["mean_p"] == pytest.approx(ref["mean_p"], rel=1e-6)
    assert again["sd_p"] == pytest.approx(ref["sd_p"], rel=1e-6)


def test_pushes_the_gauges_to_a_pushgateway_grouped_by_model(tmp_path: Path) -> None:
    import base64
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    got: list[tuple[str, str, str]] = []

    class Gateway(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            got.append((self.command, self.path, body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        code, _, prom = _run(tmp_path, [0.05] * 25, "--pushgateway", f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
    assert code == 1
    group = base64.urlsafe_b64encode(b"riskgate-fraud/v1").decode()
    assert got == [("PUT", f"/metrics/job/riskgate_missed_fraud_monitor/model@base64/{group}", prom)]


def test_an_unreachable_pushgateway_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = _run(tmp_path, [0.5] * 25, "--pushgateway", "http://127.0.0.1:9")
    assert code == 2 and "pushing to" in capsys.readouterr().err



LINEAR_30 = {"label_delay_cdf": {"days": [0.0, 30.0], "share": [0.0, 1.0]}, "z": 3.0, "z_recent": 3.5,
             "recent_days": 56, "min_labels": 10, "from": "test: labels arrive evenly over 30 days"}
# frauds scored like the checkouts below: the missed-fraud test has nothing to say about them
LOW_REFERENCE = {"mean_p": 0.005, "sd_p": 0.01, "frauds": 100, "z": 2.0, "min_frauds": 20, "from": "test"}


def _run_excess(tmp_path: Path, labelled: int) -> tuple[int, dict, str]:
    """2,000 checkouts this model allowed at p 0.005 over March 1-10 (10 fraud labels once every
    label is in), `labelled` of them fraud-labelled by April 10; the monitor runs on April 15, when
    every label is due. Also records the test must leave out: a blocked and a reviewed checkout
    with fraud labels (never paid; labelled by its review), one without a time."""
    decisions = [{"kind": "decision", "event_id": f"x{i}", "score": 0.005, "model": MODEL, "decision": "allow",
                  "scored_at": f"2026-03-{1 + i % 10:02d}T08:00:00Z"} for i in range(2_000)]
    decisions += [{"kind": "decision", "event_id": "blocked", "score": 0.9, "model": MODEL, "decision": "block",
                   "scored_at": "2026-03-02T08:00:00Z"},
                  {"kind": "decision", "event_id": "reviewed", "score": 0.2, "model": MODEL, "decision": "review",
                   "scored_at": "2026-03-02T08:00:00Z"},
                  {"kind": "decision", "event_id": "no-time", "score": 0.005, "model": MODEL, "decision": "allow"}]
    labels = [{"type": "chargeback", "checkout_event_id": f"x{i}", "label": "fraud",
               "occurred_at": "2026-04-10T00:00:00Z"} for i in range(labelled)]
    labels += [{"type": "review_outcome", "checkout_event_id": eid, "label": "fraud",
                "occurred_at": "2026-03-03T00:00:00Z"} for eid in ("blocked", "reviewed")]
    d = tmp_path / "model"
    d.mkdir()
    (d / "manifest.json").write_text(json.dumps({**MODEL, "monitoring": {"missed_fraud": LOW_REFERENCE,
                                                                         "label_excess": LINEAR_30}}))
    out, prom = tmp_path / "result.json", tmp_path / "riskgate.prom"
    code = main(["--decisions", str(_jsonl(tmp_path / "d.jsonl", decisions)), "--labels",
                 str(_jsonl(tmp_path / "l.jsonl", labels)), "--model", str(d), "--as-of", "2026-04-15T00:00:00Z",
                 "--json", str(out), "--textfile", str(prom)])
    return code, json.loads(out.read_text()), prom.read_text()


def test_more_fraud_labels_than_the_served_scores_predict_alert(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    # 30 of the allowed checkouts turned out fraud where their scores predicted 10: fraud the model
    # scores low. The frauds' scores match the missed-fraud reference, so only this test sees it.
    code, r, prom = _run_excess(tmp_path, 30)
    assert code == 1 and r["alert"] and not r["cumulative_alert"] and not r["recent"]["alert"]
    e = r["label_excess"]
    assert (e["checkouts"], e["labels"]) == (2_000, 30) and e["expected"] == pytest.approx(10.0)
    assert e["alert"] and e["cumulative_alert"] and e["z"] > 3.0
    assert 'riskgate_missed_fraud_alert{model="riskgate-fraud/v1"} 1.0' in prom
    assert f'riskgate_missed_fraud_expected_labels{{model="riskgate-fraud/v1"}} {e["expected"]!r}' in prom
    assert f'riskgate_missed_fraud_excess_z{{model="riskgate-fraud/v1"}} {e["z"]!r}' in prom
    assert "allowed: 30, its served scores predict 10.0 by now" in capsys.readouterr().out


def test_as_many_labels_as_predicted_pass_and_a_manifest_without_the_cdf_skips_the_test(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    code, r, _ = _run_excess(tmp_path / "a", 10)
    assert code == 0 and not r["alert"] and r["label_excess"]["labels"] == 10
    assert r["label_excess"]["z"] < 3.0
    (tmp_path / "b").mkdir()
    code, r, prom = _run(tmp_path / "b", [0.6] * 25)
    assert code == 0 and r["label_excess"] is None
    assert 'riskgate_missed_fraud_excess_z{model="riskgate-fraud/v1"} NaN' in prom


def test_training_writes_the_label_delay_cdf_and_the_table_reproduces_it(trained, table_dir: Path) -> None:
    from riskgate_training.label_excess_monitor import excess_reference_of

    ref = trained.manifest["monitoring"]["label_excess"]
    share = ref["label_delay_cdf"]["share"]
    assert ref["label_delay_cdf"]["days"][-1] == trained.manifest["labels"]["maturity_days"]
    assert share[0] >= 0 and share[-1] == 1.0 and all(b >= a for a, b in zip(share, share[1:]))
    manifest = json.loads(json.dumps(trained.manifest))
    del manifest["monitoring"]["label_excess"]
    assert excess_reference_of(manifest, str(table_dir)) == ref
    assert excess_reference_of(manifest, None) is None
