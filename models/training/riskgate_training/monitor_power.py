"""`npm run monitor:power`: how often the two missed-fraud tests alert by chance, and how soon they
see fraud the model prices too low, on simulated deployments (a script that prints its numbers).

Each run scores `--per-day` checkouts a day for `--days` days. Scores are those of a model that
separates well: 0.5 % of checkouts look risky, p ~ Beta(6, 4) (mean 0.6), the rest p ~ Beta(0.5,
400) (mean 0.00125); about 0.4 % are fraud, 70 % of them among the risky, and the frauds' mean score
is about 0.45 (the backtest's models: 0.5-0.7). Checkouts scored below ALLOW_BELOW are allowed,
the rest reviewed or blocked: the label-excess test watches the allowed ones, as the monitor does;
the score-mean test all labelled frauds. Fraud labels arrive after a delay drawn as in the
simulator (a fifth by review within 0.5-3 days, the rest by chargeback after a triangular 10/24/60
days). Both tests run at the end of every day until the labels have matured (days + 60), and the
first alert is kept. Scenarios:

* null: every checkout is fraud with its own score's probability (a calibrated model). Any alert
  is a false alarm.
* unseen fraud: from `--onset`, 0.3 % of checkouts (at any score) are fraud on top: a pattern the
  model does not recognise, scored like legit traffic.
* more fraud at the same scores: from `--onset`, every checkout is fraud with 1.6 x its score's
  probability (a prior shift: the frauds' scores look as before, there are more of them).
  (The simulator's own drift, adapted fraud scored lower but mostly still reviewed, is the
  backtest's: `npm run backtest`.)

The score-mean test (missed_fraud.py) takes its reference from 150 frauds of an earlier, separate
sample drawn anew for each run, as training takes it from the validation frauds; the label-excess test (label_excess.py)
takes the delay CDF measured on 20,000 simulated labels.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from riskgate_training import label_excess, missed_fraud

DAY_NS = label_excess.DAY_NS
ALLOW_BELOW = 0.05
RISKY_SHARE = 0.005
SCENARIOS = ("null", "unseen fraud", "more fraud at the same scores")


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
    if scenario == "null":
        fraud = rng.random(n) < p
    elif scenario == "unseen fraud":
        fraud = (rng.random(n) < p) | (after & (rng.random(n) < 0.003))
    elif scenario == "more fraud at the same scores":
        fraud = rng.random(n) < np.where(after, np.minimum(1.6 * p, 1.0), p)
    else:
        raise ValueError(f"unknown scenario {scenario!r}: one of {', '.join(SCENARIOS)}")
    return Deployment(day, p, np.where(fraud, day + label_delays(rng, n), np.inf), days)


def validation_frauds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Served scores of n frauds from a calibrated period before the deployment."""
    out = np.empty(0)
    while len(out) < n:
        p = scores(rng, 200_000)
        out = np.concatenate([out, p[rng.random(len(p)) < p]])
    return out[:n]


def first_alerts(d: Deployment, excess_ref: dict, mean_ref: dict) -> tuple[int | None, int | None]:
    """(label-excess, score-mean) first day each test alerts, checked at the end of every day."""
    excess = mean = None
    allowed = d.p < ALLOW_BELOW
    for end in range(1, d.days + 61):
        seen = d.day < end
        labelled = d.labelled_at[seen] < end
        scored_ns = (d.day[seen] * DAY_NS).astype(np.int64)
        ok = allowed[seen]
        if excess is None and label_excess.check(excess_ref, d.p[seen][ok], scored_ns[ok], labelled[ok],
                                                 end * DAY_NS)["alert"]:
            excess = end
        if mean is None and missed_fraud.check(mean_ref, d.p[seen][labelled], scored_ns[labelled])["alert"]:
            mean = end
        if excess is not None and mean is not None:
            break
    return excess, mean


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="npm run monitor:power --", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=100, help="deployments per scenario (default 100)")
    p.add_argument("--per-day", type=int, default=3_000, help="checkouts scored a day (default 3,000)")
    p.add_argument("--days", type=int, default=30, help="days scored (default 30)")
    p.add_argument("--onset", type=float, default=10.0, help="day the fraud changes (default 10)")
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
            results.append(first_alerts(simulate(rng, args.per_day, args.days, scenario, args.onset), excess_ref,
                                        mean_ref))
        onset = None if scenario == "null" else args.onset
        print(f"{scenario}:")
        print("  " + _summary("label excess", [e for e, _ in results], onset))
        print("  " + _summary("score mean  ", [m for _, m in results], onset))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
