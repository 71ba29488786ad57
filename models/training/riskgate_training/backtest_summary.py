"""The two tables `npm run backtest` prints and puts at the top of backtest.md: cost against the
production rules at their review volume and at capacity (PASS/FAIL per window and seed), and the
model's calibration per window (drift and non-drift windows side by side)."""

from __future__ import annotations

from typing import Any, Callable

from riskgate_training import label_arrivals

Verdict = Callable[[dict[str, Any]], bool]


def _ci(v: float, ci: list[float] | tuple[float, float], fmt: str = ".2f") -> str:
    return f"{v:{fmt}} [{ci[0]:{fmt}}, {ci[1]:{fmt}}]"


def _num(v: float | None, fmt: str = ".3f") -> str:
    return "–" if v is None else f"{v:{fmt}}"


def _drift(r: dict[str, Any]) -> str:
    d = r.get("drift_in_test")
    return "?" if d is None else f"{100 * d:.0f} %"


def cost_table(results: list[dict[str, Any]], meets: Verdict) -> list[str]:
    lines = ["| seed | cut-off | drifted days | rules alone EUR/1k [90 %] | rules reviews/day | "
             "model+rules at the rules' volume: × rules [90 %] | | model+rules at capacity: × rules [90 %] | | "
             "capacity reviews/day mean / p95 | scorecard at the rules' volume × rules |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        s = r["systems"]
        rules, eq, cap = s["rules"], s["model_equal"], s["model_capacity"]
        lines.append(
            f"| {r['seed']} | {r['window']['cutoff'][:10]} | {_drift(r)} | "
            f"{_ci(rules['cost_per_1000'], rules['cost_per_1000_ci90'], '.0f')} | {rules['reviews_per_day_mean']:.1f} | "
            f"{_ci(eq['ratio_to_rules'], eq['ratio_to_rules_ci90'])} | {'PASS' if meets(eq) else 'FAIL'} | "
            f"{_ci(cap['ratio_to_rules'], cap['ratio_to_rules_ci90'])} | {'PASS' if meets(cap) else 'FAIL'} | "
            f"{cap['reviews_per_day_mean']:.0f} / {cap['reviews_per_day_p95']:.0f} | "
            f"{s['scorecard_equal']['ratio_to_rules']:.2f} |")
    return lines


def calibration_table(results: list[dict[str, Any]]) -> list[str]:
    lines = ["| seed | cut-off | drifted days | test fraud rate | valid rate (completeness-corrected) | "
             "gap nowcast rate | mean p on labelled fraud valid → test | mean p / rate: as fitted | served [90 %] | "
             "+ nowcast | slope: as fitted | served | served quantile ECE | target |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        c = r["calibration"]
        sv, shift = c["served"], c["shift"]
        fraud_p = shift["mean_p_labelled_fraud"]
        lines.append(
            f"| {r['seed']} | {r['window']['cutoff'][:10]} | {_drift(r)} | {sv['fraud_rate']:.5f} | "
            f"{shift['valid_rate_corrected']:.5f} | {_num(c['nowcast']['rate'], '.5f')} | "
            f"{_num(fraud_p['valid'])} → {_num(fraud_p['test'])} | {_num(c['as_fitted']['mean_p_over_rate'])} | "
            f"{_num(sv['mean_p_over_rate'])}{_interval_text(c.get('served_ci90'))} | "
            f"{_num(c.get('nowcast_corrected', {}).get('mean_p_over_rate'))} | "
            f"{_num(c['as_fitted'].get('slope'))} | {_num(sv['slope'])} | {sv['ece_quantile']:.4f} | {'PASS' if sv['meets_target'] else 'FAIL'} |")
    return lines


def _interval_text(ci: list[float] | None) -> str:
    return "" if ci is None else f" [{ci[0]:.2f}, {ci[1]:.2f}]"


def _alert(a: dict[str, Any]) -> str:
    if a["first_alert_day"] is None:
        return "none"
    lag = a["lag_days"]
    return f"{a['first_alert_day']} (+{lag:.0f} d)" if lag > 0 else f"{a['first_alert_day']} ({lag:.0f} d: before the onset)"


def _arrivals(d: dict[str, Any]) -> str:
    if "label_arrivals" not in d:
        return "n/a"
    if d["label_arrivals"]["first_alert_day"] is None and d["max_expected_arrivals"] < label_arrivals.MIN_EXPECTED:
        return f"too few to test (at most {d['max_expected_arrivals']:.1f} predicted a week)"
    return _alert(d["label_arrivals"])


def drift_table(results: list[dict[str, Any]]) -> list[str]:
    """Per window: does each drift monitor fire, first day and lag from the drift onset (or from the
    cut-off without drift: then an alert is a false alarm)."""
    lines = ["| seed | cut-off | drifted days | lag from | score PSI > 0.25 | max score PSI | feature PSI > 0.25 | "
             "max feature PSI | max PSI of lifetime counters and ages (no alert) | missed-fraud monitor (labels) | "
             "label excess (labels vs scores) | label arrivals short (no feed breaks here: any alert is false) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        d = r.get("drift_monitors")
        if d is None:
            continue
        lines.append(f"| {r['seed']} | {r['window']['cutoff'][:10]} | {_drift(r)} | {d['lag_from']} | "
                     f"{_alert(d['score_psi'])} | {_num(d['max_score_psi'], '.3f')} | {_alert(d['feature_psi'])} | "
                     f"{_num(d['max_feature_psi'], '.3f')} | {_num(d.get('max_aging_feature_psi'), '.3f')} | "
                     f"{_alert(d['missed_fraud'])} | {_alert(d['label_excess']) if 'label_excess' in d else 'n/a'} | "
                     f"{_arrivals(d)} |")
    return lines
