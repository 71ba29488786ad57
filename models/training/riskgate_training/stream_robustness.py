"""Missing-stream robustness: what happens to legit checkouts when an upstream stream goes silent.

For each upstream stream (logins = the accounts topic, payments, listings), every feature whose state
is written only by that stream is set to its default (the value the feature store serves when the
state is absent), the test split is scored again, and the share of legit test checkouts the model
sends to review or block is compared with the untouched share (target: at most doubles). Features fed
by that stream and others (e.g. distinct devices per user, also written by checkouts) keep their
values: they degrade, not vanish, and are listed. The feature → topics/default map is the backfill's
meta.json `feature_sources`, derived from the feature store's own update code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from riskgate_training.policy import ALLOW, model_actions

STREAMS: dict[str, str] = {"logins": "accounts", "payments": "payments", "listings": "listings"}
MAX_RATIO = 2.0


@dataclass(frozen=True)
class StreamResult:
    stream: str
    topic: str
    silenced: list[str]
    degraded: list[str]
    legit_flagged_before: float
    legit_flagged_after: float

    @property
    def ratio(self) -> float:
        before = self.legit_flagged_before
        return self.legit_flagged_after / before if before > 0 else float("inf") if self.legit_flagged_after else 1.0

    @property
    def passed(self) -> bool:
        return self.ratio <= MAX_RATIO


def features_of(feature_sources: dict[str, Any], features: list[str], topic: str) -> tuple[list[str], list[str]]:
    """(features only this topic writes, features it writes together with others)."""
    only, shared = [], []
    for name in features:
        topics = feature_sources.get(name, {}).get("topics", [])
        if topic in topics:
            (only if len(topics) == 1 else shared).append(name)
    return only, shared


def silence(X: np.ndarray, features: list[str], names: list[str], feature_sources: dict[str, Any]) -> np.ndarray:
    out = X.copy()
    for name in names:
        out[:, features.index(name)] = float(feature_sources[name]["default"])
    return out


def flagged_share(actions: np.ndarray, legit: np.ndarray) -> float:
    return float(np.mean(actions[legit] != ALLOW)) if legit.any() else 0.0


def run(manifest: dict[str, Any], feature_sources: dict[str, Any], X_test: np.ndarray, y_test: np.ndarray,
        amount: np.ndarray, score) -> list[StreamResult]:
    """`score(X) -> calibrated p`. Returns one result per upstream stream."""
    features = list(manifest["features"])
    legit = np.asarray(y_test) == 0
    before = flagged_share(model_actions(manifest, score(X_test), amount), legit)
    results = []
    for stream, topic in STREAMS.items():
        only, shared = features_of(feature_sources, features, topic)
        after = before if not only else flagged_share(
            model_actions(manifest, score(silence(X_test, features, only, feature_sources)), amount), legit)
        results.append(StreamResult(stream, topic, only, shared, before, after))
    return results


def to_dict(results: list[StreamResult]) -> dict[str, Any]:
    return {r.stream: {**asdict(r), "ratio": r.ratio, "passed": r.passed} for r in results}


def report(results: list[StreamResult]) -> str:
    lines = [f"== missing upstream stream: legit test checkouts sent to review or block "
             f"(model action, before review capacity; target: at most x{MAX_RATIO:g}) =="]
    for r in results:
        lines.append(f"  {r.stream:9s} ({r.topic}): {r.legit_flagged_before:7.2%} -> {r.legit_flagged_after:7.2%}  "
                     f"x{r.ratio:.2f} {'PASS' if r.passed else 'FAIL'}")
        lines.append(f"      at default: {', '.join(r.silenced) or '(none)'}")
        if r.degraded:
            lines.append(f"      also fed by other streams (kept): {', '.join(r.degraded)}")
    return "\n".join(lines)
