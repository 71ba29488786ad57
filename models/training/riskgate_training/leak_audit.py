"""Leak audit: does one feature alone give fraud away?

Printed by `npm run evaluate`. For each model feature, on the artifact's own time split:
- AUC of the feature alone, as max(AUC, 1 - AUC), on the train and the test split;
- its share of the mean |SHAP| (LightGBM pred_contrib, log-odds) over a sample of test rows;
- the share of test values outside the train split's [min, max] (a feature that counts from the
  start of the replay, or caps at the world's length, lands outside the range in production).

The audit fails (exit code EXIT_LEAK from the CLI) when one feature alone has AUC > AUC_LIMIT on
either split, or carries more than SHAP_SHARE_LIMIT of the mean |SHAP|.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

AUC_LIMIT = 0.85
SHAP_SHARE_LIMIT = 0.25
SHAP_SAMPLE_ROWS = 20_000
# Distinct from 0 (ok), 1 (crash) and 2 (bad input): the artifact was built but leaks.
EXIT_LEAK = 3


@dataclass(frozen=True)
class FeatureAudit:
    feature: str
    auc_train: float
    auc_test: float
    shap_share: float
    outside_train_range: float
    train_min: float
    train_max: float
    test_min: float
    test_max: float


@dataclass(frozen=True)
class LeakAudit:
    features: list[FeatureAudit]
    offenders: list[str]
    rows_train: int
    rows_test: int
    shap_rows: int

    @property
    def passed(self) -> bool:
        return not self.offenders

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "limits": {"single_feature_auc": AUC_LIMIT, "shap_share": SHAP_SHARE_LIMIT},
            "offenders": self.offenders,
            "rows": {"train": self.rows_train, "test": self.rows_test, "shap_sample": self.shap_rows},
            "features": [asdict(f) for f in self.features],
        }


def single_feature_auc(x: np.ndarray, y: np.ndarray) -> float:
    """How well the feature alone ranks fraud above legit, in either direction (0.5 = not at all)."""
    if len(np.unique(y)) < 2 or np.all(x == x[0]):
        return 0.5
    auc = float(roc_auc_score(y, x))
    return max(auc, 1.0 - auc)


def shap_shares(booster: lgb.Booster, X: np.ndarray) -> np.ndarray:
    """Each feature's share of the mean |SHAP| (the bias column excluded)."""
    contrib = np.asarray(booster.predict(X, pred_contrib=True))[:, :-1]
    mean_abs = np.abs(contrib).mean(axis=0)
    total = mean_abs.sum()
    return mean_abs / total if total > 0 else np.zeros_like(mean_abs)


def outside_range_share(train: np.ndarray, test: np.ndarray) -> float:
    if len(train) == 0 or len(test) == 0:
        return 0.0
    return float(np.mean((test < train.min()) | (test > train.max())))


def audit(features: list[str], X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray,
          booster: lgb.Booster, seed: int = 0) -> LeakAudit:
    rng = np.random.default_rng(seed)
    take = min(SHAP_SAMPLE_ROWS, len(X_test))
    sample = np.sort(rng.choice(len(X_test), size=take, replace=False)) if take < len(X_test) else np.arange(take)
    shares = shap_shares(booster, X_test[sample]) if take > 0 else np.zeros(len(features))
    rows = []
    for j, name in enumerate(features):
        tr, te = X_train[:, j], X_test[:, j]
        rows.append(FeatureAudit(
            feature=name,
            auc_train=round(single_feature_auc(tr, y_train), 4),
            auc_test=round(single_feature_auc(te, y_test), 4),
            shap_share=round(float(shares[j]), 4),
            outside_train_range=round(outside_range_share(tr, te), 4),
            train_min=float(tr.min()) if len(tr) else 0.0, train_max=float(tr.max()) if len(tr) else 0.0,
            test_min=float(te.min()) if len(te) else 0.0, test_max=float(te.max()) if len(te) else 0.0,
        ))
    offenders = [r.feature for r in rows
                 if max(r.auc_train, r.auc_test) > AUC_LIMIT or r.shap_share > SHAP_SHARE_LIMIT]
    return LeakAudit(features=rows, offenders=offenders, rows_train=len(X_train), rows_test=len(X_test),
                     shap_rows=take)


def split_rows(frame: pd.DataFrame, split: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The artifact's train and test rows, by the boundaries recorded in its manifest."""
    t = frame["occurred_at"]
    valid_start = pd.Timestamp(split["valid_start"])
    test_start = pd.Timestamp(split["test_start"])
    train = frame[(t >= pd.Timestamp(split["train_start"])) & (t < valid_start)]
    test = frame[t >= test_start]
    if "test_end" in split:
        test = test[test["occurred_at"] <= pd.Timestamp(split["test_end"])]
    return train, test


def run(model_dir: Path, manifest: dict[str, Any], frame: pd.DataFrame) -> LeakAudit:
    features = list(manifest["features"])
    train, test = split_rows(frame, manifest["split"])
    booster = lgb.Booster(model_file=str(Path(model_dir) / "lightgbm_model.txt"))
    return audit(features,
                 train[features].to_numpy(np.float64), train["label"].to_numpy(np.int64),
                 test[features].to_numpy(np.float64), test["label"].to_numpy(np.int64), booster)


def report(a: LeakAudit, top: int = 12) -> str:
    by_shap = sorted(a.features, key=lambda f: -f.shap_share)
    lines = [
        f"== leak audit: {'PASS' if a.passed else 'FAIL'} (a feature alone: AUC > {AUC_LIMIT} or > "
        f"{SHAP_SHARE_LIMIT:.0%} of |SHAP| fails; train {a.rows_train} rows, test {a.rows_test}, "
        f"SHAP on {a.shap_rows}) ==",
        f"  {'feature':36s} {'AUC train':>9s} {'AUC test':>9s} {'|SHAP|':>7s} {'test out of train range':>24s}",
    ]
    for f in by_shap[:top]:
        flag = "  <-- LEAK" if f.feature in a.offenders else ""
        lines.append(f"  {f.feature:36s} {f.auc_train:9.3f} {f.auc_test:9.3f} {f.shap_share:7.1%} "
                     f"{f.outside_train_range:24.2%}{flag}")
    rest = [f for f in by_shap[top:] if f.feature in a.offenders]
    for f in rest:
        lines.append(f"  {f.feature:36s} {f.auc_train:9.3f} {f.auc_test:9.3f} {f.shap_share:7.1%} "
                     f"{f.outside_train_range:24.2%}  <-- LEAK")
    out_of_range = sorted((f for f in a.features if f.outside_train_range > 0.01), key=lambda f: -f.outside_train_range)
    if out_of_range:
        lines.append("  test values outside the train range (> 1 %): " + ", ".join(
            f"{f.feature} {f.outside_train_range:.1%} (train {f.train_min:g}..{f.train_max:g}, "
            f"test {f.test_min:g}..{f.test_max:g})" for f in out_of_range[:8]))
    if a.offenders:
        lines.append(f"  FAIL: {', '.join(a.offenders)}")
    return "\n".join(lines)
