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
    same, same_y, weight, _ = apply(X, y, FEATURES, old, EvasionMimicry(share=0.0))
    assert same is X and same_y is y and weight is None


def test_mimicked_copies_take_legit_rows_values_group_by_group_and_share_the_weight() -> None:
    X, y = _rows(20_000)
    n, frauds = len(X), int(y.sum())
    out, out_y, w, report = apply(X, y, FEATURES, SOURCES, EvasionMimicry(share=0.5, group_share=1.0, seed=1, copies=4))
    assert np.array_equal(X, _rows(20_000)[0]), "the input is not modified"
    assert np.array_equal(out[:n], X) and np.array_equal(out_y[:n], y), "every fit row stays as served"
    copies = out[n:]
    assert len(copies) == 4 * frauds and (out_y[n:] == 1).all(), "four copies of every fraud row, labels kept"
    # the weight moves, it does not grow: each fraud keeps half, its copies share the other half
    assert np.allclose(w[:n][y == 0], 1.0) and np.allclose(w[:n][y == 1], 0.5) and np.allclose(w[n:], 0.125)
    assert w.sum() == pytest.approx(n)
    assert (copies[:, 3] == np.tile(X[y == 1, 3], 4)).all(), "a conserved feature keeps its value"
    # group_share 1: every evadable feature of a copy looks legit (account changes and network alike)
    assert (copies[:, 0] == 720.0).all() and (copies[:, 1] == 1.0).all() and (copies[:, 2] <= 1).all()
    assert report["rows"] == len(copies) and report["fraud_rows"] == frauds
    assert report["groups"]["account_changes"]["features"] == ["user_hours_since_password_reset", "email_verified"]
    assert report["groups"]["network"]["rows"] == report["rows"]


def test_the_rows_own_weights_carry_over_to_its_copies() -> None:
    X, y = _rows(2_000)
    given = np.linspace(0.5, 2.0, len(X))
    _, _, w, _ = apply(X, y, FEATURES, SOURCES, EvasionMimicry(share=0.5, copies=2), given)
    fraud = np.flatnonzero(y == 1)
    assert np.allclose(w[: len(X)][fraud], given[fraud] * 0.5)
    assert np.allclose(w[len(X):], np.tile(given[fraud], 2) * 0.25)


def test_each_group_is_mimicked_on_its_own_draw() -> None:
    X, y = _rows(20_000)
    out, _, _, report = apply(X, y, FEATURES, SOURCES, EvasionMimicry(share=1.0, group_share=0.5, seed=2, copies=1))
    copies = out[len(X):]
    account = copies[:, 0] == 720.0
    network = copies[:, 2] <= 1
    assert account.mean() == pytest.approx(0.5, abs=0.03)
    assert (account & network).mean() == pytest.approx(0.25, abs=0.03), "independent draws per group"
    assert report["groups"]["account_changes"]["rows"] == int(account.sum())


def test_the_draw_is_reproducible_and_share_zero_changes_nothing() -> None:
    X, y = _rows(2_000)
    a = apply(X, y, FEATURES, SOURCES, EvasionMimicry(seed=3))[0]
    b = apply(X, y, FEATURES, SOURCES, EvasionMimicry(seed=3))[0]
    c = apply(X, y, FEATURES, SOURCES, EvasionMimicry(seed=4))[0]
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    same, _, _, report = apply(X, y, FEATURES, SOURCES, EvasionMimicry(share=0.0))
    assert same is X and report["rows"] == 0


@pytest.mark.parametrize("share,group_share,copies", [(-0.1, 0.5, 4), (1.1, 0.5, 4), (0.5, 0.0, 4), (0.5, 1.5, 4),
                                                     (0.5, 1.0, 0)])
def test_out_of_range_settings_are_refused(share: float, group_share: float, copies: int) -> None:
    with pytest.raises(ValueError, match="evasion_mimicry"):
        EvasionMimicry(share=share, group_share=group_share, copies=copies)


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
        copies = mimicry.copies * int(y.sum()) if mimicry.share > 0 else 0
        assert report["stream_dropout"]["rows"] == len(X) + copies, "the dropout sees the copies too"
        assert report["evasion_mimicry"]["share"] == mimicry.share
        return float(booster.predict(adapted).mean() / booster.predict(legit).mean())

    without, shipped = lift(EvasionMimicry(share=0.0)), lift(EvasionMimicry())
    assert without < 3.0, "without mimicry the adapted fraud must look almost legit, or this test proves nothing"
    assert shipped > 3 * without
