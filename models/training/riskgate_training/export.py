"""ONNX export and its verification with onnxruntime.

The service runs float32 ONNX; LightGBM trained with float64 thresholds. A feature value
between float32(threshold) and the threshold goes the other way in ONNX, so we measure the
disagreement instead of assuming it away.
"""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np
import onnx
import onnxruntime as ort
from onnxmltools import convert_lightgbm
from onnxmltools.convert.common.data_types import FloatTensorType

INPUT_NAME = "input"
PROBA_OUTPUT = "probabilities"
FRAUD_INDEX = 1
FLIP_TOLERANCE = 1e-6


def to_onnx(booster: lgb.Booster, n_features: int, input_name: str = INPUT_NAME) -> onnx.ModelProto:
    """Convert with zipmap off: outputs 'label' [N] int64 and 'probabilities' [N, 2] float32."""
    model = convert_lightgbm(
        booster, name="riskgate_fraud", initial_types=[(input_name, FloatTensorType([None, n_features]))], zipmap=False
    )
    for out in model.graph.output:  # the converter declares label as [1]; it is [N]
        if out.name == "label":
            dims = out.type.tensor_type.shape.dim
            if len(dims) == 1:
                dims[0].Clear()
                dims[0].dim_param = "N"
    onnx.checker.check_model(model)
    return model


def session(model: onnx.ModelProto | bytes) -> ort.InferenceSession:
    """Single-threaded CPU session, like the service (see DESIGN: p99 jumps with a pool)."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    data = model if isinstance(model, bytes) else model.SerializeToString()
    return ort.InferenceSession(data, sess_options=opts, providers=["CPUExecutionProvider"])


def onnx_fraud_proba(sess: ort.InferenceSession, X: np.ndarray, input_name: str = INPUT_NAME,
                     batch: int = 65536) -> np.ndarray:
    """Fraud probability from ONNX (float32), computed on float32 features."""
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    out = []
    for i in range(0, len(X32), batch):
        (proba,) = sess.run([PROBA_OUTPUT], {input_name: X32[i:i + batch]})
        out.append(proba[:, FRAUD_INDEX])
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)


def float32_report(booster: lgb.Booster, X: np.ndarray, lgb_p: np.ndarray, onnx_p: np.ndarray) -> dict[str, Any]:
    """max |onnx - lightgbm|, rows over 1e-6, and rows whose leaf assignment changes when the
    features are rounded to float32 (the split flips that cause the big differences)."""
    diff = np.abs(onnx_p.astype(np.float64) - lgb_p)
    leaves64 = booster.predict(X, pred_leaf=True, num_threads=2)
    leaves32 = booster.predict(X.astype(np.float32).astype(np.float64), pred_leaf=True, num_threads=2)
    flipped = np.any(leaves64 != leaves32, axis=1)
    return {
        "rows": int(len(diff)),
        "max_abs_diff": float(diff.max()) if len(diff) else 0.0,
        "rows_over_tolerance": int((diff > FLIP_TOLERANCE).sum()),
        "tolerance": FLIP_TOLERANCE,
        "rows_with_leaf_flips_float32": int(flipped.sum()),
        "measured_on": "test split, LightGBM on float64 features vs onnxruntime on float32 features",
    }


def check_agreement(lgb_p: np.ndarray, onnx_p: np.ndarray, limit: float = 1e-3) -> None:
    """Guard against a broken export (e.g. wrong output index): most rows must agree closely."""
    diff = np.abs(onnx_p.astype(np.float64) - lgb_p)
    if len(diff) and float(np.median(diff)) > 1e-5:
        raise RuntimeError(f"ONNX export disagrees with LightGBM: median |diff| = {np.median(diff):.3g}")
    if len(diff) and float(np.mean(diff > limit)) > 0.01:
        raise RuntimeError(f"ONNX export disagrees with LightGBM on {np.mean(diff > limit):.1%} of rows (> {limit})")
