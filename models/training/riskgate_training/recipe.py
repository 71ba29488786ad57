"""The model recipe: what `npm run train` fits for the champion and `npm run backtest` tests.

A recipe is the LightGBM parameters and what is done to the fit rows before fitting: evasion mimicry
(evasion_mimicry.py), then stream dropout (stream_dropout.py). Both commands take it
from the same flags (RECIPE_OPTIONS) and fit through the same function (`fit`), and the flags'
defaults are read from the dataclasses themselves, so a default changed in model.py or
stream_dropout.py reaches the training and the backtest together, with no copy to forget.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field, fields
from typing import Any

import lightgbm as lgb
import numpy as np

from riskgate_training.evasion_mimicry import EvasionMimicry, apply as apply_evasion_mimicry
from riskgate_training.model import ModelParams, train_booster
from riskgate_training.stream_dropout import StreamDropout, apply as apply_stream_dropout

_PARAMS, _DROPOUT, _MIMICRY = ModelParams(), StreamDropout(), EvasionMimicry()

# key -> (type, default, help): flags of both commands, and keys of train's --config file
RECIPE_OPTIONS: dict[str, tuple[type, Any, str]] = {
    "n_estimators": (int, _PARAMS.n_estimators, "boosting rounds"),
    "learning_rate": (float, _PARAMS.learning_rate, "LightGBM learning rate"),
    "num_leaves": (int, _PARAMS.num_leaves, "leaves per tree (<= 63)"),
    "max_depth": (int, _PARAMS.max_depth, "max tree depth"),
    "min_child_samples": (int, _PARAMS.min_child_samples, "min rows per leaf"),
    "feature_fraction": (float, _PARAMS.feature_fraction, "share of features each tree may split on"),
    "scale_pos_weight": (float, _PARAMS.scale_pos_weight, "weight of fraud rows (1 keeps raw probabilities honest)"),
    "num_threads": (int, _PARAMS.num_threads, "LightGBM threads"),
    "seed": (int, _PARAMS.seed, "the model's random seed (LightGBM, calibration folds)"),
    "stream_dropout_share": (float, _DROPOUT.share, "share of fit rows with one upstream stream's features at "
                             "their silent defaults (label unchanged)"),
    "stream_dropout_seed": (int, _DROPOUT.seed, "random seed of the stream dropout draw"),
    "evasion_mimicry_share": (float, _MIMICRY.share, "share of fit fraud rows that mimic legit rows on evadable "
                              "feature groups (label unchanged)"),
    "evasion_mimicry_group_share": (float, _MIMICRY.group_share, "chance that each evadable group of such a row "
                                    "is mimicked"),
    "evasion_mimicry_seed": (int, _MIMICRY.seed, "random seed of the evasion mimicry draw"),
    "evasion_mimicry_copies": (int, _MIMICRY.copies, "mimicked copies appended per fit fraud row, sharing its mimicry weight"),
}


def add_flags(parser: argparse._ActionsContainer, options: dict[str, tuple[type, Any, str]]) -> None:
    """One flag per option (`n_estimators` -> `--n-estimators`) on a parser or an argument group;
    None when not given, so that train's --config can sit between the default and the flag."""
    for key, (typ, default, help_) in options.items():
        parser.add_argument("--" + key.replace("_", "-"), dest=key, type=typ, default=None, help=f"{help_} (default {default})")


@dataclass(frozen=True)
class Recipe:
    params: ModelParams = field(default_factory=ModelParams)
    stream_dropout: StreamDropout = field(default_factory=StreamDropout)
    evasion_mimicry: EvasionMimicry = field(default_factory=EvasionMimicry)

    @staticmethod
    def from_options(o: dict[str, Any]) -> "Recipe":
        """From resolved option values (RECIPE_OPTIONS keys; other keys are ignored)."""
        param_keys = {f.name for f in fields(ModelParams)}
        return Recipe(ModelParams(**{k: v for k, v in o.items() if k in param_keys}),
                      StreamDropout(o["stream_dropout_share"], o["stream_dropout_seed"]),
                      EvasionMimicry(o["evasion_mimicry_share"], o["evasion_mimicry_group_share"],
                                     o["evasion_mimicry_seed"], o["evasion_mimicry_copies"]))

    @staticmethod
    def from_flags(args: argparse.Namespace) -> "Recipe":
        """The defaults, overridden by the recipe flags given (add_flags)."""
        return Recipe.from_options({k: d if getattr(args, k) is None else getattr(args, k)
                                    for k, (_, d, _) in RECIPE_OPTIONS.items()})

    def to_dict(self) -> dict[str, Any]:
        """As the manifest records it: `model_params`, and the settings of `stream_dropout` and
        `evasion_mimicry`."""
        d, m = self.stream_dropout, self.evasion_mimicry
        return {"model_params": self.params.to_dict(), "stream_dropout": {"share": d.share, "seed": d.seed},
                "evasion_mimicry": {"share": m.share, "group_share": m.group_share, "seed": m.seed,
                                    "copies": m.copies}}


def of_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    """The recipe a trained artifact was fitted with, as Recipe.to_dict writes it (share 0: an
    artifact from before stream dropout or evasion mimicry; copies None: one from before the weighted
    copies, whose mimicry replaced fraud rows in place)."""
    dropout = manifest.get("stream_dropout", {"share": 0.0, "seed": None})
    mimicry = manifest.get("evasion_mimicry", {"share": 0.0, "group_share": None, "seed": None})
    return {"model_params": manifest["model_params"],
            "stream_dropout": {"share": dropout["share"], "seed": dropout["seed"]},
            "evasion_mimicry": {**{k: mimicry[k] for k in ("share", "group_share", "seed")},
                                "copies": mimicry.get("copies")}}


def fit(X: np.ndarray, y: np.ndarray, features: list[str], feature_sources: dict[str, Any], recipe: Recipe,
        weight: np.ndarray | None = None) -> tuple[lgb.Booster, dict[str, Any]]:
    """The booster fitted on the rows after evasion mimicry and then stream dropout, and what each did
    (manifest `evasion_mimicry` and `stream_dropout`). Only these rows change: whatever calibrates or
    evaluates the booster sees the table as served. Mimicry comes first so that its donors are legit
    rows as served, not silenced ones."""
    X_mim, y_mim, w_mim, mimicry = apply_evasion_mimicry(X, y, features, feature_sources, recipe.evasion_mimicry,
                                                         weight)
    X_fit, dropout = apply_stream_dropout(X_mim, features, feature_sources, recipe.stream_dropout)
    booster = train_booster(X_fit, y_mim, features, recipe.params, w_mim)
    return booster, {"stream_dropout": dropout, "evasion_mimicry": mimicry}
