"""Training-time stream dropout: teach the model what a silent upstream stream looks like.

A stream that stops (a lagging consumer, a producer outage) leaves every feature it alone writes at
its served default, and those defaults mean "new" (a listing 0 days old, a host with no listings).
A model that never saw that combination on legit traffic reads it as fraud and flags every checkout
while the stream is down (issue 13: listings silence doubled legit reviews). So, on `share` of the
train split's rows, every feature of one upstream stream (drawn uniformly) is set to its default,
as `stream_robustness` does to the test split, with the label unchanged. The trees then learn that
"all of a stream's features at default together" carries little evidence, while a genuinely new
entity (which leaves traces elsewhere: a host with listings created, a price ratio off 1) still does.

Only the fitting rows are dropped out: calibration, the policy, the monitoring distributions and the
parity rows see the table as served in normal operation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from riskgate_training.stream_robustness import STREAMS, features_of


@dataclass(frozen=True)
class StreamDropout:
    share: float = 0.15
    seed: int = 7

    def __post_init__(self) -> None:
        if not 0.0 <= self.share < 1.0:
            raise ValueError(f"stream_dropout_share must be in [0, 1), got {self.share}")


def silent_columns(features: list[str], feature_sources: dict[str, Any]) -> dict[str, list[str]]:
    """Per upstream stream, the features only it writes (streams that write none are left out)."""
    groups = {stream: features_of(feature_sources, features, topic)[0] for stream, topic in STREAMS.items()}
    return {stream: names for stream, names in groups.items() if names}


def apply(X: np.ndarray, features: list[str], feature_sources: dict[str, Any],
          cfg: StreamDropout) -> tuple[np.ndarray, dict[str, Any]]:
    """A copy of X with `cfg.share` of its rows silenced (one stream each), and what was done."""
    groups = silent_columns(features, feature_sources)
    report: dict[str, Any] = {**asdict(cfg), "rows": int(len(X)), "streams": {}}
    if cfg.share == 0.0 or not groups:
        return X, report
    rng = np.random.default_rng(cfg.seed)
    dropped = rng.random(len(X)) < cfg.share
    which = rng.integers(len(groups), size=len(X))
    out = X.copy()
    for g, (stream, names) in enumerate(groups.items()):
        rows = dropped & (which == g)
        for name in names:
            out[rows, features.index(name)] = float(feature_sources[name]["default"])
        report["streams"][stream] = {"topic": STREAMS[stream], "features": names, "rows": int(rows.sum())}
    return out, report
