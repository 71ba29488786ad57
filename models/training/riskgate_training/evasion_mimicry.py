"""Training-time evasion mimicry: teach the model that fraud can make the tells it controls look ordinary.

Fraud adapts, and its cheapest adaptation is to stop showing a tell the attacker controls: plant a
device on the account weeks ahead instead of adding one at the takeover, skip the password reset,
spread card tests over hours, book through a proxy in the card's country, write the off-platform
pitch without the obvious words. A model fitted on yesterday's attacks puts its weight on exactly
those tells, because they separate yesterday's fraud perfectly, and has little left when they
disappear (issue 13's backtest: the adapted takeover got a mean p of 0.02-0.07 against 0.75-0.99 for
the classic one). What an attacker cannot change without giving up the gain is what the fraud is for:
the amount, the stay, how soon it starts, how it compares with the account's own history.

So `share` of the weight of every fit row labelled fraud moves to `copies` copies of it in which
each group of attacker-controlled features is, with probability `group_share`, replaced by the same
group's values from one random legit fit row: that fraud as it would look had its attacker mimicked an
ordinary customer on that group. The row itself stays, as served, with the rest of its weight. The
defaults (half the weight, every group) model a mix of yesterday's attackers and fully adapted ones;
in the backtest, mimicking each group on its own draw (group share 0.5) left more of the adapted
takeovers' money through on both seeds than mimicking every group at once. Spreading the mimicked
half over four weighted copies instead of replacing half the fraud rows in place gives the same fit in
expectation with less luck of the draw: over four draws of the mimicry, the backtest's cost at the
rules' volume on a fully drifted window moved by 0.04-0.10 x rules between draws, against 0.08-0.14
in place (models/training/README.md). Labels are unchanged and legit rows are untouched, so the trees must also learn the signals that the attack
cannot drop. Like stream dropout, only the fitting rows change: calibration, the policy, monitoring
and the parity rows see the table as served.

The groups model the attacker's costs, and are declared rather than learned: each feature's
definition names the group it belongs to when an attacker can set its value cheaply (a device, an IP,
the pace, the words, the account's settings), or none when changing it costs the fraud its point
(amount, stay, lead time, the entity's history, the listing): `evadable` in feature-store's
FeatureSpec, which the backfill writes into the table's `feature_sources`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

@dataclass(frozen=True)
class EvasionMimicry:
    share: float = 0.5
    group_share: float = 1.0
    seed: int = 7
    copies: int = 4

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ValueError(f"evasion_mimicry_share must be in [0, 1], got {self.share}")
        if not 0.0 < self.group_share <= 1.0:
            raise ValueError(f"evasion_mimicry_group_share must be in (0, 1], got {self.group_share}")
        if self.copies < 1:
            raise ValueError(f"evasion_mimicry_copies must be >= 1, got {self.copies}")


def evadable_columns(features: list[str], feature_sources: dict[str, Any]) -> dict[str, list[int]]:
    """Per group (by name, so the draws do not depend on column order), the column indices of its
    features in this table. A table none of whose features
    declares the field was backfilled before they did, and is refused: fitting it would silently
    drop the mimicry."""
    if not any("evadable" in feature_sources.get(f, {}) for f in features):
        raise ValueError("the table's feature_sources declare no evasion groups (`evadable`): it was "
                         "backfilled before the features did; run npm run backfill again")
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(features):
        group = feature_sources[f].get("evadable")
        if group is not None:
            groups.setdefault(group, []).append(i)
    return dict(sorted(groups.items()))


def apply(X: np.ndarray, y: np.ndarray, features: list[str], feature_sources: dict[str, Any],
          cfg: EvasionMimicry, weight: np.ndarray | None = None
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, dict[str, Any]]:
    """The fit rows after mimicry (X, y, weight; the input is not modified), and what was done: each
    fraud row keeps `1 - share` of its weight as served, and `copies` mimicked copies of it are appended
    with `share / copies` each."""
    fraud, legit = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    report: dict[str, Any] = {**asdict(cfg), "fraud_rows": int(len(fraud)), "rows": 0, "groups": {}}
    if cfg.share == 0.0:
        return X, y, weight, report
    groups = evadable_columns(features, feature_sources)
    if not groups or len(fraud) == 0 or len(legit) == 0:
        return X, y, weight, report
    rng = np.random.default_rng(cfg.seed)
    source = np.tile(fraud, cfg.copies)
    copies = X[source]
    mimicked = np.zeros(len(source), dtype=bool)
    for group, cols in groups.items():
        rows = np.flatnonzero(rng.random(len(source)) < cfg.group_share)
        donors = rng.choice(legit, size=len(rows))
        copies[np.ix_(rows, cols)] = X[np.ix_(donors, cols)]
        mimicked[rows] = True
        report["groups"][group] = {"features": [features[c] for c in cols], "rows": int(len(rows))}
    report["rows"] = int(mimicked.sum())
    w = np.ones(len(X)) if weight is None else np.asarray(weight, dtype=np.float64)
    kept = w.copy()
    kept[fraud] *= 1.0 - cfg.share
    return (np.vstack([X, copies]), np.concatenate([y, y[source]]),
            np.concatenate([kept, w[source] * (cfg.share / cfg.copies)]), report)
