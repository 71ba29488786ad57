"""Selection bias: join the scoring API's decision log and reweight by propensity.

The decision log is JSONL of decisions-topic records; this reader needs `event_id`, `decision`
(allow/review/block), `propensity` (probability that the checkout got the decision it got;
1 when not exploring) and `exploration` (bool). Rules applied to the training table:

* a blocked checkout never becomes a "legit" label: its payment never happened, so its outcome
  is unknown. Blocked rows are dropped (all of them, fraud-labelled or not: keeping only the
  fraud-labelled ones would bias the other way);
* exploration draws, for each would-be allow, review (propensity = share) or allow
  (propensity = 1 - share); both arms have outcomes (review outcome; chargeback or none), so each
  arm weighted 1 / propensity stands for all would-be allows. Both are kept, scaled so that
  together they weigh as many rows as they are (self-normalised: plain 1 / propensity would
  count the would-be allows twice). The explored reviews, with ground-truth outcomes, so carry
  half of that stratum's weight however small the share;
* rows decided without exploration (propensity 1) and rows without a record keep weight 1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from riskgate_training.data import TableError

DECISIONS = ("allow", "review", "block")


@dataclass(frozen=True)
class Reweighting:
    keep: np.ndarray  # bool per table row
    weight: np.ndarray  # float64 per table row (1 where no record)
    report: dict[str, Any]


def read_decision_log(path: Path) -> dict[str, tuple[str, float, bool]]:
    """event_id -> (decision, propensity, exploration); errors name the line and field."""
    out: dict[str, tuple[str, float, bool]] = {}
    with Path(path).open() as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise TableError(f"{path}:{n}: not JSON: {e}") from e
            for field in ("event_id", "decision", "propensity"):
                if field not in rec:
                    raise TableError(f"{path}:{n}: missing field {field!r}")
            if rec["decision"] not in DECISIONS:
                raise TableError(f"{path}:{n}: field 'decision' must be one of {DECISIONS}, got {rec['decision']!r}")
            p = rec["propensity"]
            if not isinstance(p, (int, float)) or not 0.0 < p <= 1.0:
                raise TableError(f"{path}:{n}: field 'propensity' must be a number in (0, 1], got {p!r}")
            out[str(rec["event_id"])] = (rec["decision"], float(p), bool(rec.get("exploration", False)))
    return out


def reweight(event_ids: np.ndarray, log: dict[str, tuple[str, float, bool]]) -> Reweighting:
    n = len(event_ids)
    keep = np.ones(n, dtype=bool)
    weight = np.ones(n, dtype=np.float64)
    matched = blocked = explored = 0
    for i, eid in enumerate(event_ids):
        rec = log.get(eid)
        if rec is None:
            continue
        matched += 1
        decision, propensity, exploration = rec
        if decision == "block":
            keep[i] = False
            blocked += 1
            continue
        weight[i] = 1.0 / propensity
        explored += exploration
    drawn = keep & (weight > 1.0)
    if drawn.any():
        weight[drawn] *= drawn.sum() / weight[drawn].sum()
    report = {
        "rows": n, "rows_with_decision": matched, "blocked_dropped": blocked, "explored": explored,
        "weight_max": float(weight[keep].max()) if keep.any() else None,
        "rule": "blocked: dropped (outcome unknown); rows of the exploration draw: 1/propensity, self-normalised "
                "to their count; others: weight 1",
    }
    return Reweighting(keep, weight, report)
