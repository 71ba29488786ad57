"""The label-arrivals test: are fraud labels still arriving as fast as the served scores predict?

label_excess.py asks whether more fraud labels arrived than the scores predict, which is fraud the
model misses. The opposite question matters too, for another reason: a chargeback feed that breaks
(an acquirer's file that stops, a consumer that drops the topic, a mapping that loses the checkout
id) sends no error anywhere. Training on the weeks after it would learn that fraud went away, and
the missed-fraud tests, which count labels, would see nothing to alert on. PSI cannot see it: labels
feed almost no feature, and fraud is half a percent of checkouts.

The test looks at arrivals, not totals: labels that arrived in the last ARRIVAL_DAYS days on the
checkouts the model allowed, against those the scores predict would arrive in that span,
E = sum_i p_i * (F(T - t_i) - F(T - ARRIVAL_DAYS - t_i)), with F the label-delay CDF of the manifest
(`monitoring.label_excess`). A feed that stops takes arrivals to zero at once, where a count since
the model shipped would still hold the labels from before. With a calibrated model the arrivals O
are about Poisson(E); the test alerts on the exact lower tail P(X <= O | E), as a z above
Z_SHORTFALL, once E is at least MIN_EXPECTED (fewer expected arrivals cannot fall short
significantly). It also fires, more slowly, when the model prices allowed checkouts too high (fewer
frauds than predicted: reviews and declines spent on nobody), which a recalibration on recent
matured labels repairs; the report cannot tell the two apart, and says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import norm, poisson

from riskgate_training.label_excess import DAY_NS, Z_LIMIT, known_share

ARRIVAL_DAYS = 7
Z_SHORTFALL = 3.5
MIN_EXPECTED = 10.0


def shortfall_z(observed: int, expected: float) -> float:
    """One-sided: the z with the same lower tail as P(Poisson(expected) <= observed), within +-Z_LIMIT."""
    if expected <= 0:
        return 0.0
    return float(np.clip(norm.isf(poisson.cdf(observed, expected)), -Z_LIMIT, Z_LIMIT))


def check(ref: dict[str, Any], p: np.ndarray, scored_ns: np.ndarray, labelled_ns: np.ndarray,
          as_of_ns: int) -> dict[str, Any]:
    """The test at `as_of_ns` (UTC epoch ns) on the checkouts the model allowed: served score `p`,
    when each was scored, and when its first fraud label arrived (any value after as_of: none yet)."""
    days = float(ref.get("arrival_days", ARRIVAL_DAYS))
    p = np.asarray(p, dtype=np.float64)
    age = (as_of_ns - np.asarray(scored_ns, dtype=np.int64)) / DAY_NS
    expected = float(np.sum(p * (known_share(ref, age) - known_share(ref, age - days))))
    arrived = np.asarray(labelled_ns, dtype=np.int64)
    observed = int(np.sum((arrived > as_of_ns - days * DAY_NS) & (arrived <= as_of_ns)))
    z = shortfall_z(observed, expected)
    min_expected = float(ref.get("min_expected_arrivals", MIN_EXPECTED))
    return {"days": days, "arrived": observed, "expected": expected, "z": z,
            "alert": bool(expected >= min_expected and z > ref.get("z_shortfall", Z_SHORTFALL))}
