"""The short model card printed to the terminal after train/evaluate."""

from __future__ import annotations

from typing import Any


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"


def _num(v: float | None, fmt: str = ".4f") -> str:
    return "n/a" if v is None else format(v, fmt)


def metrics_lines(m: dict[str, Any], review: float, block: float) -> list[str]:
    ec = m["expected_cost"]
    model, base, allow = ec["model"], ec["rules_baseline"], ec["allow_all"]
    red = ec["reduction_vs_baseline"]
    rb = m["rules_baseline"]
    return [
        f"  rows {m['rows']:,} over {m['days']:.1f} days, fraud {m['fraud_rows']:,} ({_pct(m['fraud_rate'])}), "
        f"mean calibrated p {m['mean_calibrated']:.4f}",
        f"  PR-AUC {_num(m['pr_auc'])}  ROC-AUC {_num(m['roc_auc'])}  ECE {m['ece']:.4f} (raw {m['ece_raw']:.4f}, 15 bins)",
        f"  thresholds: review >= {review:.6f}, block >= {block:.6f}",
        f"  block:   recall {_pct(m['recall_block'])}  precision {_pct(m['precision_block'])}  {m['blocks_per_day']:.1f}/day",
        f"  flagged: recall {_pct(m['recall_flagged'])}  precision {_pct(m['precision_flagged'])}  "
        f"reviews {m['reviews_per_day']:.1f}/day (capacity {m['review_capacity_per_day']:.0f})",
        f"  expected cost EUR/1000 checkouts: model {model['per_1000_checkouts_eur']:.2f}  "
        f"rules {base['per_1000_checkouts_eur']:.2f}  allow-all {allow['per_1000_checkouts_eur']:.2f}  "
        f"-> model cuts {_pct(red)} vs rules",
        f"  rules baseline: flagged recall {_pct(rb['recall_flagged'])}, precision {_pct(rb['precision_flagged'])}, "
        f"{base['reviews_per_day']:.1f} reviews/day"
        + (" (over capacity!)" if rb["exceeds_review_capacity"] else "")
        + (f", skipped rules: {', '.join(rb['skipped_rules'])}" if rb["skipped_rules"] else ""),
    ]


def train_card(manifest: dict[str, Any], artifact_dir: str) -> str:
    m = manifest["metrics"]["test"]
    th = manifest["thresholds"]
    td = manifest["training_data"]
    sp = manifest["split"]
    f32 = manifest["float32"]
    acc = manifest["acceptance"]
    cal = manifest["calibration"]
    lines = [
        f"== model card: {manifest['name']} {manifest['version']} ==",
        f"  artifacts: {artifact_dir}",
        f"  data: {td['rows']:,} rows, sha256 {td['sha256'][:12]}, label cutoff {td['label_cutoff']}, "
        f"feature set {manifest['feature_set']}, {len(manifest['features'])} features",
        f"  split: train < {sp['valid_start']} <= valid < {sp['test_start']} <= test <= {sp['test_end']}",
        f"  calibration: {cal['method']} (cross-fitted ECE on valid: "
        + ", ".join(f"{k} {v:.4f}" for k, v in manifest["calibration_selection"]["cv_ece"].items()) + ")",
        f"  costs: chargeback fee {manifest['costs']['chargeback_fee_eur']} EUR, margin {manifest['costs']['margin_rate']}, "
        f"review {manifest['costs']['review_cost_eur']} EUR, capacity {manifest['review_capacity_per_day']:.0f}/day",
        "  test split:",
        *metrics_lines(m, th["review"], th["block"]),
        f"  ONNX vs LightGBM (float32): max |diff| {f32['max_abs_diff']:.2e}, rows > {f32['tolerance']:g}: "
        f"{f32['rows_over_tolerance']} of {f32['rows']}, rows with leaf flips {f32['rows_with_leaf_flips_float32']}",
        "  acceptance: " + ", ".join(f"{k} {'PASS' if v else 'FAIL'}" for k, v in acc.items()),
    ]
    return "\n".join(lines)


def evaluate_card(manifest: dict[str, Any], table_path: str, m: dict[str, Any], acc: dict[str, Any]) -> str:
    th = manifest["thresholds"]
    return "\n".join([
        f"== evaluate: {manifest['name']} {manifest['version']} on {table_path} ==",
        *metrics_lines(m, th["review"], th["block"]),
        "  acceptance: " + ", ".join(f"{k} {'PASS' if v else 'FAIL'}" for k, v in acc.items()),
    ])
