"""A rules-only baseline on the same split, so 'the model halves expected cost' has a
reference a fraud analyst would recognise.

Rules are written against *logical* signals (failed-payment velocity, country mismatch,
new device, password reset, account age). Each signal is resolved to a table column by
exact name first, then by a name pattern, because the feature-store names may evolve; a
rule whose signals are absent is skipped and reported, never silently treated as 'false'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from riskgate_training.cost_policy import Policy, policy_cost


def _same(x: np.ndarray) -> np.ndarray:
    return x


def _within_24h(hours_since: np.ndarray) -> np.ndarray:
    """'hours since X' (feature-store caps it at 720, also when X never happened) -> 1 if < 24 h."""
    return (hours_since < 24).astype(np.float64)


# logical signal -> candidates (column-name regex, transform to the signal's meaning), first match wins.
# The first candidate of each is the feature-store name (feature-store/src/definitions/features.ts).
SIGNALS: dict[str, tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...]] = {
    "failed_payments": ((r"^instrument_failed_10m$", _same), (r"^failed_payments_card_10m$", _same),
                        (r"(instrument|card)\w*fail\w*10m|fail\w*(instrument|card)\w*10m", _same)),
    "country_mismatch": ((r"^ip_country_ne_card_country$", _same), (r"^ip_card_country_mismatch$", _same),
                         (r"ip\w*country\w*(mismatch|_ne_)\w*card|country\w*mismatch", _same)),
    "new_device": ((r"^new_device_for_user$", _same), (r"^new_device$", _same), (r"new_device", _same)),
    "password_reset": ((r"^user_hours_since_password_reset$", _within_24h), (r"^password_reset_24h$", _same),
                       (r"hours_since\w*password_reset", _within_24h)),
    "account_age_days": ((r"^account_age_days$", _same), (r"account_age_days", _same)),
}


@dataclass(frozen=True)
class Rule:
    id: str
    action: str  # "review" | "block"
    description: str
    signals: tuple[str, ...]
    fires: Callable[[dict[str, np.ndarray]], np.ndarray]


RULES: tuple[Rule, ...] = (
    Rule("card_testing_velocity", "block", "failed payments on the card in 10 min >= 3",
         ("failed_payments",), lambda f: f["failed_payments"] >= 3),
    Rule("failed_payment_and_mismatch", "review", "failed payments >= 1 and IP/card country mismatch",
         ("failed_payments", "country_mismatch"), lambda f: (f["failed_payments"] >= 1) & (f["country_mismatch"] >= 0.5)),
    Rule("account_takeover", "review", "new device and password reset in the last 24 h",
         ("new_device", "password_reset"), lambda f: (f["new_device"] >= 0.5) & (f["password_reset"] >= 0.5)),
    Rule("new_account_mismatch", "review", "account younger than 1 day and country mismatch",
         ("account_age_days", "country_mismatch"), lambda f: (f["account_age_days"] < 1) & (f["country_mismatch"] >= 0.5)),
)


def resolve_signals(features: list[str]) -> dict[str, str]:
    """Map logical signals to column names present in the table."""
    return {sig: col for sig, (col, _) in _resolve(features).items()}


def _resolve(features: list[str]) -> dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]]:
    out: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {}
    for signal, candidates in SIGNALS.items():
        for pattern, transform in candidates:
            hit = next((c for c in features if re.search(pattern, c, flags=re.IGNORECASE)), None)
            if hit is not None:
                out[signal] = (hit, transform)
                break
    return out


def rules_decisions(X: np.ndarray, features: list[str]) -> tuple[np.ndarray, dict[str, Any]]:
    """Decisions 0 allow / 1 review / 2 block from the hand rules, plus what was used."""
    resolved = _resolve(features)
    mapping = {sig: col for sig, (col, _) in resolved.items()}
    cols = {sig: tf(X[:, features.index(col)]) for sig, (col, tf) in resolved.items()}
    decisions = np.zeros(len(X), dtype=np.int64)
    used, skipped = [], []
    for rule in RULES:
        if not all(s in cols for s in rule.signals):
            skipped.append(rule.id)
            continue
        fired = np.asarray(rule.fires(cols), dtype=bool)
        level = 2 if rule.action == "block" else 1
        decisions = np.maximum(decisions, np.where(fired, level, 0))
        used.append({"id": rule.id, "action": rule.action, "description": rule.description,
                     "columns": [mapping[s] for s in rule.signals], "fired": int(fired.sum())})
    return decisions, {"signals": mapping, "rules": used, "skipped_rules": skipped}


def evaluate_baseline(
    X: np.ndarray, y: np.ndarray, amount: np.ndarray, features: list[str], pol: Policy, days: float,
) -> dict[str, Any]:
    """Cost of the rules on labelled rows. If the rules want more reviews than capacity we
    still count every review as done (flattering the baseline, so the comparison is conservative)."""
    decisions, info = rules_decisions(X, features)
    cost = policy_cost(decisions, y, amount, pol, days)
    fraud = np.asarray(y).astype(bool)
    flagged = decisions >= 1
    info["cost"] = cost.to_dict()
    info["recall_flagged"] = float((flagged & fraud).sum() / fraud.sum()) if fraud.any() else None
    info["precision_flagged"] = float((flagged & fraud).sum() / flagged.sum()) if flagged.any() else None
    info["exceeds_review_capacity"] = bool(cost.n_review / days > pol.review_capacity_per_day)
    return info
