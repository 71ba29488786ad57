"""Training-time evasion mimicry: teach the model that fraud can make the tells it controls look ordinary.

Fraud adapts, and its cheapest adaptation is to stop showing a tell the attacker controls: plant a
device on the account weeks ahead instead of adding one at the takeover, skip the password reset,
spread card tests over hours, book through a proxy in the card's country, write the off-platform
pitch without the obvious words. A model fitted on yesterday's attacks puts its weight on exactly
those tells, because they separate yesterday's fraud perfectly, and has little left when they
disappear (issue 13's backtest: the adapted takeover got a mean p of 0.02-0.07 against 0.75-0.99 for
the classic one). What an attacker cannot change without giving up the gain is what the fraud is for:
the amount, the stay, how soon it starts, how it compares with the account's own history.

So, on `share` of the fit rows labelled fraud, each group of attacker-controlled features (EVADABLE)
is, with probability `group_share`, replaced by the same group's values from one random legit fit
row: that fraud as it would look had its attacker mimicked an ordinary customer on that group. The
defaults (half the frauds, every group) model a mix of yesterday's attackers and fully adapted ones;
in the backtest, mimicking each group on its own draw (group share 0.5) left more of the adapted
takeovers' money through on both seeds than mimicking every group at once. Labels
are unchanged and legit rows are untouched, so the trees must also learn the signals that the attack
cannot drop. Like stream dropout, only the fitting rows change: calibration, the policy, monitoring
and the parity rows see the table as served.

The groups model the attacker's costs, and are declared here rather than learned: a feature belongs
to a group when an attacker can set its value cheaply (a device, an IP, the pace, the words, the
account's settings), and stays out when changing it costs the fraud its point (amount, stay, lead
time, the entity's history, the listing).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

EVADABLE: dict[str, tuple[str, ...]] = {
    # The takeover's own steps: a reset, a new e-mail, a device added just before.
    "account_changes": ("user_hours_since_password_reset", "user_hours_since_email_change",
                        "user_hours_since_device_added", "email_verified", "email_domain_disposable"),
    # A device is cheap: planted early it looks aged and known, kept to one account it is not shared.
    "device": ("device_days_since_first_seen", "new_device_for_user", "device_distinct_users_24h",
               "device_distinct_users_7d"),
    # Residential proxies put the IP in any country, fresh or familiar, alone or in a crowd.
    "network": ("ip_country_ne_card_country", "ip_country_ne_billing_country", "new_ip_for_user",
                "ip_distinct_users_24h", "ip_checkouts_1h", "ip_logins_1h"),
    # The pace: tests and attempts spread over hours show no burst.
    "velocity": ("user_checkouts_1h", "user_checkouts_24h", "user_failed_payments_1h", "user_failed_payments_24h",
                 "instrument_failed_10m", "instrument_failed_1h", "instrument_failed_24h", "instrument_attempts_1h",
                 "device_checkouts_1h"),
    # The words of a message.
    "message": ("msg_off_platform_contact", "msg_has_link", "msg_length"),
}


@dataclass(frozen=True)
class EvasionMimicry:
    share: float = 0.5
    group_share: float = 1.0
    seed: int = 7

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ValueError(f"evasion_mimicry_share must be in [0, 1], got {self.share}")
        if not 0.0 < self.group_share <= 1.0:
            raise ValueError(f"evasion_mimicry_group_share must be in (0, 1], got {self.group_share}")


def evadable_columns(features: list[str]) -> dict[str, list[int]]:
    """Per group, the column indices of its features in this table (groups with none are left out)."""
    groups = {g: [features.index(f) for f in names if f in features] for g, names in EVADABLE.items()}
    return {g: idx for g, idx in groups.items() if idx}


def apply(X: np.ndarray, y: np.ndarray, features: list[str], cfg: EvasionMimicry) -> tuple[np.ndarray, dict[str, Any]]:
    """A copy of X whose drawn fraud rows mimic random legit rows on some evadable groups, and what was done."""
    groups = evadable_columns(features)
    fraud, legit = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    report: dict[str, Any] = {**asdict(cfg), "fraud_rows": int(len(fraud)), "rows": 0, "groups": {}}
    if cfg.share == 0.0 or not groups or len(fraud) == 0 or len(legit) == 0:
        return X, report
    rng = np.random.default_rng(cfg.seed)
    drawn = fraud[rng.random(len(fraud)) < cfg.share]
    out = X.copy()
    changed = np.zeros(len(X), dtype=bool)
    for group, cols in groups.items():
        rows = drawn[rng.random(len(drawn)) < cfg.group_share]
        donors = rng.choice(legit, size=len(rows))
        out[np.ix_(rows, cols)] = X[np.ix_(donors, cols)]
        changed[rows] = True
        report["groups"][group] = {"features": [features[c] for c in cols], "rows": int(len(rows))}
    report["rows"] = int(changed.sum())
    return out, report
