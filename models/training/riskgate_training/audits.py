"""The leak audit and the missing-stream report that `evaluate` prints after its metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskgate_training import leak_audit, stream_robustness
from riskgate_training.calibration import apply_calibration
from riskgate_training.data import load_table
from riskgate_training.export import onnx_fraud_proba, session
from riskgate_training.manifest import read_manifest


def run(model_dir: Path, table_dir: Path) -> tuple[dict[str, Any], str, bool]:
    """(JSON-ready results, printable text, leak audit passed)."""
    manifest = read_manifest(model_dir)
    table = load_table(table_dir)
    frame: pd.DataFrame = table.frame
    features = list(manifest["features"])
    out: dict[str, Any] = {}
    texts: list[str] = []

    train, test = leak_audit.split_rows(frame, manifest["split"])
    passed = True
    if len(train) == 0 or len(test) == 0:
        texts.append("== leak audit: skipped (the table has no rows in the model's train or test split) ==")
    else:
        audit = leak_audit.run(model_dir, manifest, frame)
        passed = audit.passed
        out["leak_audit"] = audit.to_dict()
        texts.append(leak_audit.report(audit))

    rows = test if len(test) > 0 else frame
    sess = session((Path(model_dir) / manifest["onnx"]["file"]).read_bytes())

    def score(X: np.ndarray) -> np.ndarray:
        raw = onnx_fraud_proba(sess, X, manifest["onnx"]["input_name"])
        return apply_calibration(manifest["calibration"], raw)

    results = stream_robustness.run(manifest, table.meta["feature_sources"], rows[features].to_numpy(np.float64),
                                    rows["label"].to_numpy(np.int64), rows["amount_eur"].to_numpy(np.float64),
                                    score)
    out["missing_stream"] = stream_robustness.to_dict(results)
    texts.append(stream_robustness.report(results))
    return out, "\n".join(texts), passed
