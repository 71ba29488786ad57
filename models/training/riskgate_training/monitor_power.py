"""`npm run monitor:power`: how often the monitor's three label tests alert by chance, how soon the
two missed-fraud tests see fraud the model prices too low, and how soon the label-arrivals test sees
a label feed that stops, on simulated deployments (a script that prints its numbers).

Each run scores `--per-day` checkouts a day for `--days` days. Scores are those of a model that
separates well: 0.5 % of checkouts look risky, p ~ Beta(6, 4) (mean 0.6), the rest p ~ Beta(0.5,
400) (mean 0.00125); about 0.4 % are fraud, 70 % of them among the risky, and the frauds' mean score
is about 0.45 (the backtest's models: 0.5-0.7). Checkouts scored below ALLOW_BELOW are allowed,
the rest reviewed or blocked: the label-excess test watches the allowed ones, as the monitor does;
the score-mean test all labelled frauds; the label-arrivals test, like the label-excess one, the
allowed. Fraud labels arrive after a delay drawn as in the
simulator (a fifth by review within 0.5-3 days, the rest by chargeback after a triangular 10/24/60
days). The tests run at the end of every day until the labels have matured (days + 60), and the
first alert of each is kept. Scenarios:

* null: every checkout is fraud with its own score's probability (a calibrated model). Any alert
  is a false alarm.
* unseen fraud: from `--onset`, 0.3 % of checkouts (at any score) are fraud on top: a pattern the
  model does not recognise, scored like legit traffic.
* more fraud at the same scores: from `--onset`, every checkout is fraud with 1.6 x its score's
  probability (a prior shift: the frauds' scores look as before, there are more of them).
  (The simulator's own drift, adapted fraud scored lower but mostly still reviewed, is the
  backtest's: `npm run backtest`.)
* labels stop arriving: fraud as in null, but from `--feed-onset` (default day 40, ten days after
  the last checkout scored, when this model's labels arrive fastest) no fraud label arrives any more
  (a chargeback feed that broke). A feed that breaks in a model's first weeks is seen later: its
  checkouts are young, and few of their labels are due yet.
* fewer frauds than the scores: from `--onset`, every checkout is fraud with 0.6 x its score's
  probability (a model that prices too high).

The score-mean test (missed_fraud.py) takes its reference from 150 frauds of an earlier, separate
sample drawn anew for each run, as training takes it from the validation frauds; the label-excess test (label_excess.py)
takes the delay CDF measured on 20,000 simulated labels.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from riskgate_training import label_arrivals, label_excess, missed_fraud

DAY_NS = label_excess.DAY_NS
ALLOW_BELOW = 0.05
RISKY_SHARE = 0.005
SCENARIOS = ("null", "unseen fraud", "more fraud at the same scores", "labels stop arriving",
             "fewer frauds than the scores")
NEVER = np.iinfo(np.int64).max


class EmpiricalCdf:
    """Share of delays <= age (nowcast.DelayCdf's form, without its table)."""

    def __init__(self, delays: np.ndarray) -> None:
        self.delays = np.sort(delays)

    def __call__(self, age_days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.delays, np.asarray(age_days, dtype=np.float64), side="right") / len(self.delays)


def label_delays(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.where(rng.random(n) < 0.2, rng.uniform(0.5, 3, n), rng.triangular(10, 24, 60, n))


def scores(rng: np.random.Generator, n: int) -> np.ndarray:
    risky = rng.random(n) < RISKY_SHARE
    return np.where(risky, rng.beta(6, 4, n), rng.beta(0.5, 400, n))


@dataclass(frozen=True)
class Deployment:
    """Checkouts one model scored: day scored (float), served score, when the fraud label arrives
    (inf: never, i.e. legit)."""

    day: np.ndarray
    p: np.ndarray
    labelled_at: np.ndarray
    days: int


def simulate(rng: np.random.Generator, per_day: int, days: int, scenario: str = "null",
             onset: float = 10.0) -> Deployment:
    n = per_day * days
    day = np.sort(rng.uniform(0, days, n))
    p = scores(rng, n)
    after = day >= onset
    if scenario in ("null", "labels stop arriving"):
        fraud = rng.random(n) < p
    elif scenario == "unseen fraud":
        fraud = (rng.random(n) < p) | (after & (rng.random(n) < 0.003))
    elif scenario == "more fraud at the same scores":
        fraud = rng.random(n) < np.where(after, np.minimum(1.6 * p, 1.0), p)
    elif scenario == "fewer frauds than the scores":
        fraud = rng.random(n) < np.where(after, 0.6 * p, p)
    else:
        raise ValueError(f"unknown scenario {scenario!r}: one of {', '.join(SCENARIOS)}")
    labelled_at = np.where(fraud, day + label_delays(rng, n), np.inf)
    if scenario == "labels stop arriving":
        labelled_at = np.where(labelled_at >= onset, np.inf, labelled_at)
    return Deployment(day, p, labelled_at, days)


def validation_frauds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Served scores of n frauds from a calibrated period before the deployment."""
    out = np.empty(0)
    while len(out) < n:
        p = scores(rng, 200_000)
        out = np.concatenate([out, p[rng.random(len(p)) < p]])
    return out[:n]


def first_alerts(d: Deployment, excess_ref: dict, mean_ref: dict) -> tuple[int | None, int | None, int | None]:
    """(label-excess, score-mean, label-arrivals) first day each test alerts, checked at the end of
    every day."""
    first: list[int | None] = [None, None, None]
    allowed = d.p < ALLOW_BELOW
    label_ns = np.full(len(d.labelled_at), NEVER, dtype=np.int64)
    arrives = np.isfinite(d.labelled_at)
    label_ns[arrives] = (d.labelled_at[arrives] * DAY_NS).astype(np.int64)
    for end in range(1, d.days + 61):
        seen = d.day < end
        labelled = d.labelled_at[seen] < end
        scored_ns = (d.day[seen] * DAY_NS).astype(np.int64)
        ok = allowed[seen]
        p, at = d.p[seen][ok], scored_ns[ok]
        tests = (lambda: label_excess.check(excess_ref, p, at, labelled[ok], end * DAY_NS),
                 lambda: missed_fraud.check(mean_ref, d.p[seen][labelled], scored_ns[labelled]),
                 lambda: label_arrivals.check(excess_ref, p, at, label_ns[seen][ok], end * DAY_NS))
        for i, test in enumerate(tests):
            if first[i] is None and test()["alert"]:
                first[i] = end
        if all(f is not None for f in first):
            break
    return first[0], first[1], first[2]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="npm run monitor:power --", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=100, help="deployments per scenario (default 100)")
    p.add_argument("--per-day", type=int, default=3_000, help="checkouts scored a day (default 3,000)")
    p.add_argument("--days", type=int, default=30, help="days scored (default 30)")
    p.add_argument("--onset", type=float, default=10.0, help="day the fraud changes (default 10)")
    p.add_argument("--feed-onset", type=float, default=40.0, help="day the label feed stops (default 40)")
    p.add_argument("--seed", type=int, default=7)
    return p


def _summary(name: str, days: list[int | None], onset: float | None) -> str:
    fired = sorted(d for d in days if d is not None)
    text = f"{name}: alerted in {len(fired)} of {len(days)} runs"
    if onset is None or not fired:
        return text
    early = sum(d <= onset for d in fired)
    lags = [d - onset for d in fired if d > onset]
    if lags:
        text += f"; lag from the onset p25/p50/p75 {np.percentile(lags, 25):.0f}/{np.median(lags):.0f}/" \
                f"{np.percentile(lags, 75):.0f} d"
    return text + (f"; {early} before the onset" if early else "")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    rng = np.random.default_rng(args.seed)
    excess_ref = label_excess.reference(EmpiricalCdf(label_delays(rng, 20_000)), 60, "simulated delays")
    print(f"{args.runs} deployments per scenario: {args.per_day:,} checkouts a day for {args.days} days, "
          f"checked daily until day {args.days + 60}; seed {args.seed}")
    for scenario in SCENARIOS:
        results = []
        for _ in range(args.runs):
            # each deployment is a model of its own, with its own validation frauds
            mean_ref = missed_fraud.reference(validation_frauds(rng, 150))
            onset = args.feed_onset if scenario == "labels stop arriving" else args.onset
            results.append(first_alerts(simulate(rng, args.per_day, args.days, scenario, onset), excess_ref,
                                        mean_ref))
        onset = None if scenario == "null" else onset
        print(f"{scenario}:")
        print("  " + _summary("label excess  ", [r[0] for r in results], onset))
        print("  " + _summary("score mean    ", [r[1] for r in results], onset))
        print("  " + _summary("label arrivals", [r[2] for r in results], onset))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
