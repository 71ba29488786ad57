"""`npm run monitor`: the missed-fraud tests (missed_fraud.py, label_excess.py) on what a deployed
model decided.

Joins the decision log (JSONL of decisions-topic records: `kind`, `event_id`, `score`, `model`,
`scored_at`) with the label stream (JSONL of `chargeback` / `review_outcome` events:
`checkout_event_id`, `label`, `occurred_at`) and asks two things of the checkouts this model
version scored: do the frauds labelled so far get a lower served score than the frauds it was
calibrated on (the manifest's `monitoring.missed_fraud`), and have more fraud labels arrived on the
checkouts it allowed than their served scores predict, given how long labels take
(`monitoring.label_excess`)? And, with the same delay curve, are fraud labels still arriving as
fast as those scores predict (label_arrivals.py: a broken label feed)? For a model trained before
those blocks existed, --table computes them from its own training table. Run it daily (cron, a
Kubernetes CronJob) with --textfile pointing into node_exporter's textfile directory, or
--pushgateway: Prometheus then alerts on it (RiskgateMissedFraud, RiskgateFraudLabelsShortfall, and
RiskgateMissedFraudMonitorStale when the job stops reporting).

Exit 0 when every test passes or too few labels are in, 1 when one alerts (0 with --report-only),
2 on bad input.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.request import Request, urlopen

import pandas as pd

from riskgate_training import missed_fraud
from riskgate_training.label_excess_monitor import excess_of, excess_reference_of, excess_report

METRIC_HELP = {
    "riskgate_missed_fraud_labelled_frauds": "Frauds labelled so far among the checkouts this model scored",
    "riskgate_missed_fraud_mean_score": "Mean served score on those frauds (NaN before the first)",
    "riskgate_missed_fraud_reference_mean_score": "Mean score on the frauds the model was calibrated on",
    "riskgate_missed_fraud_alert_below": "The mean served score below which the test alerts (NaN before the first)",
    "riskgate_missed_fraud_alert": ("1 when the frauds labelled so far, or those scored since a later day, are scored"
                                    " significantly lower than the reference"),
    "riskgate_missed_fraud_recent_mean_score": ("Mean served score on the frauds scored since the day furthest below"
                                                " the reference (NaN when no later day has enough labelled frauds)"),
    "riskgate_missed_fraud_recent_alert_below": "The mean below which the frauds scored since that day alert",
    "riskgate_missed_fraud_recent_since_timestamp_seconds": "That day (UTC midnight)",
    "riskgate_missed_fraud_expected_labels": ("Fraud labels the served scores predict by now on the checkouts this model"
                                              " allowed, label delay included (NaN when the manifest has no label-delay"
                                              " CDF)"),
    "riskgate_missed_fraud_excess_z": ("How far the fraud labels run ahead of that prediction: one-sided Poisson tail"
                                       " as a z (NaN as above)"),
    "riskgate_missed_fraud_recent_excess_z": ("The same for the checkouts scored since the day furthest ahead (NaN when"
                                              " no later day has enough labels)"),
    "riskgate_missed_fraud_expected_arrivals": ("Fraud labels the served scores predict to have arrived in the last"
                                                " days (label_arrivals.py) on the checkouts this model allowed (NaN as"
                                                " above)"),
    "riskgate_missed_fraud_label_arrivals": "Fraud labels that did arrive on them in those days (NaN as above)",
    "riskgate_missed_fraud_arrivals_shortfall_z": ("How far the arrivals fall short of the prediction: one-sided"
                                                   " Poisson tail as a z (NaN as above)"),
    "riskgate_missed_fraud_label_shortfall_alert": ("1 when significantly fewer fraud labels arrived than predicted: a"
                                                    " label feed broken, or a model pricing too high (NaN as above)"),
    "riskgate_missed_fraud_last_run_timestamp_seconds": "When the monitor last ran",
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="npm run monitor --", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--decisions", required=True, help="decision log JSONL (decisions-topic records)")
    p.add_argument("--labels", required=True, help="label events JSONL (chargeback, review_outcome)")
    p.add_argument("--model", default=None, help="artifact version directory (default: the champion)")
    p.add_argument("--table", default=None,
                   help="the model's training table, for a manifest without monitoring.missed_fraud")
    p.add_argument("--as-of", default=None, help="count labels that arrived before this ISO time (default: now)")
    p.add_argument("--textfile", default=None, help="write the gauges here (Prometheus text format, atomically)")
    p.add_argument("--pushgateway", default=None,
                   help="push the gauges to this Prometheus Pushgateway (grouped by job and model)")
    p.add_argument("--json", dest="json_out", default=None, help="also write the result as JSON here")
    p.add_argument("--report-only", action="store_true", help="exit 0 even when the test alerts")
    return p


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open() as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{n}: not JSON ({e.msg})") from None


def _utc(value: str) -> pd.Timestamp:
    t = pd.Timestamp(value)
    return t.tz_localize("UTC") if t.tz is None else t.tz_convert("UTC")


def served_scores(path: Path, name: str, version: str) -> dict[str, tuple[float, str, str]]:
    """event_id -> (score, scored_at, decision) of the decisions this model version made (a numeric score:
    rules-only and degraded decisions carry none). Shadow records are other models' scores."""
    out: dict[str, tuple[float, str, str]] = {}
    for r in _jsonl(path):
        model, score = r.get("model") or {}, r.get("score")
        if (r.get("kind") == "decision" and model.get("name") == name and model.get("version") == version
                and isinstance(score, (int, float)) and math.isfinite(score)):
            out[str(r["event_id"])] = (float(score), str(r.get("scored_at") or r.get("occurred_at") or ""),
                                       str(r.get("decision") or ""))
    return out


