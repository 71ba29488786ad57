"""Which fraud got through: a backtest window's labelled frauds by the simulator's pattern.

A cost ratio says that a window went wrong, not which attack did it. The simulator's truth.jsonl
names each checkout's fraud pattern and whether it used the pattern's adapted (drifted) behaviour;
this module groups the window's matured frauds by it and states, per system, the share of the money
at stake (amount + chargeback fee) that the decisions stopped (review or block, as the costs count
them) and the model's mean served probability. Diagnostics only: the truth never reaches training.

A fraud label whose truth is legit (friendly fraud) is its own group: it is priced like any fraud.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SYSTEMS = ("rules", "model_equal", "model_capacity")
FRIENDLY = "friendly fraud (truth legit)"


def load_truth(world: Path) -> pd.DataFrame | None:
    """truth.jsonl indexed by checkout event id (pattern, drifted), None when the world has none."""
    path = world / "truth.jsonl"
    if not path.is_file():
        return None
    rows = [json.loads(line) for line in path.read_text().splitlines() if line]
    truth = pd.DataFrame(rows).set_index("checkout_event_id")
    if "drifted" not in truth:  # worlds simulated before the field existed
        truth["drifted"] = False
    return truth[["pattern", "drifted"]]


def fraud_by_pattern(truth: pd.DataFrame, ids: np.ndarray, fraud: np.ndarray, amount: np.ndarray, p_model: np.ndarray,
                     decisions: pd.DataFrame, fee: float) -> list[dict[str, Any]]:
    """Per pattern (and adapted or not) among the window's labelled frauds: count, EUR at stake, EUR share
    stopped per system, mean served model p. `decisions` has event_id, system and decision columns."""
    fraud = np.asarray(fraud).astype(bool)
    known = truth.reindex(ids[fraud])
    frauds = pd.DataFrame({"event_id": ids[fraud], "at_stake": np.asarray(amount, dtype=np.float64)[fraud] + fee,
                           "p": np.asarray(p_model, dtype=np.float64)[fraud],
                           "pattern": known["pattern"].fillna(FRIENDLY).to_numpy(),
                           "adapted": known["drifted"].fillna(False).astype(bool).to_numpy()})
    stopped = decisions[decisions["decision"].isin(["review", "block"])]
    out = []
    for (pattern, adapted), g in frauds.groupby(["pattern", "adapted"], sort=True):
        total = float(g["at_stake"].sum())
        shares = {}
        for system in SYSTEMS:
            hit = g["event_id"].isin(stopped.loc[stopped["system"] == system, "event_id"]).to_numpy()
            shares[system] = float(g["at_stake"].to_numpy()[hit].sum() / total) if total > 0 else None
        out.append({"pattern": pattern, "adapted": bool(adapted), "frauds": int(len(g)), "eur_at_stake": total,
                    "stopped_share_eur": shares, "mean_model_p": float(g["p"].mean())})
    return out


def pattern_table(results: list[dict[str, Any]]) -> list[str]:
    """One markdown table over every window that has the simulator's truth."""
    lines = ["| seed | cut-off | pattern | frauds | EUR at stake | EUR stopped: rules alone | model+rules, rules' "
             "volume | model+rules, capacity | model's mean p |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    pct = lambda v: "–" if v is None else f"{100 * v:.0f} %"  # noqa: E731
    for r in results:
        for g in r.get("fraud_by_pattern") or []:
            s = g["stopped_share_eur"]
            name = g["pattern"] + (", adapted" if g["adapted"] else "")
            lines.append(f"| {r['seed']} | {r['window']['cutoff'][:10]} | {name} | {g['frauds']} | "
                         f"{g['eur_at_stake']:,.0f} | {pct(s['rules'])} | {pct(s['model_equal'])} | "
                         f"{pct(s['model_capacity'])} | {g['mean_model_p']:.3f} |")
    return lines if len(lines) > 2 else []
