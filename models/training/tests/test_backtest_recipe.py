"""The backtest tests the recipe `npm run train` ships: same parameters, same evasion mimicry and stream
dropout, same flags."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from riskgate_training import backtest, cli
from riskgate_training.backtest_models import fit_model
from riskgate_training.backtest_report import write_report
from riskgate_training.backtest_windows import rolling_windows
from riskgate_training.evasion_mimicry import EvasionMimicry
from riskgate_training.labels import labels_as_of
from riskgate_training.model import ModelParams
from riskgate_training.recipe import Recipe
from riskgate_training.stream_dropout import StreamDropout, silent_columns

FAST = ["--n-estimators", "80", "--learning-rate", "0.1", "--min-child-samples", "40"]


def _train_recipe(flags: list[str]) -> Recipe:
    return Recipe.from_options(cli.resolve_options(cli.build_parser().parse_args(["train", "--in", "t", *flags])))


def _backtest_recipe(flags: list[str]) -> Recipe:
    return Recipe.from_flags(backtest.build_parser().parse_args(flags))


def test_by_default_the_backtest_fits_what_train_ships() -> None:
    shipped = _train_recipe([])
    assert _backtest_recipe([]) == shipped
    assert shipped == Recipe(ModelParams(), StreamDropout())


def test_by_default_the_backtest_calibrates_on_as_many_days_as_train_gives_the_champion() -> None:
    train_days = cli.resolve_options(cli.build_parser().parse_args(["train", "--in", "t"]))["valid_days"]
    assert backtest.build_parser().parse_args([]).valid_days == train_days == 14


def test_the_backtest_takes_the_recipe_flags_train_takes() -> None:
    flags = ["--n-estimators", "50", "--seed", "9", "--stream-dropout-share", "0.3", "--stream-dropout-seed", "3",
             "--feature-fraction", "0.6", "--evasion-mimicry-share", "0.4", "--evasion-mimicry-group-share", "0.7"]
    expected = Recipe(ModelParams(n_estimators=50, seed=9, feature_fraction=0.6), StreamDropout(0.3, 3),
                      EvasionMimicry(0.4, 0.7))
    assert _train_recipe(flags) == expected
    assert _backtest_recipe(["--seeds", "2", *flags]) == expected
    assert backtest.build_parser().parse_args(["--seeds", "2", "--seed", "9"]).seeds == "2"


def _silent_listings_lift(table: Path, flags: list[str]) -> float:
    """How much a silent listings stream alone raises the backtest model's score on the legit
    checkouts of its test window (mean raw score, silenced over as served)."""
    rows = backtest.Rows.load(table)
    window = rolling_windows(rows.occurred_at.min(), rows.occurred_at.max(), n_windows=1, test_days=10, gap_days=7,
                             valid_days=7, maturity_days=30)[0]
    m = window.masks(rows.occurred_at)
    model, augmented = fit_model(rows.X[m["fit"]], labels_as_of(rows.known_at[m["fit"]], window.cutoff),
                               rows.X[m["valid"]], labels_as_of(rows.known_at[m["valid"]], window.cutoff),
                               rows.features, rows.feature_sources, _backtest_recipe([*FAST, *flags]))
    copies = augmented["evasion_mimicry"]["rows"]
    assert augmented["stream_dropout"]["rows"] == int(m["fit"].sum()) + copies, \
        "the dropout draws over the window's fit rows and their mimicked copies"
    legit = rows.X[m["test"]][labels_as_of(rows.known_at[m["test"]], window.matured_at) == 0]
    silenced = legit.copy()
    for name in silent_columns(rows.features, rows.feature_sources)["listings"]:
        silenced[:, rows.features.index(name)] = rows.feature_sources[name]["default"]
    return float(model.raw(silenced).mean() / model.raw(legit).mean())


def test_the_backtest_model_is_fitted_on_rows_with_streams_silenced(table_dir, tmp_path) -> None:
    # the synthetic fake-listing fraud has brand-new listings, so a silent listings stream
    # (listing_age_days at its default 0) looks like it to a model whose fit never saw the stream silent
    table = tmp_path / "t"
    shutil.copytree(table_dir, table)
    meta = json.loads((table / "meta.json").read_text())
    meta["feature_sources"]["listing_age_days"]["topics"] = ["listings"]
    (table / "meta.json").write_text(json.dumps(meta))
    without = _silent_listings_lift(table, ["--stream-dropout-share", "0"])
    shipped = _silent_listings_lift(table, [])
    assert without > 2.0, "the table must make a silent stream costly, or this test proves nothing"
    assert shipped < without / 2


def _report(out: Path, recipe: dict, model_recipe: dict | None) -> str:
    write_report(out, [], vars(backtest.build_parser().parse_args([])), {}, out.parent / "champion", True,
                 lambda r: True, lambda s: True, recipe=recipe, model_recipe=model_recipe)
    assert json.loads((out / "backtest.json").read_text())["recipe"] == recipe
    return (out / "backtest.md").read_text()


def test_the_report_states_the_recipe_and_whether_the_artifact_next_to_it_shares_it(tmp_path) -> None:
    champion = tmp_path / "champion"
    tested = Recipe(ModelParams(n_estimators=50), StreamDropout(0.25, 3)).to_dict()
    md = _report(tmp_path / "same", tested, tested)
    assert "LightGBM (n_estimators 50, learning_rate 0.05, " in md
    assert "evasion mimicry: 4 mimicked copies of every fit fraud row taking 50 % of its weight, every evadable " \
        "group (seed 7), stream dropout on 25 % of the fit rows (seed 3)" in md
    assert f"The same recipe as {champion}." in md
    older = {**tested, "stream_dropout": {"share": 0.0, "seed": None}}
    older_md = _report(tmp_path / "older", tested, older)
    assert f"**Not the recipe of {champion}**: LightGBM (n_estimators 50, " in older_md
    assert "), no stream dropout." in older_md
    in_place = {**tested, "evasion_mimicry": {"share": 0.5, "group_share": 1.0, "seed": 7, "copies": None}}
    in_place_md = _report(tmp_path / "in-place", tested, in_place)
    assert "evasion mimicry: 50 % of the fit fraud rows mimicked in place, every evadable group (seed 7)" in in_place_md
    assert f"{champion} has no manifest" in _report(tmp_path / "none", tested, None)


def test_a_feature_fraction_outside_zero_to_one_is_refused() -> None:
    for bad in ("0", "1.5"):
        with pytest.raises(ValueError, match="feature_fraction"):
            _train_recipe(["--feature-fraction", bad])
