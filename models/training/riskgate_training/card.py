"""The short model card printed after train/evaluate (and kept next to the model as model_card.txt)."""

from __future__ import annotations

from typing import Any

from riskgate_training.world_meta import drift_line

CARD_FILE = "model_card.txt"


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"


def _num(v: float | None, fmt: str = ".4f") -> str:
    return "n/a" if v is None else format(v, fmt)


def metrics_lines(m: dict[str, Any]) -> list[str]:
    ec = m["expected_cost"]
    model, base, allow = ec["model"], ec["rules_baseline"], ec["allow_all"]
    c = m["calibration"]
    rb = m["rules_baseline"]
    return [
        f"  rows {m['rows']:,} over {m['days']:.1f} days, fraud {m['fraud_rows']:,} ({_pct(c['fraud_rate'])})",
        f"  PR-AUC {_num(m['pr_auc'])}  ROC-AUC {_num(m['roc_auc'])}",
        f"  calibration: mean p {c['mean_p']:.5f} vs rate {c['fraud_rate']:.5f} (ratio {_num(c['mean_p_over_rate'], '.3f')}), "
        f"slope {_num(c['slope'], '.3f')}, intercept {_num(c['intercept'], '.3f')}, "
        f"ECE {c['ece_quantile']:.5f} ({c['ece_bins']} quantile bins), Brier {c['brier']:.5f}, "
        f"log-loss {c['log_loss']:.5f} -> target {'MET' if m['meets_calibration_target'] else 'MISSED'}",
        f"  block:   recall {_pct(m['recall_block'])}  precision {_pct(m['precision_block'])}  {m['blocks_per_day']:.1f}/day",
        f"  review:  recall {_pct(m['recall_review'])}  precision {_pct(m['precision_review'])}  "
        f"{m['reviews_per_day']:.1f}/day, p95 day {m['reviews_p95_day']:.0f} (capacity "
        f"{m['review_capacity_per_day']:.0f}), overflow days {m['overflow_days']}",
        f"  expected cost EUR/1000 checkouts: model {model['per_1000_checkouts_eur']:.2f}  "
        f"rules {base['per_1000_checkouts_eur']:.2f}  allow-all {allow['per_1000_checkouts_eur']:.2f}  "
        f"-> model/rules {_num(ec['model_over_baseline'], '.3f')}",
        f"  rules baseline: flagged recall {_pct(rb['recall_flagged'])}, precision {_pct(rb['precision_flagged'])}, "
        f"{base['reviews_per_day']:.1f} reviews/day"
        + (" (over capacity!)" if rb["exceeds_review_capacity"] else "")
        + (f", skipped rules: {', '.join(rb['skipped_rules'])}" if rb["skipped_rules"] else ""),
    ]


def _dropout_line(d: dict[str, Any]) -> str:
    streams = ", ".join(f"{name} {s['rows']:,}" for name, s in d["streams"].items()) or "no stream-only features"
    return (f"  stream dropout (fit rows with one upstream stream at its silent defaults): share {d['share']:g} "
            f"of {d['rows']:,} (seed {d['seed']}): {streams}")


def _mimicry_line(m: dict[str, Any] | None) -> str:
    if m is None or m["share"] == 0:
        return "  evasion mimicry: none"
    groups = ", ".join(f"{name} {g['rows']:,}" for name, g in m["groups"].items()) or "no evadable features"
    if m.get("copies"):
        how = (f"{m['copies']} copies of each of {m['fraud_rows']:,} fraud rows take share {m['share']:g} of its weight, "
               f"group share {m['group_share']:g} (seed {m['seed']}): {m['rows']:,} copies mimic")
    else:
        how = (f"share {m['share']:g} in place, group share {m['group_share']:g} (seed {m['seed']}): "
               f"{m['rows']:,} of {m['fraud_rows']:,} fraud rows")
    return f"  evasion mimicry (fit fraud rows mimicking legit rows on evadable groups): {how}; {groups}"


