"""`npm run backtest`: rolling-origin backtest of model + rules against the production rules alone
and a logistic-regression scorecard, at equal review volume and at the capacity operating point.

For each simulator seed (a world simulated and backfilled once, cached under --cache) and each
cut-off (backtest_windows.py): fit the model as `npm run train` fits the champion (recipe.py: the
same LightGBM parameters, evasion mimicry and stream dropout on the fit rows, the same flags) on labels as known at
the cut-off, calibrate and set the capacity point on the validation days, replay the test window
through the serving decision code (backtest_replay.py) and price it on matured labels
(backtest_costs.py). Writes backtest.md, backtest.json and plots next to the model artifact (or
--out); exits 1 when the issue's target is missed on any window (model + rules at equal review
volume <= 0.5 x rules alone, upper end of the 90 % interval < 0.6 x), unless --report-only.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from riskgate_training import label_excess
from riskgate_training.backtest_calibration import report as calibration_report
from riskgate_training.backtest_calibration import served_scorers
from riskgate_training.backtest_drift import monitor_window
from riskgate_training.backtest_costs import (PolicyCosts, bootstrap_cost, bootstrap_ratio, day_of, day_weights,
                                              decision_costs, per_day, summarise)
from riskgate_training.backtest_models import fit_model, fit_scorecard
from riskgate_training.backtest_patterns import fraud_by_pattern, load_truth
from riskgate_training.backtest_policy import capacity_point, equal_volume_point
from riskgate_training.backtest_replay import REPO_ROOT, SystemSpec, replay
from riskgate_training.backtest_report import write_report
from riskgate_training.backtest_windows import Window, rolling_windows
from riskgate_training.backtest_worlds import simulated_world
from riskgate_training.data import load_table
from riskgate_training.labels import labels_as_of
from riskgate_training.nowcast import DelayCdf
from riskgate_training.recipe import RECIPE_OPTIONS, Recipe, add_flags, of_manifest
from riskgate_training.split import SplitDays
from riskgate_training.world_meta import drift_starts_at

BASELINE = "rules"
TARGET_SYSTEM = "model_equal"
SERVED_SYSTEM = "model_capacity"  # the model with the policy it ships with (capacity-planned thresholds)
TARGET_RATIO, TARGET_UPPER = 0.5, 0.6
DEFAULT_SEEDS = "7,8"
SYSTEMS = ("rules", "model_equal", "scorecard_equal", "model_capacity", "scorecard_capacity")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="npm run backtest --", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", default=None,
                   help=f"simulator seeds, comma-separated (default {DEFAULT_SEEDS}, or none with --world)")
    # The simulator's default length: three 10-day test windows after the gap leave >= 28 days to fit on.
    p.add_argument("--days", type=int, default=100, help="simulated days per world (default 100)")
    p.add_argument("--checkouts-per-day", type=int, default=3000, help="simulated checkouts per day (default 3000)")
    p.add_argument("--world", action="append", default=[], metavar="WORLD_DIR:TABLE_DIR",
                   help="an existing world and its backfilled table, before any --seeds (repeatable)")
    p.add_argument("--cache", default=str(REPO_ROOT / "data" / "backtest"), help="where simulated worlds are kept")
    p.add_argument("--windows", type=int, default=3, help="rolling-origin cut-offs (default 3)")
    p.add_argument("--test-days", type=int, default=10, help="days in each test window (default 10)")
    # As many calibration days as train's split gives the champion: the backtest tests what ships.
    p.add_argument("--valid-days", type=int, default=SplitDays().valid,
                   help=f"calibration days before the gap (default {SplitDays().valid}, as train's --valid-days)")
    # Chargebacks arrive 10-60 days late (mode 24): 35 days before the cut-off about 2/3 are known.
    p.add_argument("--gap-days", type=int, default=35, help="days between validation end and cut-off (default 35)")
    p.add_argument("--maturity-days", type=int, default=60,
                   help="test labels count if known by test end + this many days (default 60)")
    p.add_argument("--review-capacity", type=int, default=1000, help="reviews per day (default 1000)")
    p.add_argument("--chargeback-fee", type=float, default=25.0)
    p.add_argument("--review-cost", type=float, default=4.0)
    p.add_argument("--fn-over-fp", type=float, default=20.0, help="missed fraud / declined good at the median amount")
    p.add_argument("--bootstrap", type=int, default=2000, help="bootstrap resamples of days (default 2000)")
    p.add_argument("--model", default=None, help="artifact directory the report goes next to (default: champion)")
    p.add_argument("--out", default=None, help="report directory (default: <model>/backtest)")
    p.add_argument("--report-only", action="store_true", help="exit 0 even when the target is missed")
    p.add_argument("--prepare-only", action="store_true",
                   help="simulate and backfill the --seeds worlds into the cache, then exit")
    add_flags(p.add_argument_group("model recipe", "the flags and defaults of `npm run train` (the model's "
                                   "--seed is not the worlds' --seeds)"), RECIPE_OPTIONS)
    return p


def champion_dir() -> Path:
    pointer = REPO_ROOT / "models" / "artifacts" / "champion.json"
    return (pointer.parent / json.loads(pointer.read_text())["dir"]).resolve()


@dataclass(frozen=True)
class Rows:
    """One world's backfilled table as arrays, built once for all of its windows."""

    table_csv: Path
    features: list[str]
    feature_sources: dict[str, Any]
    occurred_at: pd.Series
    ids: np.ndarray
    X: np.ndarray
    amount: np.ndarray
    known_at: pd.Series

    @staticmethod
    def load(table_dir: Path) -> "Rows":
        t = load_table(table_dir)
        return Rows(table_dir / "training.csv", t.features, t.meta["feature_sources"], t.occurred_at, t.event_ids, t.X,
                    t.amount, t.known_at)