def fraud_labelled_at(path: Path, as_of: pd.Timestamp) -> dict[str, pd.Timestamp]:
    """checkout event id -> when its first fraud label arrived, for labels before as_of."""
    first: dict[str, pd.Timestamp] = {}
    for r in _jsonl(path):
        if r.get("label") != "fraud" or not r.get("checkout_event_id"):
            continue
        at = _utc(str(r["occurred_at"]))
        key = str(r["checkout_event_id"])
        if at < as_of and (key not in first or at < first[key]):
            first[key] = at
    return first


def reference_of(manifest: dict[str, Any], model_dir: Path, table: str | None) -> dict[str, Any]:
    block = manifest.get("monitoring", {}).get("missed_fraud")
    if block:
        return block
    if not table:
        raise ValueError(f"{model_dir / 'manifest.json'} has no monitoring.missed_fraud (trained before it existed): "
                         "pass --table with the model's training table to compute it")
    from riskgate_training.evaluate_artifact import validation_fraud_scores

    return missed_fraud.reference(validation_fraud_scores(model_dir, Path(table)))


def by_week(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """The labelled frauds by the week their checkout was scored: where a fall in the mean starts."""
    if rows.empty:
        return []
    week = rows["scored_at"].dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
    g = rows.groupby(week)["score"].agg(["size", "mean"])
    return [{"week_of": f"{w:%Y-%m-%d}", "frauds": int(n), "mean_p": float(m)} for w, (n, m) in g.iterrows()]


def run(decisions: Path, labels: Path, model_dir: Path, table: str | None, as_of: pd.Timestamp) -> dict[str, Any]:
    manifest = json.loads((model_dir / "manifest.json").read_text())
    name, version = manifest["name"], manifest["version"]
    ref = reference_of(manifest, model_dir, table)
    excess_ref = excess_reference_of(manifest, table)
    served = served_scores(decisions, name, version)
    labelled = fraud_labelled_at(labels, as_of)
    hits = [(eid, *served[eid][:2], at) for eid, at in labelled.items() if eid in served]
    rows = pd.DataFrame(hits, columns=["event_id", "score", "scored_at", "labelled_at"])
    rows["scored_at"] = pd.to_datetime(rows["scored_at"], utc=True)
    scored_ns = rows["scored_at"].dt.as_unit("ns").astype("int64").to_numpy()
    result = {"model": f"{name}/{version}", "as_of": as_of.isoformat(), "decisions_scored": len(served),
              "fraud_labels": len(labelled), "reference": ref,
              **missed_fraud.check(ref, rows["score"].to_numpy(), scored_ns), "by_week": by_week(rows)}
    result["label_excess"] = None if excess_ref is None else excess_of(excess_ref, served, labelled, as_of)
    result["alert"] = bool(result["alert"] or (result["label_excess"] or {}).get("alert"))
    return result


def textfile(result: dict[str, Any], now: float) -> str:
    recent = result.get("recent") or {}
    excess = result.get("label_excess") or {}
    arrivals = excess.get("arrivals") or {}
    since = pd.Timestamp(recent["since"], tz="UTC").timestamp() if recent else None
    values = {
        "riskgate_missed_fraud_labelled_frauds": result["frauds_labelled"],
        "riskgate_missed_fraud_mean_score": result["mean_p"],
        "riskgate_missed_fraud_reference_mean_score": result["reference"]["mean_p"],
        "riskgate_missed_fraud_alert_below": result["alert_below"],
        "riskgate_missed_fraud_alert": int(result["alert"]),
        "riskgate_missed_fraud_recent_mean_score": recent.get("mean_p"),
        "riskgate_missed_fraud_recent_alert_below": recent.get("alert_below"),
        "riskgate_missed_fraud_recent_since_timestamp_seconds": since,
        "riskgate_missed_fraud_expected_labels": excess.get("expected"),
        "riskgate_missed_fraud_excess_z": excess.get("z"),
        "riskgate_missed_fraud_recent_excess_z": (excess.get("recent") or {}).get("z"),
        "riskgate_missed_fraud_expected_arrivals": arrivals.get("expected"),
        "riskgate_missed_fraud_label_arrivals": arrivals.get("arrived"),
        "riskgate_missed_fraud_arrivals_shortfall_z": arrivals.get("z"),
        "riskgate_missed_fraud_label_shortfall_alert": None if not arrivals else int(arrivals["alert"]),
        "riskgate_missed_fraud_last_run_timestamp_seconds": now,
    }
    model = result["model"].replace("\\", "\\\\").replace('"', '\\"')
    lines = []
    for metric, value in values.items():
        lines += [f"# HELP {metric} {METRIC_HELP[metric]}", f"# TYPE {metric} gauge",
                  f'{metric}{{model="{model}"}} {"NaN" if value is None else repr(float(value))}']
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """node_exporter may read the file at any moment: never let it see half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def push(gateway: str, model: str, text: str, timeout_s: float = 10.0) -> None:
    """PUT replaces this model's group only: a champion's and a challenger's monitors coexist. The
    model name holds a '/', so the grouping value goes base64url-encoded (the Pushgateway's @base64)."""
    value = base64.urlsafe_b64encode(model.encode()).decode()
    url = f"{gateway.rstrip('/')}/metrics/job/riskgate_missed_fraud_monitor/model@base64/{value}"
    req = Request(url, data=text.encode(), method="PUT", headers={"Content-Type": "text/plain; version=0.0.4"})
    with urlopen(req, timeout=timeout_s) as resp:
        if resp.status // 100 != 2:
            raise OSError(f"Pushgateway answered {resp.status}")


def report(r: dict[str, Any]) -> str:
    ref = r["reference"]
    head = (f"missed-fraud monitor: {r['model']}, labels before {r['as_of']}\n"
            f"  decisions scored by this model: {r['decisions_scored']:,}; fraud labels: {r['fraud_labels']:,}; "
            f"on this model's checkouts: {r['frauds_labelled']}\n"
            f"  reference: mean p {ref['mean_p']:.3f} (sd {ref['sd_p']:.3f}) on {ref['frauds']} frauds ({ref['from']})")
    if r["frauds_labelled"] == 0:
        verdict = "  no fraud labelled yet: nothing to test"
    else:
        verdict = (f"  labelled frauds: mean p {r['mean_p']:.3f}, alert below {r['alert_below']:.3f} "
                   f"(z {ref.get('z', missed_fraud.Z)}, at least {ref.get('min_frauds', missed_fraud.MIN_FRAUDS)} "
                   f"frauds): {'ALERT' if r['cumulative_alert'] else 'ok'}")
        if rec := r.get("recent"):
            verdict += (f"\n  scored since {rec['since']} (the day furthest below): {rec['frauds_labelled']} frauds, "
                        f"mean p {rec['mean_p']:.3f}, alert below {rec['alert_below']:.3f} "
                        f"(z {ref.get('z_recent', missed_fraud.Z_RECENT)}): {'ALERT' if rec['alert'] else 'ok'}")
    verdict += "\n" + excess_report(r.get("label_excess"))
    weeks = [f"    week of {w['week_of']}: {w['frauds']} frauds, mean p {w['mean_p']:.3f}" for w in r["by_week"]]
    return "\n".join([head, verdict, *(["  by week scored:", *weeks] if weeks else [])])


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.model:
            model_dir = Path(args.model)
        else:
            from riskgate_training.backtest import champion_dir

            model_dir = champion_dir()
        as_of = _utc(args.as_of) if args.as_of else pd.Timestamp.now(tz="UTC")
        result = run(Path(args.decisions), Path(args.labels), model_dir, args.table, as_of)
    except (ValueError, FileNotFoundError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(report(result))
    gauges = textfile(result, time.time())
    if args.textfile:
        write_atomically(Path(args.textfile), gauges)
    if args.pushgateway:
        try:
            push(args.pushgateway, result["model"], gauges)
        except OSError as e:
            print(f"error: pushing to {args.pushgateway}: {e}", file=sys.stderr)
            return 2
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, indent=2) + "\n")
    shortfall = bool(((result.get("label_excess") or {}).get("arrivals") or {}).get("alert"))
    return 1 if (result["alert"] or shortfall) and not args.report_only else 0


if __name__ == "__main__":
    raise SystemExit(main())
