"""Training-time evasion mimicry: which rows and columns change, and what it teaches the trees."""

from __future__ import annotations


import numpy as np
import pytest

from riskgate_training.evasion_mimicry import EvasionMimicry, apply, evadable_columns
from riskgate_training.model import ModelParams
from riskgate_training.recipe import Recipe, fit
from riskgate_training.stream_dropout import StreamDropout

FEATURES = ["user_hours_since_password_reset", "email_verified", "ip_checkouts_1h", "booking_amount_eur"]
GROUPS = ["account_changes", "account_changes", "network", None]
SOURCES = {f: {"entity": "user", "default": 0, "topics": [], "evadable": g} for f, g in zip(FEATURES, GROUPS)}


def _rows(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    X = np.column_stack([np.where(y == 1, rng.uniform(1, 6, n), 720.0), np.where(y == 1, 0.0, 1.0),
                         np.where(y == 1, rng.integers(3, 9, n), rng.integers(0, 2, n)),
                         rng.lognormal(np.where(y == 1, 6.8, 5.5), 0.5)])
    return X, y


def test_groups_come_from_the_features_own_declarations() -> None:
    assert evadable_columns(FEATURES, SOURCES) == {"account_changes": [0, 1], "network": [2]}
    assert list(evadable_columns(FEATURES[::-1], SOURCES)) == ["account_changes", "network"], "by name"


def test_a_table_backfilled_before_features_declared_their_group_is_refused() -> None:
    # fitting it would silently drop the mimicry; with the mimicry off it is not read at all
    old = {f: {k: v for k, v in src.items() if k != "evadable"} for f, src in SOURCES.items()}
    X, y = _rows(1_000)
    with pytest.raises(ValueError, match="backfill"):
        apply(X, y, FEATURES, old, EvasionMimicry())
    same, _ = apply(X, y, FEATURES, old, EvasionMimicry(share=0.0))
    assert same is X


def test_drawn_fraud_rows_take_a_legit_rows_values_group_by_group() -> None:
    X, y = _rows(20_000)
    out, report = apply(X, y, FEATURES, SOURCES, EvasionMimicry(share=0.5, group_share=1.0, seed=1))
    assert np.array_equal(X, _rows(20_000)[0]), "the input is not modified"
    changed = (out != X).any(axis=1)
    assert not changed[y == 0].any(), "legit rows are untouched"
    assert changed[y == 1].mean() == pytest.approx(0.5, abs=0.03)
    assert (out[:, 3] == X[:, 3]).all(), "a conserved feature keeps its value"
    # group_share 1: every evadable feature of a drawn row looks legit (account changes and network alike)
    assert (out[changed, 0] == 720.0).all() and (out[changed, 1] == 1.0).all() and (out[changed, 2] <= 1).all()
    assert report["rows"] == int(changed.sum()) and report["fraud_rows"] == int(y.sum())
    assert report["groups"]["account_changes"]["features"] == ["user_hours_since_password_reset", "email_verified"]
    assert report["groups"]["network"]["rows"] == report["rows"]


def test_each_group_is_mimicked_on_its_own_draw() -> None:
    X, y = _rows(20_000)
    out, report = apply(X, y, FEATURES, SOURCES, EvasionMimicry(share=1.0, group_share=0.5, seed=2))
    account = out[:, 0] == 720.0
    network = out[:, 2] <= 1
    fraud = y == 1
    assert account[fraud].mean() == pytest.approx(0.5, abs=0.03)
    assert (account & network)[fraud].mean() == pytest.approx(0.25, abs=0.03), "independent draws per group"
    assert report["groups"]["account_changes"]["rows"] == int(account[fraud].sum())


def test_the_draw_is_reproducible_and_share_zero_changes_nothing() -> None:
    X, y = _rows(2_000)
    a, _ = apply(X, y, FEATURES, SOURCES, EvasionMimicry(seed=3))
    b, _ = apply(X, y, FEATURES, SOURCES, EvasionMimicry(seed=3))
    c, _ = apply(X, y, FEATURES, SOURCES, EvasionMimicry(seed=4))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    same, report = apply(X, y, FEATURES, SOURCES, EvasionMimicry(share=0.0))
    assert same is X and report["rows"] == 0


@pytest.mark.parametrize("share,group_share", [(-0.1, 0.5), (1.1, 0.5), (0.5, 0.0), (0.5, 1.5)])
def test_out_of_range_settings_are_refused(share: float, group_share: float) -> None:
    with pytest.raises(ValueError, match="evasion_mimicry"):
        EvasionMimicry(share=share, group_share=group_share)


def test_a_model_fitted_with_mimicry_still_flags_fraud_that_drops_its_tells() -> None:
    # Yesterday's fraud shows a reset, an unverified e-mail and an IP burst, and books dear; today's
    # books as dear with none of the tells. Without mimicry the trees rest on the tells alone.
    X, y = _rows(30_000)
    params = ModelParams(n_estimators=60, learning_rate=0.1, min_child_samples=40)
    adapted = X[y == 1].copy()
    adapted[:, 0], adapted[:, 1], adapted[:, 2] = 720.0, 1.0, 0.0
    legit = X[y == 0]

    def lift(mimicry: EvasionMimicry) -> float:
        booster, report = fit(X, y, FEATURES, SOURCES, Recipe(params, StreamDropout(0.0), mimicry))
        assert report["stream_dropout"]["rows"] == len(X) and report["evasion_mimicry"]["share"] == mimicry.share
        return float(booster.predict(adapted).mean() / booster.predict(legit).mean())

    without, shipped = lift(EvasionMimicry(share=0.0)), lift(EvasionMimicry())
    assert without < 3.0, "without mimicry the adapted fraud must look almost legit, or this test proves nothing"
    assert shipped > 3 * without
