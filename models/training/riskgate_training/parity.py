"""parity.jsonl: rows the TypeScript service replays to prove it scores like training did.

One JSON object per line:
  {"event_id", "features": [float32 values widened to double, manifest order],
   "raw": LightGBM probability (float64 features), "onnx_raw": onnxruntime probability,
   "calibrated": calibration(onnx_raw) (the number the service must reproduce within 1e-5),
   "contrib": LightGBM pred_contrib in log-odds, one per feature, bias last}
Rows are a stratified sample of the test split: every fraud row up to a third of the file,
the rest legit, ordered by time.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np


def sample_rows(y: np.ndarray, n_rows: int, seed: int = 0) -> np.ndarray:
    """Indices into the split: frauds first (capped at n_rows // 3), legit fill the rest."""
    rng = np.random.default_rng(seed)
    fraud = np.flatnonzero(y == 1)
    legit = np.flatnonzero(y == 0)
    n_fraud = min(len(fraud), max(1, n_rows // 3)) if len(fraud) else 0
    pick_f = rng.choice(fraud, size=n_fraud, replace=False) if n_fraud else np.zeros(0, dtype=np.int64)
    n_legit = min(len(legit), n_rows - n_fraud)
    pick_l = rng.choice(legit, size=n_legit, replace=False) if n_legit else np.zeros(0, dtype=np.int64)
    return np.sort(np.concatenate([pick_f, pick_l]).astype(np.int64))


def write_parity(path: Path, event_ids: np.ndarray, X: np.ndarray, raw: np.ndarray, onnx_raw: np.ndarray,
                 calibrated: np.ndarray, contrib: np.ndarray) -> int:
    """Write the rows; returns how many were written."""
    X32 = np.asarray(X, dtype=np.float32).astype(np.float64)
    with path.open("w") as f:
        for i in range(len(event_ids)):
            row = {
                "event_id": str(event_ids[i]),
                "features": [float(v) for v in X32[i]],
                "raw": float(raw[i]),
                "onnx_raw": float(np.float32(onnx_raw[i])),
                "calibrated": float(calibrated[i]),
                "contrib": [float(v) for v in contrib[i]],
            }
            for key in ("raw", "onnx_raw", "calibrated"):
                if not math.isfinite(row[key]):
                    raise ValueError(f"non-finite {key} for event {row['event_id']}")
            f.write(json.dumps(row, separators=(",", ":")) + "\n")
    return len(event_ids)


def read_parity(path: Path) -> list[dict]:
    with path.open() as f:
        return [json.loads(line) for line in f if line.strip()]