def train_card(manifest: dict[str, Any], artifact_dir: str) -> str:
    td, sp, lb, pol = manifest["training_data"], manifest["split"], manifest["labels"], manifest["policy"]
    f32 = manifest["float32"]
    cal = manifest["calibration"]
    rc = manifest["recalibration_check"]
    lines = [
        f"== model card: {manifest['name']} {manifest['version']} ==",
        f"  artifacts: {artifact_dir}",
        f"  data: {td['rows']:,} rows, sha256 {td['sha256'][:12]}, label cutoff {td['label_cutoff']}, "
        f"feature set {manifest['feature_set']}, {len(manifest['features'])} features",
        f"  labels: delay p50 {lb['delay_days']['quantiles']['p50']:.1f} d, p95 {lb['delay_days']['quantiles']['p95']:.1f} d, "
        f"max {lb['delay_days']['max']:.1f} d -> maturity {lb['maturity_days']} d (p{round(lb['maturity_quantile'] * 100)}), "
        f"gap {lb['gap_days']} d; fit on labels known at {lb['known_as_of']['train']}, test on labels known at "
        f"{lb['known_as_of']['test']}{'' if lb['test_matured'] else ' (NOT matured: the log ends too early)'}",
        f"  split: train < {sp['valid_start']} <= valid < {sp['valid_end']} | gap | {sp['test_start']} <= test <= "
        f"{sp['test_end']}",
        *filter(None, [drift_line(td.get("simulated_drift_starts_at"), sp["test_start"], sp["test_end"],
                                  sp["valid_end"], "the test split's")]),
        f"  calibration: {cal['method']} in [{cal['floor']}, {cal['cap']}] (cross-fitted log-loss on valid: "
        + ", ".join(f"{k} {v:.5f}" for k, v in manifest["calibration_selection"]["cv_log_loss"].items()) + ")",
        "  recalibration check on the latest matured week: "
        + (rc["skipped"] if "skipped" in rc else
           f"mean p/rate {_num(rc['mean_p_over_rate'], '.3f')}, slope {_num(rc['slope'], '.3f')} -> "
           + ("recalibrate" if rc["recalibrate"] else "holds")),
        f"  policy: decline cost {pol['decline_cost_eur']:.2f} EUR (median amount {pol['median_amount_eur']:.2f}, "
        f"FN = {pol['fn_over_fp_at_median']:g} x FP), review {pol['review_cost_eur']} EUR when expected loss >= "
        f"{pol['review_min_expected_loss_eur']:.2f} EUR, capacity {pol['review_capacity_per_day']:.0f}/day",
        _dropout_line(manifest["stream_dropout"]),
        _mimicry_line(manifest.get("evasion_mimicry")),
        "  test split (matured labels):",
        *metrics_lines(manifest["metrics"]["test"]),
        f"  ONNX vs LightGBM (float32): max |diff| {f32['max_abs_diff']:.2e}, rows > {f32['tolerance']:g}: "
        f"{f32['rows_over_tolerance']} of {f32['rows']}, rows with leaf flips {f32['rows_with_leaf_flips_float32']}",
        "  acceptance: " + ", ".join(f"{k} {'PASS' if v else 'FAIL'}" for k, v in manifest["acceptance"].items()),
    ]
    return "\n".join(lines)


def evaluate_card(manifest: dict[str, Any], table_path: str, m: dict[str, Any], acc: dict[str, Any]) -> str:
    scored = m["rows_scored"]
    scope = f"  rows from {scored['from']} to {scored['to']}"
    if m["table"]["is_training_table"]:
        seen = scored["fitted_or_calibrated_on"]
        scope += (f" of its own training table: {seen:,} of them fitted or calibrated on, OPTIMISTIC"
                  if seen else " of its own training table: none fitted or calibrated on")
    return "\n".join([
        f"== evaluate: {manifest['name']} {manifest['version']} on {table_path} (labels as of {m['labels_as_of']}"
        f"{'' if m['labels_matured'] else ', NOT matured'}) ==",
        scope,
        *filter(None, [drift_line(scored.get("simulated_drift_starts_at"), scored["from"], scored["to"],
                                  manifest["split"]["valid_end"], "the scored rows'")]),
        *metrics_lines(m),
        "  acceptance: " + ", ".join(f"{k} {'PASS' if v else 'FAIL'}" for k, v in acc.items()),
    ])
