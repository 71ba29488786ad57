"""`npm run backtest`: rolling-origin backtest of model + rules against the production rules alone
and a logistic-regression scorecard, at equal review volume and at the capacity operating point.

For each simulator seed (a world simulated and backfilled once, cached under --cache) and each
cut-off (backtest_windows.py): fit on labels as known at the cut-off, calibrate and set the capacity
point on the validation days, replay the test window through the serving decision code
(backtest_replay.py) and price it on matured labels (backtest_costs.py). Writes backtest.md,
backtest.json and plots next to the model artifact (or --out); exits 1 when the issue's target is
missed on any window (model + rules at equal review volume <= 0.5 x rules alone, upper end of the
90 % interval < 0.6 x), unless --report-only.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from riskgate_training.backtest_costs import (PolicyCosts, bootstrap_cost, bootstrap_ratio, day_of, day_weights,
                                              decision_costs, per_day, summarise)
from riskgate_training.backtest_models import fit_model, fit_scorecard
from riskgate_training.backtest_policy import capacity_point, equal_volume_point
from riskgate_training.backtest_replay import NODE, REPO_ROOT, SystemSpec, replay
from riskgate_training.backtest_report import write_report
from riskgate_training.backtest_windows import Window, rolling_windows
from riskgate_training.data import load_table
from riskgate_training.labels import labels_as_of
from riskgate_training.model import ModelParams

BASELINE = "rules"
TARGET_SYSTEM = "model_equal"
TARGET_RATIO, TARGET_UPPER = 0.5, 0.6
SYSTEMS = ("rules", "model_equal", "scorecard_equal", "model_capacity", "scorecard_capacity")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="npm run backtest --", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", default="7,8", help="simulator seeds, comma-separated (default 7,8)")
    # 90 days: three 10-day test windows after a label-maturity gap still leave >= 18 days to fit on.
    p.add_argument("--days", type=int, default=90, help="simulated days per world (default 90)")
    p.add_argument("--checkouts-per-day", type=int, default=3000, help="simulated checkouts per day (default 3000)")
    p.add_argument("--world", action="append", default=[], metavar="WORLD_DIR:TABLE_DIR",
                   help="use an existing world and its backfilled table instead of simulating (repeatable)")
    p.add_argument("--cache", default=str(REPO_ROOT / "data" / "backtest"), help="where simulated worlds are kept")
    p.add_argument("--windows", type=int, default=3, help="rolling-origin cut-offs (default 3)")
    p.add_argument("--test-days", type=int, default=10, help="days in each test window (default 10)")
    p.add_argument("--valid-days", type=int, default=7, help="calibration days before the gap (default 7)")
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
    return p


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:3])} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def simulated_world(seed: int, days: int, per_day: int, cache: Path, timings: dict[str, float]) -> tuple[Path, Path]:
    """Simulate and backfill a world once; later runs with the same options reuse it."""
    base = cache / f"seed{seed}-d{days}-c{per_day}"
    world, table = base / "world", base / "table"
    if (table / "meta.json").is_file() and (world / "world.json").is_file():
        return world, table
    shutil.rmtree(base, ignore_errors=True)
    t0 = time.monotonic()
    _run([str(NODE), "models/simulator/src/cli.ts", "--out", str(world), "--seed", str(seed), "--days", str(days),
          "--checkouts-per-day", str(per_day), "--quiet"])
    t1 = time.monotonic()
    _run([str(NODE), "feature-store/src/backfill/cli.ts", "--in", str(world), "--out", str(table)])
    timings[f"simulate seed {seed}"] = t1 - t0
    timings[f"backfill seed {seed}"] = time.monotonic() - t1
    return world, table


def champion_dir() -> Path:
    pointer = REPO_ROOT / "models" / "artifacts" / "champion.json"
    return (pointer.parent / json.loads(pointer.read_text())["dir"]).resolve()


@dataclass(frozen=True)
class Rows:
    """One world's backfilled table as arrays, built once for all of its windows."""

    table_csv: Path
    features: list[str]
    occurred_at: pd.Series
    ids: np.ndarray
    X: np.ndarray
    amount: np.ndarray
    known_at: pd.Series

    @staticmethod
    def load(table_dir: Path) -> "Rows":
        t = load_table(table_dir)
        return Rows(table_dir / "training.csv", t.features, t.occurred_at, t.event_ids, t.X, t.amount, t.known_at)