def run_window(seed: Any, window: Window, world: Path, rows: Rows, args: argparse.Namespace, recipe: Recipe,
               work: Path, sim_truth: pd.DataFrame | None = None) -> dict[str, Any]:
    t = rows.occurred_at
    masks = window.masks(t)
    ids, X, amount = rows.ids, rows.X, rows.amount
    fit, valid, gap, test = masks["fit"], masks["valid"], masks["gap"], masks["test"]
    y_fit = labels_as_of(rows.known_at[fit], window.cutoff)
    y_valid = labels_as_of(rows.known_at[valid], window.cutoff)
    y_test = labels_as_of(rows.known_at[test], window.matured_at)
    for part, y in (("fit", y_fit), ("valid", y_valid), ("test", y_test)):
        if y.sum() == 0:
            raise ValueError(f"seed {seed}, cut-off {window.name}: no fraud labels in the {part} days")
    costs = PolicyCosts.seeded(float(np.median(amount[fit | valid])), args.chargeback_fee, args.review_cost,
                               args.fn_over_fp)
    model, augmented = fit_model(X[fit], y_fit, X[valid], y_valid, rows.features, rows.feature_sources, recipe)
    fitted = {"model": model, "scorecard": fit_scorecard(X[fit], y_fit, X[valid], y_valid, recipe.params.seed)}
    cdf = DelayCdf.measure(t, rows.known_at, window.cutoff, args.maturity_days)
    scorers, correction = served_scorers(fitted, X[valid], y_valid, t[valid], window.cutoff, cdf,
                                        recipe.params.seed)
    parts = {"valid": {"X": X[valid], "y": y_valid}, "test": {"X": X[test], "y": y_test, "t": t[test]},
             "gap": {"X": X[gap], "y": labels_as_of(rows.known_at[gap], window.cutoff), "t": t[gap]}}
    calibration = calibration_report(fitted["model"], scorers["model"], parts, window.cutoff, cdf,
                                     {k: v for k, v in correction.items() if k != "calibration_scorecard"},
                                     args.bootstrap, zlib.crc32(f"calibration/{seed}/{window.name}".encode()))
    day_valid = day_of(t[valid])
    p_test = {k: s.score(X[test]) for k, s in scorers.items()}
    # Tables backfilled before the flag existed alert on every feature, as serving did then.
    aging = [bool(rows.feature_sources[f].get("grows_with_age", False)) for f in rows.features]
    cap = {k: capacity_point(s.score(X[valid]), amount[valid], day_valid, costs, args.review_capacity)
           for k, s in scorers.items()}
    common = dict(checkouts=world / "checkouts.jsonl", table_csv=rows.table_csv,
                  event_ids=ids[test], start=window.cutoff, end=window.test_end,
                  capacity_per_day=args.review_capacity)
    first = replay(work / "capacity", systems=[SystemSpec(BASELINE)] + [
        SystemSpec(f"{k}_capacity", p_test[k], cap[k].policy(costs)) for k in scorers], **common)
    rules = first[first["system"] == BASELINE].set_index("event_id").reindex(ids[test])
    target = int((rules["decision"] == "review").sum())
    equal = {k: equal_volume_point(p_test[k], amount[test], rules["rule"].to_numpy(), target, costs) for k in scorers}
    second = replay(work / "equal", systems=[SystemSpec(f"{k}_equal", p_test[k], equal[k].policy(costs)) for k in scorers],
                    **common)
    decisions = pd.concat([first, second], ignore_index=True)
    # The label-excess test watches the checkouts the served policy allowed: in a deployment only
    # they come back as chargebacks (a blocked checkout is never paid, a reviewed one is labelled
    # by its review).
    served = first[first["system"] == SERVED_SYSTEM].set_index("event_id").reindex(ids[test])
    drift = monitor_window(rows.features, aging, X[fit], scorers["model"].score(X[fit]), X[test], p_test["model"],
                           t[test], rows.known_at[test], scorers["model"].score(X[valid])[y_valid == 1],
                           label_excess.reference(cdf, args.maturity_days, label_excess.SOURCE),
                           (served["decision"] == "allow").to_numpy(), window.cutoff, window.test_end,
                           window.matured_at, drift_starts_at(world))
    truth = pd.DataFrame({"fraud": y_test, "amount": amount[test]}, index=pd.Index(ids[test], name="event_id"))
    decisions = decisions.join(truth, on="event_id")
    decisions["day"] = day_of(decisions["occurred_at"])
    decisions["cost"] = decision_costs(decisions["decision"].to_numpy(), decisions["fraud"].to_numpy(),
                                       decisions["amount"].to_numpy(), costs)
    days = {name: per_day(g) for name, g in decisions.groupby("system")}
    weights = day_weights(len(days[BASELINE]), args.bootstrap, seed=zlib.crc32(f"{seed}/{window.name}".encode()))
    systems = {}
    for name in SYSTEMS:
        s = summarise(days[name])
        s["cost_per_1000_ci90"] = bootstrap_cost(days[name], weights)
        s["ratio_to_rules"], s["ratio_to_rules_ci90"] = bootstrap_ratio(days[name], days[BASELINE], weights)
        kind, point = name.split("_")[0], name.rsplit("_", 1)[-1]
        s["review_min_expected_loss_eur"] = (None if name == BASELINE else
                                             (equal if point == "equal" else cap)[kind].review_min_expected_loss_eur)
        s["reviews_per_day"] = days[name]["reviews"].astype(int).tolist()
        systems[name] = s
    return {"seed": seed, "window": window.to_dict(), "costs": costs.to_dict(), "target_reviews": target,
            "test_checkouts": int(test.sum()), "test_frauds": int(y_test.sum()),
            "fit_frauds_known": int(y_fit.sum()), "valid_frauds_known": int(y_valid.sum()), **augmented,
            "drift_in_test": drift_overlap(world, window), "calibration": calibration, "drift_monitors": drift,
            "days": list(days[BASELINE].index), "systems": systems,
            "fraud_by_pattern": None if sim_truth is None else fraud_by_pattern(
                sim_truth, ids[test], y_test, amount[test], p_test["model"], decisions, costs.chargeback_fee_eur)}


