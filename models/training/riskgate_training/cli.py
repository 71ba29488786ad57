"""Command line: `train` and `evaluate` (run through models/training/run.sh).

Every cost/capacity/split/model knob is a flag; `--config file.json` supplies the same keys
(flag names with '_' instead of '-'); flags given on the command line win over the file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from riskgate_training.recipe import RECIPE_OPTIONS, Recipe, add_flags
from riskgate_training.split import SplitDays

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_OUT = REPO_ROOT / "models" / "artifacts"

# key -> (type, default, help); one table so flags, config file and defaults cannot drift
TRAIN_OPTIONS: dict[str, tuple[type, Any, str]] = {
    "name": (str, "riskgate-fraud", "artifact name (directory under --out)"),
    "version": (str, None, "version (default: <UTC yyyymmdd>-<first 8 hex of the CSV sha256>)"),
    "test_days": (int, 14, "days of traffic after the training date scored as the test split"),
    "valid_days": (int, SplitDays().valid, "days for calibration + policy, ending gap-days before the test split"),
    "min_train_days": (int, 14, "refuse to train on fewer days"),
    "maturity_quantile": (float, 0.95, "label maturity = this quantile of the measured label delays"),
    "gap_days": (int, None, "days between validation and test (default: the measured maturity)"),
    "decisions": (str, None, "decision log JSONL to join (reweight 1/propensity, drop blocked)"),
    "chargeback_fee": (float, 25.0, "EUR paid per missed fraud on top of the booking amount"),
    "review_cost": (float, 4.0, "EUR per manual review"),
    "fn_over_fp": (float, 20.0, "a missed fraud at the median amount costs this many declined customers"),
    "review_capacity": (float, 1000.0, "max reviews per day (the p95 day must fit)"),
    **RECIPE_OPTIONS,
    "parity_rows": (int, 3000, "rows in parity.jsonl"),
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="riskgate-training", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train, calibrate, fit the cost policy, export ONNX + manifest")
    t.add_argument("--in", dest="table", required=True, help="training table directory (training.csv + meta.json)")
    t.add_argument("--out", default=str(DEFAULT_OUT), help=f"artifacts root (default {DEFAULT_OUT})")
    t.add_argument("--config", help="JSON file with any of the option keys below")
    t.add_argument("--force", action="store_true", help="replace an existing artifact version")
    add_flags(t, TRAIN_OPTIONS)

    e = sub.add_parser("evaluate", help="score a table with a trained artifact and print the metrics")
    e.add_argument("--model", required=True, help="artifact version directory (contains manifest.json)")
    e.add_argument("--in", dest="table", required=True, help="table directory (training.csv + meta.json)")
    e.add_argument("--from", dest="start", help="only rows with occurred_at >= this ISO time")
    e.add_argument("--to", dest="end", help="only rows with occurred_at < this ISO time")
    e.add_argument("--labels-as-of", help="read labels as known at this ISO time (default: maturity after --to)")
    e.add_argument("--json", dest="json_out", help="also write the metrics as JSON to this file")
    e.add_argument("--ignore-feature-set", action="store_true", help="evaluate even if the feature_set hashes differ")
    return p


def resolve_options(args: argparse.Namespace) -> dict[str, Any]:
    """defaults < --config file < command-line flags."""
    opts = {k: d for k, (_, d, _) in TRAIN_OPTIONS.items()}
    if args.config:
        cfg = json.loads(Path(args.config).read_text())
        unknown = sorted(set(cfg) - set(TRAIN_OPTIONS))
        if unknown:
            raise ValueError(f"{args.config}: unknown keys {unknown}; known: {sorted(TRAIN_OPTIONS)}")
        for k, v in cfg.items():
            opts[k] = None if v is None else TRAIN_OPTIONS[k][0](v)
    for k in TRAIN_OPTIONS:
        v = getattr(args, k)
        if v is not None:
            opts[k] = v
    return opts


def _train(args: argparse.Namespace) -> int:
    from riskgate_training.pipeline import CostSeed, TrainConfig, train

    o = resolve_options(args)
    cfg = TrainConfig(
        table_dir=Path(args.table),
        out_dir=Path(args.out),
        name=o["name"],
        version=o["version"],
        force=args.force,
        days=SplitDays(o["test_days"], o["valid_days"], o["min_train_days"]),
        maturity_quantile=o["maturity_quantile"],
        gap_days=o["gap_days"],
        decisions=None if o["decisions"] is None else Path(o["decisions"]),
        costs=CostSeed(o["chargeback_fee"], o["review_cost"], o["fn_over_fp"]),
        review_capacity_per_day=o["review_capacity"],
        recipe=Recipe.from_options(o),
        parity_rows=o["parity_rows"],
    )
    t0 = time.monotonic()
    result = train(cfg)
    print(result.card)
    print(f"  done in {time.monotonic() - t0:.1f}s")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from riskgate_training.evaluate_artifact import evaluate

    from riskgate_training import audits
    from riskgate_training.leak_audit import EXIT_LEAK

    metrics, card = evaluate(Path(args.model), Path(args.table), start=args.start, end=args.end,
                             labels_as_of_iso=args.labels_as_of, ignore_feature_set=args.ignore_feature_set)
    print(card)
    extra, text, leak_passed = audits.run(Path(args.model), Path(args.table))
    print(text)
    metrics.update(extra)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(metrics, indent=2) + "\n")
    return 0 if leak_passed else EXIT_LEAK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _train(args) if args.command == "train" else _evaluate(args)
    except (ValueError, FileNotFoundError, FileExistsError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