def run_window(seed: Any, window: Window, world: Path, rows: Rows, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    t = rows.occurred_at
    masks = window.masks(t)
    ids, X, amount = rows.ids, rows.X, rows.amount
    fit, valid, test = masks["fit"], masks["valid"], masks["test"]
    y_fit = labels_as_of(rows.known_at[fit], window.cutoff)
    y_valid = labels_as_of(rows.known_at[valid], window.cutoff)
    y_test = labels_as_of(rows.known_at[test], window.matured_at)
    for part, y in (("fit", y_fit), ("valid", y_valid), ("test", y_test)):
        if y.sum() == 0:
            raise ValueError(f"seed {seed}, cut-off {window.name}: no fraud labels in the {part} days")
    costs = PolicyCosts.seeded(float(np.median(amount[fit | valid])), args.chargeback_fee, args.review_cost,
                               args.fn_over_fp)
    params = ModelParams()
    scorers = {
        "model": fit_model(X[fit], y_fit, X[valid], y_valid, rows.features, params),
        "scorecard": fit_scorecard(X[fit], y_fit, X[valid], y_valid, params.seed),
    }
    day_valid = day_of(t[valid])
    p_test = {k: s.score(X[test]) for k, s in scorers.items()}
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
            "fit_frauds_known": int(y_fit.sum()), "valid_frauds_known": int(y_valid.sum()),
            "days": list(days[BASELINE].index), "systems": systems}


def target_met(result: dict[str, Any]) -> bool:
    s = result["systems"][TARGET_SYSTEM]
    return s["ratio_to_rules"] <= TARGET_RATIO and s["ratio_to_rules_ci90"][1] < TARGET_UPPER


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.monotonic()
    timings: dict[str, float] = {}
    try:
        worlds: list[tuple[Any, Path, Path]] = []
        for spec in args.world:
            w, _, tbl = spec.partition(":")
            if not tbl:
                raise ValueError(f"--world {spec}: expected WORLD_DIR:TABLE_DIR")
            worlds.append((Path(w).name, Path(w), Path(tbl)))
        if not worlds:
            seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
            worlds = [(s, *simulated_world(s, args.days, args.checkouts_per_day, Path(args.cache), timings))
                      for s in seeds]
        model_dir = Path(args.model) if args.model else champion_dir()
        out = Path(args.out) if args.out else model_dir / "backtest"
        results = []
        with tempfile.TemporaryDirectory(prefix="riskgate-backtest-") as tmp:
            for seed, world, table_dir in worlds:
                rows = Rows.load(table_dir)
                t = rows.occurred_at
                windows = rolling_windows(t.min(), t.max(), n_windows=args.windows, test_days=args.test_days,
                                          gap_days=args.gap_days, valid_days=args.valid_days,
                                          maturity_days=args.maturity_days)
                for w in windows:
                    t0 = time.monotonic()
                    results.append(run_window(seed, w, world, rows, args, Path(tmp) / f"{seed}-{w.name}"))
                    timings[f"window seed {seed} {w.name}"] = time.monotonic() - t0
                    r = results[-1]["systems"]
                    print(f"  seed {seed} cut-off {w.name}: rules {r['rules']['cost_per_1000']:.1f} EUR/1000, "
                          f"model+rules {r[TARGET_SYSTEM]['cost_per_1000']:.1f} "
                          f"(x{r[TARGET_SYSTEM]['ratio_to_rules']:.2f}), "
                          f"{time.monotonic() - t0:.0f}s", file=sys.stderr)
        timings["total"] = time.monotonic() - started
        ok = all(target_met(r) for r in results)
        summary = write_report(out, results, vars(args), timings, model_dir, ok, target_met)
        print(summary)
        return 0 if ok or args.report_only else 1
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
