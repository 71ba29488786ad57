"""Bridge to the TypeScript decision replay (services/scoring-api/bin/replay-decisions.ts).

Python never decides a checkout: it writes each system's calibrated scores and operating point,
the replay runs them through the serving pipeline (real CEL rules, policy, per-day review budget),
and Python reads back one decision per checkout and system.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


REPO_ROOT = Path(__file__).resolve().parents[3]
REPLAY_SCRIPT = REPO_ROOT / "services" / "scoring-api" / "bin" / "replay-decisions.ts"
NODE = REPO_ROOT / "node_modules" / ".bin" / "node"


@dataclass(frozen=True)
class SystemSpec:
    name: str
    scores: np.ndarray | None = None
    policy: dict[str, float] | None = None


def replay(work: Path, *, checkouts: Path, table_csv: Path, event_ids: np.ndarray, systems: list[SystemSpec],
           start: pd.Timestamp, end: pd.Timestamp, capacity_per_day: int, overflow: str = "expected_loss",
           rules: Path | None = None) -> pd.DataFrame:
    """Replays the checkouts in [start, end) for every system; returns the decisions frame
    (system, event_id, occurred_at, rule, pipeline, decision, score, overflow)."""
    if not NODE.exists():
        raise FileNotFoundError(f"{NODE}: the pinned Node.js is missing (run `npm ci` at the repo root)")
    work.mkdir(parents=True, exist_ok=True)
    spec = []
    for s in systems:
        entry: dict[str, object] = {"name": s.name}
        if s.scores is not None:
            path = work / f"scores-{s.name}.csv"
            pd.DataFrame({"event_id": event_ids, "score": s.scores}).to_csv(path, index=False, float_format="%.17g")
            entry["scores"] = path.name
            entry["policy"] = s.policy
        spec.append(entry)
    (work / "systems.json").write_text(json.dumps({"systems": spec}, indent=2) + "\n")
    out = work / "decisions.csv"
    iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731
    cmd = [str(NODE), str(REPLAY_SCRIPT), "--checkouts", str(checkouts), "--features", str(table_csv),
           "--systems", str(work / "systems.json"), "--out", str(out), "--from", iso(start), "--to", iso(end),
           "--review-capacity", str(int(capacity_per_day)), "--overflow", overflow]
    if rules is not None:
        cmd += ["--rules", str(rules)]
    done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"decision replay failed ({done.returncode}): {done.stderr.strip()}")
    frame = pd.read_csv(out, dtype={"system": str, "event_id": str, "rule": str, "pipeline": str, "decision": str},
                        keep_default_na=False, na_values={"score": [""]})
    frame["overflow"] = frame["overflow"].astype(bool)
    return frame
