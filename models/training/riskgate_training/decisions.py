"""Selection bias: join the scoring API's decision log and reweight by propensity.

The decision log is JSONL of decisions-topic records; this reader needs `event_id`, `decision`
(allow/review/block), `propensity` (probability that the checkout got the decision it got;
1 when not exploring) and `exploration` (bool). Rules applied to the training table:

* a blocked checkout never becomes a "legit" label: its payment never happened, so its outcome
  is unknown. Blocked rows are dropped (all of them, fraud-labelled or not: keeping only the
  fraud-labelled ones would bias the other way);
* every other row with a record gets weight 1 / propensity, so the share of traffic that
  exploration reviewed stands for the would-be allows it was sampled from;
* rows without a record keep weight 1 (traffic the log does not cover, e.g. before it began).
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
    report = {
        "rows": n, "rows_with_decision": matched, "blocked_dropped": blocked, "explored": explored,
        "weight_max": float(weight[keep].max()) if keep.any() else None,
        "rule": "blocked: dropped (outcome unknown); others: weight 1/propensity; no record: weight 1",
    }
    return Reweighting(keep, weight, report)
