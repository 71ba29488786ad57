import numpy as np

from riskgate_training.baseline import resolve_signals, rules_decisions

# names as defined in feature-store/src/definitions/features.ts
STORE = ["instrument_failed_10m", "user_failed_payments_1h", "ip_country_ne_card_country", "new_device_for_user",
         "user_hours_since_password_reset", "account_age_days"]


def test_signals_resolve_to_feature_store_names() -> None:
    m = resolve_signals(STORE)
    assert m == {"failed_payments": "instrument_failed_10m", "country_mismatch": "ip_country_ne_card_country",
                 "new_device": "new_device_for_user", "password_reset": "user_hours_since_password_reset",
                 "account_age_days": "account_age_days"}


def test_signals_resolve_by_pattern() -> None:
    m = resolve_signals(["card_failed_attempts_10m", "geo_country_mismatch", "is_new_device", "x"])
    assert m["failed_payments"] == "card_failed_attempts_10m"
    assert m["country_mismatch"] == "geo_country_mismatch"
    assert m["new_device"] == "is_new_device"
    assert "password_reset" not in m


def test_rules_on_feature_store_columns() -> None:
    X = np.array([
        # failed10m failed1h mismatch newdev hours_since_reset age
        [0, 5, 0, 0, 720, 300],   # user velocity is not the card-testing signal -> allow
        [3, 0, 0, 0, 720, 300],   # card testing -> block
        [0, 0, 0, 1, 2.5, 300],   # new device + reset 2.5 h ago -> review
        [0, 0, 0, 1, 30, 300],    # reset 30 h ago -> allow
        [0, 0, 1, 0, 720, 0.2],   # new account + mismatch -> review
    ], dtype=float)
    d, info = rules_decisions(X, STORE)
    assert d.tolist() == [0, 2, 1, 0, 1]
    assert info["skipped_rules"] == []


def test_rules_skip_missing_signals() -> None:
    feats = ["failed_payments_card_10m", "ip_card_country_mismatch"]
    X = np.array([[0, 0], [1, 1], [3, 0], [1, 0]], dtype=float)
    d, info = rules_decisions(X, feats)
    assert d.tolist() == [0, 1, 2, 0]
    assert {"account_takeover", "new_account_mismatch"} <= set(info["skipped_rules"])
