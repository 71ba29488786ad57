"""The two scorers a backtest window compares, both calibrated the same way on the validation days.

* model: the production learner fitted with the champion's recipe (recipe.py: the LightGBM parameters
  and the evasion mimicry and stream dropout on the fit rows that `npm run train` uses, through the same function),
  scored through its ONNX export as serving scores it (float32 inputs), then the pipeline's calibration;
* scorecard: logistic regression on the same features, each winsorised at the fit split's 0.5 / 99.5
  percentiles and standardised (sentinel defaults such as "hours since" = 1e6 would otherwise
  dominate a linear score), with the same calibration step on top.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np
from sklearn.linear_model import LogisticRegression

from riskgate_training.calibration import Calibration, apply_calibration, choose_calibration
from riskgate_training.export import onnx_fraud_proba, session, to_onnx
from riskgate_training.nowcast import shifted
from riskgate_training.recipe import Recipe, fit


@dataclass(frozen=True)
class FittedScorer:
    name: str
    raw: Callable[[np.ndarray], np.ndarray]
    calibration: Calibration

    def score(self, X: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, clipped into [0, 1] (the replay refuses anything else)."""
        return np.clip(apply_calibration(self.calibration, self.raw(X)), 0.0, 1.0)

    def recalibrated(self, calibration: Calibration) -> "FittedScorer":
        return replace(self, calibration=calibration)

    def shifted(self, delta: float) -> "FittedScorer":
        """The same scorer with its calibrated log-odds moved by delta (nowcast.shifted)."""
        return replace(self, calibration=shifted(self.calibration, delta))


def _calibrated(name: str, raw: Callable[[np.ndarray], np.ndarray], X_valid: np.ndarray, y_valid: np.ndarray,
                seed: int) -> FittedScorer:
    cal, _ = choose_calibration(raw(X_valid), y_valid, seed=seed)
    return FittedScorer(name, raw, cal)


def fit_model(X_fit: np.ndarray, y_fit: np.ndarray, X_valid: np.ndarray, y_valid: np.ndarray, features: list[str],
              feature_sources: dict[str, Any], recipe: Recipe) -> tuple[FittedScorer, dict[str, Any]]:
    """The model, and what evasion mimicry and stream dropout did to its fit rows (as the manifest
    records them: `evasion_mimicry`, `stream_dropout`)."""
    booster, augmented = fit(X_fit, y_fit, features, feature_sources, recipe)
    sess = session(to_onnx(booster, len(features)).SerializeToString())
    scorer = _calibrated("model", lambda X: onnx_fraud_proba(sess, X).astype(np.float64), X_valid, y_valid,
                         recipe.params.seed)
    return scorer, augmented


def fit_scorecard(X_fit: np.ndarray, y_fit: np.ndarray, X_valid: np.ndarray, y_valid: np.ndarray,
                  seed: int) -> FittedScorer:
    """Fitted on the rows as served, without stream dropout: the scorecard is the linear reference the
    model is measured against, not a recipe that ships. What dropout teaches (one stream's features
    all at their defaults together carry little evidence) is an interaction a linear score cannot
    represent: on it, dropout could only shrink those features' weights for every checkout."""
    lo, hi = np.percentile(X_fit, 0.5, axis=0), np.percentile(X_fit, 99.5, axis=0)
    clipped = np.clip(X_fit, lo, hi)
    mean, std = clipped.mean(axis=0), clipped.std(axis=0)
    std = np.where(std > 0, std, 1.0)

    def standardise(X: np.ndarray) -> np.ndarray:
        return (np.clip(X, lo, hi) - mean) / std

    lr = LogisticRegression(C=1.0, max_iter=2000)
    lr.fit(standardise(X_fit), y_fit)
    return _calibrated("scorecard", lambda X: lr.predict_proba(standardise(X))[:, 1], X_valid, y_valid, seed)
