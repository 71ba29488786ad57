"""Shared fixtures: a synthetic table and one trained artifact reused by many tests
(training once per session keeps the suite fast)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # riskgate_training
sys.path.insert(0, str(HERE))  # synthetic

from synthetic import make_table  # noqa: E402

from riskgate_training.model import ModelParams  # noqa: E402
from riskgate_training.pipeline import TrainConfig, TrainResult, train  # noqa: E402
from riskgate_training.recipe import Recipe  # noqa: E402
from riskgate_training.split import SplitDays  # noqa: E402

FAST_RECIPE = Recipe(ModelParams(n_estimators=80, learning_rate=0.1, min_child_samples=40))
SMALL_SPLIT = SplitDays(test=10, valid=12, min_train=14)


@pytest.fixture(scope="session")
def table_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~8 weeks, 22k checkouts, ~1.5 % fraud, 16 features."""
    return make_table(tmp_path_factory.mktemp("table"), days=56, per_day=400, n_features=16, fraud_rate=0.015, seed=3)


@pytest.fixture(scope="session")
def trained(table_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    out = tmp_path_factory.mktemp("artifacts")
    return train(TrainConfig(table_dir=table_dir, out_dir=out, days=SMALL_SPLIT, recipe=FAST_RECIPE, parity_rows=1500))
