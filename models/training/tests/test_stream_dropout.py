"""Training-time stream dropout: which rows and columns go silent, and what the manifest records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from riskgate_training.stream_dropout import StreamDropout, apply, silent_columns

SOURCES = {
    "ip_logins_1h": {"entity": "ip", "default": 0, "topics": ["accounts"]},
    "user_distinct_ips_7d": {"entity": "user", "default": 0, "topics": ["accounts", "checkouts"]},
    "listing_age_days": {"entity": "listing", "default": 0, "topics": ["listings"]},
    "listing_price_ratio": {"entity": "listing", "default": 1, "topics": ["listings"]},
    "booking_amount_eur": {"entity": "request", "default": 0, "topics": []},
}
FEATURES = list(SOURCES)


def _table(n: int) -> np.ndarray:
    X = np.empty((n, len(FEATURES)))
    X[:] = [5.0, 3.0, 400.0, 0.8, 250.0]
    return X


def test_only_features_a_single_stream_writes_are_silenced() -> None:
    assert silent_columns(FEATURES, SOURCES) == {
        "logins": ["ip_logins_1h"], "listings": ["listing_age_days", "listing_price_ratio"]}


def test_a_share_of_rows_gets_one_whole_stream_at_its_defaults() -> None:
    X = _table(20_000)
    out, report = apply(X, FEATURES, SOURCES, StreamDropout(share=0.3, seed=1))
    assert np.array_equal(X, _table(20_000)), "the input is not modified"
    changed = (out != X).any(axis=1)
    assert changed.mean() == pytest.approx(0.3, abs=0.02)
    logins = out[:, 0] == 0
    listings = (out[:, 2] == 0) & (out[:, 3] == 1)
    assert not (logins & listings).any(), "one stream per row"
    assert np.array_equal(changed, logins | listings)
    assert ((out[:, 2] == 0) == listings).all(), "a stream's features go silent together"
    assert (out[:, [1, 4]] == X[:, [1, 4]]).all(), "shared and request-time features keep their values"
    assert report["streams"]["logins"]["rows"] == int(logins.sum())
    assert report["streams"]["listings"] == {
        "topic": "listings", "features": ["listing_age_days", "listing_price_ratio"], "rows": int(listings.sum())}
    assert report["share"] == 0.3 and report["seed"] == 1


def test_the_draw_is_reproducible_from_the_seed() -> None:
    a, _ = apply(_table(500), FEATURES, SOURCES, StreamDropout(share=0.5, seed=3))
    b, _ = apply(_table(500), FEATURES, SOURCES, StreamDropout(share=0.5, seed=3))
    c, _ = apply(_table(500), FEATURES, SOURCES, StreamDropout(share=0.5, seed=4))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_share_zero_leaves_the_rows_alone() -> None:
    X = _table(100)
    out, report = apply(X, FEATURES, SOURCES, StreamDropout(share=0.0))
    assert np.array_equal(out, X) and report["streams"] == {}


@pytest.mark.parametrize("share", [-0.1, 1.0])
def test_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="stream_dropout_share"):
        StreamDropout(share=share)


def _listings_ratio(table: Path, out: Path, share: str) -> float:
    from riskgate_training import audits
    from riskgate_training.cli import main

    assert main(["train", "--in", str(table), "--out", str(out), "--version", f"share-{share}", "--test-days", "10",
                 "--valid-days", "12", "--n-estimators", "80", "--learning-rate", "0.1", "--min-child-samples", "40",
                 "--parity-rows", "200", "--stream-dropout-share", share]) == 0
    extra, _, _ = audits.run(out / "riskgate-fraud" / f"share-{share}", table)
    return extra["missing_stream"]["listings"]["ratio"]


def test_dropout_cuts_what_a_silent_stream_costs_legit_checkouts(table_dir, tmp_path, capsys) -> None:
    # the synthetic table's fake-listing fraud has brand-new listings, so a silent listings stream
    # (listing_age_days at its default 0) looks like that fraud to a model that never saw it silent.
    # Measured: x7.7 without dropout, x2.6 with 0.15. Not below x2 here: on this table an old listing
    # is the main evidence against that fraud pattern, so losing it rightly raises some scores.
    table = tmp_path / "t"
    shutil.copytree(table_dir, table)
    meta = json.loads((table / "meta.json").read_text())
    meta["feature_sources"]["listing_age_days"]["topics"] = ["listings"]
    (table / "meta.json").write_text(json.dumps(meta))
    without = _listings_ratio(table, tmp_path / "a", "0")
    with_dropout = _listings_ratio(table, tmp_path / "a", "0.15")
    capsys.readouterr()
    assert without > 2.0, "the table must make a silent stream costly, or this test proves nothing"
    assert with_dropout < without / 2
