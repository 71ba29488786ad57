"""The label-count tests (label_excess.py, label_arrivals.py) as `npm run monitor` runs them: their
reference from the manifest (or measured on the training table), the tests over the checkouts the
model allowed, and their lines of the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskgate_training import label_arrivals, label_excess


def excess_reference_of(manifest: dict[str, Any], table: str | None) -> dict[str, Any] | None:
    """The label-excess test's reference: the manifest's block, else measured on --table as training
    would have (label delays at the training date), else None (the test is skipped)."""
    block = manifest.get("monitoring", {}).get("label_excess")
    if block or not table:
        return block
    from riskgate_training.data import load_table
    from riskgate_training.nowcast import DelayCdf

    labels = manifest["labels"]
    t = load_table(Path(table))
    trained_at = pd.to_datetime(labels["known_as_of"]["train"], utc=True)
    cdf = DelayCdf.measure(t.occurred_at, t.known_at, trained_at, labels["maturity_days"])
    return label_excess.reference(cdf, labels["maturity_days"], label_excess.SOURCE)


def _allowed(served: dict[str, tuple[float, str, str]], labelled: dict[str, pd.Timestamp],
             as_of: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(served score, scored at, first fraud label at) as epoch ns, of the checkouts this model allowed
    before `as_of`: only they come back as chargebacks (a blocked checkout is never paid; a reviewed
    one is labelled by its review, days ahead of the delay curve). No label yet: int64 max."""
    ids = [eid for eid, (_, _, decision) in served.items() if decision == "allow"]
    scored = pd.to_datetime(pd.Series([served[i][1] for i in ids], dtype=object), utc=True, format="ISO8601",
                            errors="coerce")
    # A record without a time cannot be placed on the delay curve: it is left out, not guessed.
    scored_ns = scored.dt.as_unit("ns").astype("int64").to_numpy()
    before = (scored.notna() & (scored < as_of)).to_numpy()
    p = np.fromiter((served[i][0] for i in ids), dtype=np.float64, count=len(ids))
    never = np.iinfo(np.int64).max
    label_ns = np.fromiter((labelled[i].value if i in labelled else never for i in ids), dtype=np.int64,
                           count=len(ids))
    return p[before], scored_ns[before], label_ns[before]


def excess_of(ref: dict[str, Any], served: dict[str, tuple[float, str, str]], labelled: dict[str, pd.Timestamp],
              as_of: pd.Timestamp) -> dict[str, Any]:
    """label_excess.check and label_arrivals.check over the checkouts this model allowed."""
    p, scored_ns, label_ns = _allowed(served, labelled, as_of)
    return {"reference": {k: v for k, v in ref.items() if k != "label_delay_cdf"},
            **label_excess.check(ref, p, scored_ns, label_ns < as_of.value, as_of.value),
            "arrivals": label_arrivals.check(ref, p, scored_ns, label_ns, as_of.value)}


def excess_report(e: dict[str, Any] | None) -> str:
    if e is None:
        return "  labels against the served scores: no label-delay CDF (a manifest from before it; pass --table)"
    ref = e["reference"]
    if e["checkouts"] == 0:
        return "  labels against the served scores: no checkout allowed yet"
    line = (f"  fraud labels on the checkouts this model allowed: {e['labels']}, its served scores predict "
            f"{e['expected']:.1f} by now (z {e['z']:+.2f}; alert above {ref.get('z', label_excess.Z_CUMULATIVE)} "
            f"with at least {ref.get('min_labels', label_excess.MIN_LABELS)}): "
            f"{'ALERT' if e['cumulative_alert'] else 'ok'}")
    if rec := e.get("recent"):
        line += (f"\n  scored since {rec['since']} (the day furthest ahead): {rec['labels']} labels, "
                 f"{rec['expected']:.1f} predicted (z {rec['z']:+.2f}, alert above "
                 f"{ref.get('z_recent', label_excess.Z_RECENT)}): {'ALERT' if rec['alert'] else 'ok'}")
    if arr := e.get("arrivals"):
        short = "SHORTFALL (a label feed broken, or a model that prices too high)" if arr["alert"] else "ok"
        line += (f"\n  fraud labels that arrived in the last {arr['days']:g} days: {arr['arrived']}, the scores "
                 f"predict {arr['expected']:.1f} (shortfall z {arr['z']:+.2f}; alert above "
                 f"{ref.get('z_shortfall', label_arrivals.Z_SHORTFALL)} with at least "
                 f"{ref.get('min_expected_arrivals', label_arrivals.MIN_EXPECTED):g} predicted): {short}")
    return line