def drift_overlap(world: Path, window: Window) -> float | None:
    """Share of the test window's days with the simulator's drifted fraud (world.json), None if unknown."""
    if not (world / "world.json").is_file():
        return None
    start = drift_starts_at(world)
    if not start:
        return 0.0
    drift = pd.Timestamp(start)
    span = (window.test_end - window.cutoff) / pd.Timedelta(days=1)
    return float(max(0.0, (window.test_end - max(drift, window.cutoff)) / pd.Timedelta(days=1)) / span)


def meets_cost_target(system: dict[str, Any]) -> bool:
    """Issue 13: cost <= 0.5 x the rules alone and the 90 % interval's upper end < 0.6 x."""
    return system["ratio_to_rules"] <= TARGET_RATIO and system["ratio_to_rules_ci90"][1] < TARGET_UPPER


def target_met(result: dict[str, Any]) -> bool:
    return meets_cost_target(result["systems"][TARGET_SYSTEM])


def given_world(spec: str) -> tuple[Any, Path, Path]:
    """--world WORLD_DIR:TABLE_DIR, named by the seed in its world.json (else the folder)."""
    w, _, tbl = spec.partition(":")
    if not tbl:
        raise ValueError(f"--world {spec}: expected WORLD_DIR:TABLE_DIR")
    meta = Path(w) / "world.json"
    name = json.loads(meta.read_text()).get("seed", Path(w).name) if meta.is_file() else Path(w).name
    return name, Path(w), Path(tbl)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.monotonic()
    timings: dict[str, float] = {}
    try:
        recipe = Recipe.from_flags(args)
        worlds = [given_world(spec) for spec in args.world]
        seeds = args.seeds if args.seeds is not None else ("" if worlds else DEFAULT_SEEDS)
        for seed in (int(s) for s in seeds.split(",") if s.strip()):
            worlds.append((seed, *simulated_world(seed, args.days, args.checkouts_per_day, Path(args.cache), timings)))
        if args.prepare_only:
            print(json.dumps({"worlds": [[str(w), str(t)] for _, w, t in worlds], "timings_seconds": timings}))
            return 0
        model_dir = Path(args.model) if args.model else champion_dir()
        out = Path(args.out) if args.out else model_dir / "backtest"
        manifest = model_dir / "manifest.json"
        model_recipe = of_manifest(json.loads(manifest.read_text())) if manifest.is_file() else None
        results = []
        with tempfile.TemporaryDirectory(prefix="riskgate-backtest-") as tmp:
            for seed, world, table_dir in worlds:
                rows = Rows.load(table_dir)
                sim_truth = load_truth(world)
                t = rows.occurred_at
                windows = rolling_windows(t.min(), t.max(), n_windows=args.windows, test_days=args.test_days,
                                          gap_days=args.gap_days, valid_days=args.valid_days,
                                          maturity_days=args.maturity_days)
                for w in windows:
                    t0 = time.monotonic()
                    results.append(run_window(seed, w, world, rows, args, recipe, Path(tmp) / f"{seed}-{w.name}",
                                              sim_truth))
                    timings[f"window seed {seed} {w.name}"] = time.monotonic() - t0
                    r = results[-1]["systems"]
                    print(f"  seed {seed} cut-off {w.name}: rules {r['rules']['cost_per_1000']:.1f} EUR/1000, "
                          f"model+rules {r[TARGET_SYSTEM]['cost_per_1000']:.1f} "
                          f"(x{r[TARGET_SYSTEM]['ratio_to_rules']:.2f}), "
                          f"{time.monotonic() - t0:.0f}s", file=sys.stderr)
        timings["total"] = time.monotonic() - started
        ok = all(target_met(r) for r in results)
        options = {k: v for k, v in vars(args).items() if k not in RECIPE_OPTIONS}
        summary = write_report(out, results, options, timings, model_dir, ok, target_met, meets_cost_target,
                               recipe=recipe.to_dict(), model_recipe=model_recipe)
        print(summary)
        return 0 if ok or args.report_only else 1
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
