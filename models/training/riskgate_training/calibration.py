"""Probability calibration fitted on the validation split.

Only two representations exist, both trivially re-implementable in TypeScript:

* isotonic: {"method": "isotonic", "x": [...], "y": [...]}
      p = y[0]                          if r <= x[0]
      p = y[-1]                         if r >= x[-1]
      p = y[i] + (r - x[i]) * (y[i+1] - y[i]) / (x[i+1] - x[i])   for x[i] <= r < x[i+1]
  (exactly numpy.interp; x strictly increasing)
* platt: {"method": "platt", "a": a, "b": b, "eps": eps}
      q = min(max(r, eps), 1 - eps);  p = 1 / (1 + exp(-(a * ln(q / (1 - q)) + b)))

r is the ONNX model's float32 fraud probability widened to float64. The method with the
lower ECE (cross-fitted on two halves of the validation split, so isotonic's flexibility is
not rewarded for memorising) is chosen and then refitted on the whole validation split.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize
from sklearn.isotonic import IsotonicRegression

from riskgate_training.metrics import ece

PLATT_EPS = 1e-7
Calibration = dict[str, Any]


def fit_isotonic(raw: np.ndarray, y: np.ndarray) -> Calibration:
    """Monotone piecewise-linear map raw -> P(fraud), clipped at the ends."""
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
    iso.fit(np.asarray(raw, dtype=np.float64), np.asarray(y, dtype=np.float64))
    x = np.asarray(iso.X_thresholds_, dtype=np.float64)
    yy = np.asarray(iso.y_thresholds_, dtype=np.float64)
    if len(x) < 2 or not np.all(np.diff(x) > 0):
        raise ValueError("isotonic fit degenerate (need >= 2 strictly increasing knots)")
    return {"method": "isotonic", "x": x.tolist(), "y": yy.tolist()}


def _logit(raw: np.ndarray, eps: float = PLATT_EPS) -> np.ndarray:
    q = np.clip(np.asarray(raw, dtype=np.float64), eps, 1.0 - eps)
    return np.log(q / (1.0 - q))


def fit_platt(raw: np.ndarray, y: np.ndarray) -> Calibration:
    """Logistic regression of the label on logit(raw) (unregularised maximum likelihood)."""
    z = _logit(raw)
    t = np.asarray(y, dtype=np.float64)

    def nll(params: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = params
        s = a * z + b
        # log(1 + exp(s)) - t*s, stable
        loss = np.logaddexp(0.0, s) - t * s
        g = 1.0 / (1.0 + np.exp(-s)) - t
        return float(loss.sum()), np.array([float((g * z).sum()), float(g.sum())])

    res = minimize(nll, x0=np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    a, b = (float(v) for v in res.x)
    return {"method": "platt", "a": a, "b": b, "eps": PLATT_EPS}


def apply_calibration(cal: Calibration, raw: np.ndarray) -> np.ndarray:
    """The serving formula (see module docstring); the TypeScript side must mirror this."""
    r = np.asarray(raw, dtype=np.float64)
    if cal["method"] == "isotonic":
        return np.interp(r, np.asarray(cal["x"], dtype=np.float64), np.asarray(cal["y"], dtype=np.float64))
    if cal["method"] == "platt":
        s = cal["a"] * _logit(r, cal.get("eps", PLATT_EPS)) + cal["b"]
        return 1.0 / (1.0 + np.exp(-s))
    if cal["method"] == "identity":
        return r
    raise ValueError(f"unknown calibration method {cal['method']!r}")


FITTERS = {"isotonic": fit_isotonic, "platt": fit_platt}


def choose_calibration(raw: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[Calibration, dict[str, Any]]:
    """Pick isotonic or Platt by cross-fitted ECE on the validation split, refit on all of it.

    Returns the calibration and a report {method: {"cv_ece": ..}, "raw_ece": ..} for the manifest.
    """
    raw = np.asarray(raw, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    rng = np.random.default_rng(seed)
    fold = rng.integers(0, 2, size=len(raw))
    report: dict[str, Any] = {"raw_ece_valid": ece(y, raw), "selection": "2-fold cross-fitted ECE on the validation split"}
    scores: dict[str, float] = {}
    for name, fit in FITTERS.items():
        eces = []
        for k in (0, 1):
            tr, te = fold != k, fold == k
            if y[tr].sum() == 0 or y[tr].sum() == tr.sum():
                continue
            try:
                cal = fit(raw[tr], y[tr])
            except ValueError:
                continue
            eces.append(ece(y[te], apply_calibration(cal, raw[te])))
        if eces:
            scores[name] = float(np.mean(eces))
    if not scores:
        raise ValueError("could not fit any calibration on the validation split (needs both classes)")
    report["cv_ece"] = scores
    # ties (within 1e-6) go to Platt: two numbers are easier to reason about than a curve
    best = min(scores, key=lambda m: (round(scores[m], 6), 0 if m == "platt" else 1))
    cal = FITTERS[best](raw, y)
    report["chosen"] = best
    report["calibrated_ece_valid"] = ece(y, apply_calibration(cal, raw))
    return cal, report
