"""Backtest outputs: backtest.json (every number), backtest.md (the tables) and three plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from riskgate_training.backtest_patterns import pattern_table
from riskgate_training.backtest_summary import calibration_table, cost_table, drift_table

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {
    "rules": "production rules alone",
    "model_equal": "model + rules, equal review volume",
    "scorecard_equal": "LR scorecard + rules, equal review volume",
    "model_capacity": "model + rules, capacity point",
    "scorecard_capacity": "LR scorecard + rules, capacity point",
}
PLOTS = ("backtest_cost.png", "backtest_ratio.png", "backtest_reviews.png")


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f} %"


def _recipe(r: dict[str, Any]) -> str:
    params = ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in r["model_params"].items())
    d = r["stream_dropout"]
    dropout = (f"stream dropout on {100 * d['share']:g} % of the fit rows (seed {d['seed']})" if d["share"] > 0
               else "no stream dropout")
    m = r.get("evasion_mimicry") or {"share": 0.0}
    groups = "every evadable group" if m.get("group_share") == 1 else f"each evadable group with chance {m.get('group_share')}"
    spread = (f"{m['copies']} mimicked copies of every fit fraud row taking {100 * m['share']:g} % of its weight"
              if m.get("copies") else f"{100 * m['share']:g} % of the fit fraud rows mimicked in place")
    mimicry = f"evasion mimicry: {spread}, {groups} (seed {m['seed']})" if m["share"] > 0 else "no evasion mimicry"
    return f"LightGBM ({params}), {mimicry}, {dropout}"


def _recipe_lines(recipe: dict[str, Any], model_recipe: dict[str, Any] | None, model_dir: Path) -> list[str]:
    """What was tested, and whether it is what the artifact next to the report was trained with."""
    if model_recipe is None:
        against = f"{model_dir} has no manifest to compare it with."
    elif model_recipe == recipe:
        against = f"The same recipe as {model_dir}."
    else:
        against = f"**Not the recipe of {model_dir}**: {_recipe(model_recipe)}."
    return [f"Model recipe (recipe.py: the flags and defaults of `npm run train`): {_recipe(recipe)}. {against} "
            "The LR scorecard is fitted on the rows as served (no mimicry or dropout: it is the linear reference)."]


def _dropout(d: dict[str, Any]) -> str:
    if not d["streams"]:
        return "no stream dropout"
    silenced = sum(s["rows"] for s in d["streams"].values())
    per = ", ".join(f"{name} {s['rows']:,}" for name, s in d["streams"].items())
    return f"stream dropout silenced {silenced:,} of {d['rows']:,} fit rows: {per}"


def _mimicry(m: dict[str, Any] | None) -> str:
    if m is None or m["rows"] == 0:
        return "no evasion mimicry"
    return f"evasion mimicry on {m['rows']:,} of {m['fraud_rows']:,} fraud rows"


def _window_table(r: dict[str, Any]) -> list[str]:
    lines = ["| system | EUR / 1,000 [90 % CI] | × rules [90 % CI] | review recall / precision | "
             "block recall / precision | reviews/day mean / p95 | overflow days | operating point |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, s in r["systems"].items():
        lo, hi = s["cost_per_1000_ci90"]
        rlo, rhi = s["ratio_to_rules_ci90"]
        bar = s["review_min_expected_loss_eur"]
        op = "–" if bar is None else ("no review band" if bar >= 1e12 else f"review if p·(A+fee) ≥ €{bar:.2f}")
        lines.append(
            f"| {LABELS[name]} | {s['cost_per_1000']:.1f} [{lo:.1f}, {hi:.1f}] | {s['ratio_to_rules']:.3f} "
            f"[{rlo:.3f}, {rhi:.3f}] | {_pct(s['recall_review'])} / {_pct(s['precision_review'])} | "
            f"{_pct(s['recall_block'])} / {_pct(s['precision_block'])} | {s['reviews_per_day_mean']:.1f} / "
            f"{s['reviews_per_day_p95']:.1f} | {s['overflow_days']} of {s['days']} | {op} |")
    return lines


def _plots(out: Path, results: list[dict[str, Any]]) -> None:
    names = list(LABELS)
    keys = [f"{r['seed']}\n{r['window']['cutoff'][:10]}" for r in results]
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(results)), 4))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        xs = [k + (i - len(names) / 2 + 0.5) * width for k in range(len(results))]
        mid = [r["systems"][name]["cost_per_1000"] for r in results]
        err = [[m - r["systems"][name]["cost_per_1000_ci90"][0] for m, r in zip(mid, results)],
               [r["systems"][name]["cost_per_1000_ci90"][1] - m for m, r in zip(mid, results)]]
        ax.bar(xs, mid, width, yerr=err, capsize=2, label=LABELS[name])
    ax.set_xticks(range(len(results)), keys)
    ax.set_ylabel("expected cost, EUR per 1,000 checkouts")
    ax.set_title("cost per window (seed, cut-off), 90 % bootstrap-by-day intervals")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / PLOTS[0], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(results)), 4))
    for i, name in enumerate(names[1:]):
        xs = [k + (i - 1.5) * 0.18 for k in range(len(results))]
        mid = [r["systems"][name]["ratio_to_rules"] for r in results]
        err = [[m - r["systems"][name]["ratio_to_rules_ci90"][0] for m, r in zip(mid, results)],
               [r["systems"][name]["ratio_to_rules_ci90"][1] - m for m, r in zip(mid, results)]]
        ax.errorbar(xs, mid, yerr=err, fmt="o", capsize=3, label=LABELS[name])
    ax.axhline(0.5, color="green", ls="--", lw=1, label="target 0.5 ×")
    ax.axhline(0.6, color="red", ls=":", lw=1, label="upper bound 0.6 ×")
    ax.axhline(1.0, color="grey", lw=0.8)
    ax.set_xticks(range(len(results)), keys)
    ax.set_ylabel("expected cost / production rules alone")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / PLOTS[1], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 4))
    offset = 0
    for r in results:
        n = len(r["days"])
        for i, name in enumerate(names):
            ax.plot(range(offset, offset + n), r["systems"][name]["reviews_per_day"], color=f"C{i}",
                    label=LABELS[name] if offset == 0 else None)
        offset += n + 1
    cap = results[0]["capacity"] if results else None
    if cap:
        ax.axhline(cap, color="red", ls=":", lw=1, label="daily capacity")
    ax.set_yscale("symlog")
    ax.set_xlabel("test days, window after window")
    ax.set_ylabel("reviews per day")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / PLOTS[2], dpi=110)
    plt.close(fig)


def write_report(out: Path, results: list[dict[str, Any]], options: dict[str, Any], timings: dict[str, float],
                 model_dir: Path, ok: bool, target_met: Callable[[dict[str, Any]], bool],
                 meets: Callable[[dict[str, Any]], bool], *, recipe: dict[str, Any],
                 model_recipe: dict[str, Any] | None) -> str:
    """Writes the report files and returns the terminal summary."""
    out.mkdir(parents=True, exist_ok=True)
    for r in results:
        r["capacity"] = options["review_capacity"]
        r["target_met"] = target_met(r)
    verdict = "MET" if ok else "MISSED"
    doc = {"target": {"system": "model_equal", "ratio_at_most": 0.5, "ci90_upper_below": 0.6, "verdict": verdict},
           "options": options, "recipe": recipe, "model_dir": str(model_dir), "model_recipe": model_recipe,
           "timings_seconds": timings, "windows": results}
    (out / "backtest.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")
    _plots(out, results)

    md = ["# Backtest", "",
          f"Target (issue 13): model + rules at equal review volume costs ≤ 0.5 × the production rules alone, "
          f"with the upper end of the 90 % interval below 0.6 ×, on every window and seed: **{verdict}**.", "",
          *_recipe_lines(recipe, model_recipe, model_dir), "",
          "Rolling origin: each cut-off fits on labels known at the cut-off, calibrates and sets the capacity point "
          f"on the {options['valid_days']} validation days that end {options['gap_days']} days before it, and is "
          f"priced on the next {options['test_days']} days with labels matured {options['maturity_days']} days "
          "after the window. Every decision comes from the serving code "
          "(services/scoring-api/bin/replay-decisions.ts: CEL rules, pipeline, policy, per-day review budget of "
          f"{options['review_capacity']}). Intervals: 90 %, {options['bootstrap']} bootstrap resamples of days "
          "(paired across systems for the ratio).", "",
          "Costs per checkout: missed fraud = amount + chargeback fee; review = review cost; declined good "
          "customer = decline cost, seeded as (median amount + fee) / 20.", "",
          "## Cost against the production rules alone", "",
          "PASS: ≤ 0.5 × with the interval's upper end < 0.6 ×. At the rules' volume the model's review band is "
          "what the rules alone review; at capacity, the bar that fits the p95 validation day into the daily "
          "capacity.", "", *cost_table(results, meets), "",
          "## Calibration of the model on the test window's matured labels", "",
          "As fitted: on labels known at the cut-off, taken as complete. Served (what the replay decides with): "
          "fitted to labels still arriving, P(fraud known at the cut-off) = delay CDF at the row's age × p "
          "(delay CDF measured then). + nowcast: "
          "served, shifted again to the nowcast fraud rate of the gap days before the cut-off (not served). "
          "Target: |mean p − rate| ≤ 10 % of the rate and slope in [0.85, 1.15]. [90 %]: served mean p / rate "
          "when the test days are resampled; an interval reaching below 0.9 and above 1.1 means the window's "
          "frauds are too few to tell a calibrated model from one 10 % off.", "",
          *calibration_table(results), "",
          "## Would the deployment have noticed the drift?", "",
          "Replayed per test day (backtest_drift.py): the served PSI alerts (feature and calibrated score "
          "against the fit split's deciles, alert above 0.25; serving's 60-minute window needs 500 checkouts, "
          "so a day is the shortest window that has them at 3,000 a day) and a monitor on labels: the mean "
          "served score on test frauds labelled so far, alerting when at least 20 are in and it is 2 standard "
          "errors below the validation frauds' mean (or those scored since a later day 2.5 below), and the "
          "label-excess test (label_excess.py): fraud labels on the checkouts the served policy allowed against "
          "the number their scores and the label-delay CDF measured at the cut-off predict, alerting when the "
          "Poisson tail is past z 3 (since the cut-off) or 3.5 (since a later day). The label-arrivals test "
          "(label_arrivals.py) watches for a label feed that breaks: the labels that arrived in the last 7 days on "
          "those checkouts against the arrivals their scores predict, alerting past z 3.5 on the lower tail once "
          "10 are predicted; no feed breaks in a backtest, so its alerts are false alarms (or a model pricing "
          "the window too high). Lag in days from the drift "
          "onset in the window; without drift, from the cut-off (an alert is a false alarm).", "",
          *drift_table(results), ""]
    by_pattern = pattern_table(results)
    if by_pattern:
        md += ["## Which fraud got through (simulator truth)", "",
               "The window's matured frauds by the simulator's pattern (adapted: the pattern's drifted behaviour), "
               "and the share of the money at stake (amount + fee) that each system's decisions stopped (review "
               "or block). Diagnostics only: the truth never reaches training.", "", *by_pattern, ""]
    for r in results:
        w, c = r["window"], r["costs"]
        md += [f"## seed {r['seed']}, cut-off {w['cutoff'][:10]} "
               f"({'target met' if r['target_met'] else 'target missed'})", "",
               f"Fit {w['fit_start'][:10]} – {w['valid_start'][:10]} ({r['fit_frauds_known']} frauds known; "
               f"{_mimicry(r.get('evasion_mimicry'))}; {_dropout(r['stream_dropout'])}), "
               f"validation to {w['valid_end'][:10]} ({r['valid_frauds_known']} known), test {w['test_start'][:10]} "
               f"– {w['test_end'][:10]}: {r['test_checkouts']:,} checkouts, {r['test_frauds']} matured frauds. "
               f"Costs: fee {c['chargeback_fee_eur']:.2f}, review {c['review_cost_eur']:.2f}, decline "
               f"{c['decline_cost_eur']:.2f} EUR (median amount {c['median_amount_eur']:.2f}). Equal volume: "
               f"{r['target_reviews']} reviews in the window (the rules alone).", ""]
        if r["target_reviews"] == 0:
            md += ["The rules alone reviewed nothing in this window: at equal review volume the models add no "
                   "review band and act through blocks only.", ""]
        md += _window_table(r) + [""]
    md += ["## Time", "", "| step | seconds |", "| --- | --- |"]
    md += [f"| {k} | {v:.1f} |" for k, v in timings.items()]
    md += ["", "Plots: " + ", ".join(f"[{p}]({p})" for p in PLOTS), ""]
    (out / "backtest.md").write_text("\n".join(md))

    lines = [f"backtest: target {verdict} (model + rules at the rules' review volume vs the production rules alone)", "",
             *_recipe_lines(recipe, model_recipe, model_dir), "", *cost_table(results, meets), "",
             "calibration (model, matured test labels):", "",
             *calibration_table(results), "", "drift monitors (first alert, lag from the drift onset):", "",
             *drift_table(results), ""]
    lines.append(f"  report: {out / 'backtest.md'}  ({timings.get('total', 0):.0f}s)")
    return "\n".join(lines)
