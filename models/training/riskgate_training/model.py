"""LightGBM training with settings sized for a 2-core machine.

Class imbalance: we do NOT reweight by default (scale_pos_weight = 1). Gradient boosting on
log-loss ranks rare positives well without it, and reweighting inflates the raw
probabilities by roughly the weight, which calibration must then undo with few validation
positives. Imbalance is handled instead by a large min_child_samples/min_sum_hessian (no
leaves fitted to a handful of frauds), and calibration on the validation split.
`scale_pos_weight` stays configurable for experiments.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import lightgbm as lgb
import numpy as np


@dataclass(frozen=True)
class ModelParams:
    n_estimators: int = 200
    learning_rate: float = 0.05
    num_leaves: int = 31
    max_depth: int = 7
    min_child_samples: int = 100
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    lambda_l2: float = 1.0
    scale_pos_weight: float = 1.0
    num_threads: int = 2
    seed: int = 7

    def __post_init__(self) -> None:
        if not 1 <= self.num_leaves <= 63:
            raise ValueError("num_leaves must be in [1, 63] (serving latency budget)")
        if not 1 <= self.n_estimators <= 1000:
            raise ValueError("n_estimators must be in [1, 1000]")
        if not 0.0 < self.feature_fraction <= 1.0:
            raise ValueError("feature_fraction must be in (0, 1]")

    def lgb_params(self) -> dict[str, Any]:
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "max_depth": self.max_depth,
            "min_child_samples": self.min_child_samples,
            "min_sum_hessian_in_leaf": 1e-2,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1 if self.bagging_fraction < 1.0 else 0,
            "lambda_l2": self.lambda_l2,
            "scale_pos_weight": self.scale_pos_weight,
            "num_threads": self.num_threads,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "verbose": -1,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def train_booster(X: np.ndarray, y: np.ndarray, features: list[str], params: ModelParams,
                  weight: np.ndarray | None = None) -> lgb.Booster:
    """Fit the binary classifier on the train split (fixed number of rounds: the validation
    split is reserved for calibration and the policy). `weight`: 1/propensity per row."""
    ds = lgb.Dataset(X, label=y, weight=weight, feature_name=features, free_raw_data=True)
    return lgb.train(params.lgb_params(), ds, num_boost_round=params.n_estimators)


def lgb_raw(booster: lgb.Booster, X: np.ndarray) -> np.ndarray:
    """LightGBM's own probability (float64 features, float64 thresholds)."""
    return np.asarray(booster.predict(X, num_threads=2), dtype=np.float64)


def lgb_contrib(booster: lgb.Booster, X: np.ndarray) -> np.ndarray:
    """Per-feature SHAP contributions in log-odds, bias last (LightGBM pred_contrib)."""
    return np.asarray(booster.predict(X, pred_contrib=True, num_threads=2), dtype=np.float64)
