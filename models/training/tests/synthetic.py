"""Synthetic training tables in the backfill's format, for tests and timing runs.

Column names follow feature-store/src/definitions/features.ts where a match exists.
Fraud comes from a few patterns (card testing, account takeover, new-account mule, fake
listing contact) mixed with nonlinear amount/lead-time effects, so a tree model can beat
hand rules but not trivially. Run as a script to make a large table:
    python tests/synthetic.py OUT_DIR --days 60 --per-day 7500 --features 40
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

CORE_FEATURES = [
    "instrument_failed_10m", "ip_country_ne_card_country", "new_device_for_user", "user_hours_since_password_reset",
    "account_age_days", "user_successful_payments", "instrument_distinct_users_24h", "listing_age_days",
    "msg_has_link", "lead_time_days", "nights", "user_amount_vs_mean",
]
# Their evasion groups as feature-store's definitions declare them (FeatureSpec.evadable).
EVADABLE = {"instrument_failed_10m": "velocity", "ip_country_ne_card_country": "network",
            "new_device_for_user": "device", "user_hours_since_password_reset": "account_changes",
            "msg_has_link": "message"}


def make_table(out_dir: Path, *, days: int = 56, per_day: int = 1500, n_features: int = 16, fraud_rate: float = 0.01,
               seed: int = 1, start: str = "2026-01-05T00:00:00Z") -> Path:
    """Write training.csv + meta.json to out_dir and return it."""
    rng = np.random.default_rng(seed)
    n = days * per_day
    t0 = pd.Timestamp(start)
    occurred = t0 + pd.to_timedelta(np.sort(rng.uniform(0, days * 86400, n)), unit="s")
    amount = np.round(np.exp(rng.normal(5.3, 0.7, n)), 2)

    f: dict[str, np.ndarray] = {}
    f["instrument_failed_10m"] = rng.poisson(0.08, n).astype(float)
    f["ip_country_ne_card_country"] = (rng.random(n) < 0.06).astype(float)
    f["new_device_for_user"] = (rng.random(n) < 0.15).astype(float)
    reset = rng.random(n) < 0.03  # reset in the last 24 h; otherwise older or never (capped at 720 like the store)
    f["user_hours_since_password_reset"] = np.where(reset, np.round(rng.uniform(0, 24, n), 2),
                                                    np.where(rng.random(n) < 0.1, np.round(rng.uniform(24, 720, n), 2), 720.0))
    f["account_age_days"] = np.round(rng.exponential(400, n), 2)
    f["user_successful_payments"] = rng.poisson(1.5, n).astype(float)
    f["instrument_distinct_users_24h"] = 1.0 + rng.poisson(0.05, n)
    f["listing_age_days"] = np.round(rng.exponential(500, n), 1)
    f["msg_has_link"] = (rng.random(n) < 0.02).astype(float)
    f["lead_time_days"] = np.round(rng.exponential(30, n), 1)
    f["nights"] = 1.0 + rng.poisson(2.5, n)
    f["user_amount_vs_mean"] = np.round(np.exp(rng.normal(0, 0.4, n)), 3)

    # latent fraud patterns: choose which rows are fraud, then imprint noisy pattern signals
    pattern_logit = (
        -1.0
        + 0.6 * np.log(amount / 200.0)
        - 0.03 * f["lead_time_days"]
        + 0.8 * (f["nights"] <= 1)
        - 0.5 * np.minimum(f["user_successful_payments"], 4)
        + 1.0 * (f["account_age_days"] < 30)
    )
    base = 1 / (1 + np.exp(-pattern_logit))
    scale = fraud_rate / base.mean()
    fraud = rng.random(n) < np.clip(base * scale, 0, 1)
    idx = np.flatnonzero(fraud)
    kind = rng.integers(0, 4, len(idx))
    for k, i in zip(kind, idx):
        if k == 0:  # card testing
            f["instrument_failed_10m"][i] += rng.poisson(2.5)
            f["instrument_distinct_users_24h"][i] += rng.poisson(1.5)
            f["ip_country_ne_card_country"][i] = float(rng.random() < 0.5)
        elif k == 1:  # account takeover
            f["new_device_for_user"][i] = float(rng.random() < 0.85)
            if rng.random() < 0.6:
                f["user_hours_since_password_reset"][i] = round(float(rng.uniform(0, 12)), 2)
            f["user_amount_vs_mean"][i] *= np.exp(rng.normal(1.0, 0.4))
            f["ip_country_ne_card_country"][i] = float(rng.random() < 0.4)
        elif k == 2:  # new-account mule
            f["account_age_days"][i] = np.round(rng.exponential(0.8), 2)
            f["user_successful_payments"][i] = 0.0
            f["ip_country_ne_card_country"][i] = float(rng.random() < 0.5)
            f["new_device_for_user"][i] = float(rng.random() < 0.5)
        else:  # fake listing / off-platform contact
            f["listing_age_days"][i] = np.round(rng.exponential(5), 1)
            f["msg_has_link"][i] = float(rng.random() < 0.7)
            f["lead_time_days"][i] = np.round(rng.exponential(3), 1)

    names = CORE_FEATURES[: min(n_features, len(CORE_FEATURES))]
    for j in range(max(0, n_features - len(CORE_FEATURES))):
        name = f"noise_{j:02d}"
        f[name] = np.round(rng.normal(0, 1, n), 4) if j % 2 else rng.poisson(1.0, n).astype(float)
        names.append(name)

    # labels arrive late, as chargebacks do (scaled down to fit a short table): 2-12 days, mode 5
    delay = pd.to_timedelta(rng.triangular(2.0, 5.0, 12.0, n) * 86400, unit="s")
    known_at = (occurred + delay).strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z"
    frame = pd.DataFrame({
        "event_id": [f"evt_{i:08d}" for i in range(n)],
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z",
        "user_id": [f"u_{u}" for u in rng.integers(0, max(1000, n // 5), n)],
        "amount_eur": amount,
        "label": fraud.astype(int),
        "label_known_at": np.where(fraud, known_at, ""),
        **{name: f[name] for name in names},
    })
    out_dir.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out_dir / "training.csv", index=False)
    meta = {
        "feature_set": hashlib.sha256(json.dumps(names).encode()).hexdigest()[:16],
        "features": names,
        "feature_sources": {name: {"entity": "user", "default": 0.0, "topics": [], "evadable": EVADABLE.get(name)}
                            for name in names},
        "label_cutoff": (t0 + pd.Timedelta(days=days + 30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "rows": n,
        "created_at": "2026-04-01T00:00:00Z",
        "source": f"tests/synthetic.py seed={seed}",
    }
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=2))
    return out_dir


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--per-day", type=int, default=7500)
    ap.add_argument("--features", type=int, default=40)
    ap.add_argument("--fraud-rate", type=float, default=0.006)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    make_table(a.out, days=a.days, per_day=a.per_day, n_features=a.features, fraud_rate=a.fraud_rate, seed=a.seed)
    print(a.out)
