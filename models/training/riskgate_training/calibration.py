"""Probability calibration fitted on the validation split (labels as known at the training date).

Two representations, both re-implemented in services/scoring-api/src/model/calibration.ts:

* isotonic: {"method": "isotonic", "x": [...], "y": [...], "floor": f, "cap": c}
      p = numpy.interp(r, x, y)            (x strictly increasing, y strictly increasing)
* platt:    {"method": "platt", "a": a, "b": b, "eps": eps, "floor": f, "cap": c}
      q = min(max(r, eps), 1 - eps);  p = 1 / (1 + exp(-(a * ln(q / (1 - q)) + b)))
then, for both:  p = min(max(p, floor), cap)

r is the ONNX model's float32 fraud probability widened to float64. Plain isotonic regression
leaves flat steps (exact 0.0 and 1.0 at the ends), which rank many checkouts equal and claim
certainty; here it is "centred" (each flat step becomes one knot at its midpoint, joined by
straight lines: strictly increasing) and every output is kept inside [floor, cap]. The method
with the lower 2-fold cross-fitted log-loss on the validation split wins (ties: Platt) and is
refitted on the whole split. Rows carry weights (1/propensity of the decision log).

Labels still arriving: a split's labels as known at the training date miss the frauds whose
chargeback is still on its way, and not uniformly in the score: a checkout the model scores 0.9
can be "known fraud" at most with the share of labels that has arrived, so fitting on those labels
flattens the top of the curve (the backtest's Platt slope of 1.33 on matured test labels, 1.05-1.09
when fitted on the same split's matured labels). With `known` (per row, the share of its eventual
fraud label expected to be known at the training date: the label-delay CDF at the row's age) the
fit maximises the likelihood of what was observed, P(fraud known) = known * p (the delayed-feedback
model): Platt directly, isotonic by EM on fractional labels. Without `known` the fit is the plain one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize
from sklearn.isotonic import IsotonicRegression

from riskgate_training.metrics import calibration_metrics, logistic_fit

PLATT_EPS = 1e-7
FLOOR = 1e-5
CAP = 0.995
Calibration = dict[str, Any]


def _logit(raw: np.ndarray, eps: float = PLATT_EPS) -> np.ndarray:
    q = np.clip(np.asarray(raw, dtype=np.float64), eps, 1.0 - eps)
    return np.log(q / (1.0 - q))


def fit_platt(raw: np.ndarray, y: np.ndarray, w: np.ndarray, known: np.ndarray | None = None) -> Calibration:
    """Weighted logistic regression of the label on logit(raw); with `known`, of the label on
    known * sigmoid(a * logit(raw) + b)."""
    z = _logit(raw)
    a, b = logistic_fit(z, y, w)
    if known is not None:
        a, b = _delayed_logistic_fit(z, np.asarray(y, dtype=np.float64), w, np.asarray(known, dtype=np.float64), a, b)
    return {"method": "platt", "a": a, "b": b, "eps": PLATT_EPS, "floor": FLOOR, "cap": CAP}


def _delayed_logistic_fit(z: np.ndarray, y: np.ndarray, w: np.ndarray, known: np.ndarray, a0: float,
                          b0: float) -> tuple[float, float]:
    """Maximum likelihood of y ~ Bernoulli(known * sigmoid(a z + b)), started from the plain fit."""

    def nll(params: np.ndarray) -> tuple[float, np.ndarray]:
        s = params[0] * z + params[1]
        p = 1.0 / (1.0 + np.exp(-s))
        q = np.clip(known * p, 1e-15, 1 - 1e-15)
        loss = -w * (y * np.log(q) + (1 - y) * np.log1p(-q))
        # d loss / d s = -w * (y / q - (1 - y) / (1 - q)) * known * p * (1 - p)
        g = -w * (y / q - (1 - y) / (1 - q)) * known * p * (1 - p)
        return float(loss.sum()), np.array([float((g * z).sum()), float(g.sum())])

    res = minimize(nll, x0=np.array([a0, b0]), jac=True, method="L-BFGS-B")
    return float(res.x[0]), float(res.x[1])


EM_ROUNDS = 30


def fit_isotonic(raw: np.ndarray, y: np.ndarray, w: np.ndarray, known: np.ndarray | None = None) -> Calibration:
    """Centred isotonic regression: one knot per flat step, at the step's midpoint. With `known`,
    EM: a row without a known label is fraud with probability p (1 - known) / (1 - p known), and
    the isotonic fit is redone on those fractional labels until it settles."""
    r = np.asarray(raw, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    iso = _isotonic(r, y, w)
    if known is not None:
        f = np.asarray(known, dtype=np.float64)
        for _ in range(EM_ROUNDS):
            p = iso.predict(r)
            soft = np.where(y == 1, 1.0, p * (1 - f) / np.maximum(1 - p * f, 1e-12))
            before = p
            iso = _isotonic(np.concatenate([r, r]), np.concatenate([np.ones_like(r), np.zeros_like(r)]),
                            np.concatenate([w * soft, w * (1 - soft)]))
            if np.max(np.abs(iso.predict(r) - before)) < 1e-6:
                break
    xs, ys = np.asarray(iso.X_thresholds_), np.asarray(iso.y_thresholds_)
    levels, start = np.unique(ys, return_index=True)
    knots_x, knots_y = [], []
    for level, i in zip(levels, start):
        on_level = xs[ys == level]
        knots_x.append((on_level.min() + on_level.max()) / 2.0)
        knots_y.append(float(np.clip(level, FLOOR, CAP)))
    x, yk = np.asarray(knots_x), np.asarray(knots_y)
    order = np.argsort(x)
    x, yk = x[order], yk[order]
    keep = np.concatenate([[True], (np.diff(x) > 0) & (np.diff(yk) > 0)])
    x, yk = x[keep], yk[keep]
    if len(x) < 2:
        raise ValueError("isotonic fit degenerate (need >= 2 strictly increasing knots)")
    return {"method": "isotonic", "x": x.tolist(), "y": yk.tolist(), "floor": FLOOR, "cap": CAP}


def _isotonic(r: np.ndarray, y: np.ndarray, w: np.ndarray) -> IsotonicRegression:
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
    return iso.fit(r, y, sample_weight=w)


def apply_calibration(cal: Calibration, raw: np.ndarray) -> np.ndarray:
    """The serving formula (see module docstring); the TypeScript side mirrors this."""
    r = np.asarray(raw, dtype=np.float64)
    if cal["method"] == "isotonic":
        p = np.interp(r, np.asarray(cal["x"], dtype=np.float64), np.asarray(cal["y"], dtype=np.float64))
    elif cal["method"] == "platt":
        s = cal["a"] * _logit(r, cal.get("eps", PLATT_EPS)) + cal["b"]
        p = 1.0 / (1.0 + np.exp(-s))
    else:
        raise ValueError(f"unknown calibration method {cal['method']!r}")
    return np.minimum(np.maximum(p, cal["floor"]), cal["cap"])


FITTERS = {"isotonic": fit_isotonic, "platt": fit_platt}


def _log_loss(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    # known x p is 0 on a row younger than any measured label delay that already has its label
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(-np.sum(w * (y * np.log(p) + (1 - y) * np.log(1 - p))) / np.sum(w))


def choose_calibration(raw: np.ndarray, y: np.ndarray, w: np.ndarray | None = None, seed: int = 0,
                       known: np.ndarray | None = None) -> tuple[Calibration, dict[str, Any]]:
    """Pick isotonic or Platt by 2-fold cross-fitted log-loss, refit on the whole split. With
    `known`, both are fitted to labels still arriving and scored on the labels observed
    (P(fraud known) = known * p)."""
    raw = np.asarray(raw, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    w = np.ones(len(raw)) if w is None else np.asarray(w, dtype=np.float64)
    f = np.ones(len(raw)) if known is None else np.asarray(known, dtype=np.float64)
    fold = np.random.default_rng(seed).integers(0, 2, size=len(raw))
    scores: dict[str, float] = {}
    for name, fit in FITTERS.items():
        losses = []
        for k in (0, 1):
            tr, te = fold != k, fold == k
            if y[tr].sum() == 0 or y[tr].sum() == tr.sum():
                continue
            try:
                cal = fit(raw[tr], y[tr], w[tr], None if known is None else f[tr])
            except ValueError:
                continue
            losses.append(_log_loss(y[te], f[te] * apply_calibration(cal, raw[te]), w[te]))
        if losses:
            scores[name] = float(np.mean(losses))
    if not scores:
        raise ValueError("could not fit any calibration on the validation split (needs both classes)")
    best = min(scores, key=lambda m: (round(scores[m], 7), 0 if m == "platt" else 1))
    cal = FITTERS[best](raw, y, w, known)
    report = {"selection": "2-fold cross-fitted log-loss on the validation split (ties: platt)",
              "labels": "as known (plain fit)" if known is None else
              f"still arriving: fitted to known x p, mean known share {float(np.mean(f)):.3f}",
              "cv_log_loss": scores, "chosen": best,
              "valid": calibration_metrics(y, f * apply_calibration(cal, raw))}
    return cal, report


def recalibration_check(cal: Calibration, raw: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """The shipped calibration on the latest matured window: does it still hold? Recalibrate
    (refit on a later matured window) when mean p is off by > 10 % of the rate or the slope
    leaves [0.85, 1.15]."""
    m = calibration_metrics(y, apply_calibration(cal, raw))
    ratio, slope = m["mean_p_over_rate"], m["slope"]
    drifted = ratio is None or slope is None or abs(ratio - 1.0) > 0.10 or not 0.85 <= slope <= 1.15
    return {**m, "recalibrate": bool(drifted)}
