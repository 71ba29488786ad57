"""Training distributions for the manifest `monitoring` block (serving computes PSI and the
share of default values against them, to tell a silent upstream stream from normal traffic).

Bins: `edges` are strictly increasing cut points e_0 < ... < e_{k-1}; a value x falls in bin
i = number of edges <= x (0 .. k), so `train_share` has k + 1 entries summing to 1. Edges are the
deciles of the training values (duplicates removed: a feature mostly at one value gets fewer bins).
"""

from __future__ import annotations

from typing import Any

import numpy as np

BIN_RULE = "bin = number of edges <= x (len(edges) + 1 bins; train_share in bin order)"
QUANTILES = np.linspace(0.1, 0.9, 9)


def bins(values: np.ndarray) -> dict[str, Any]:
    v = np.asarray(values, dtype=np.float64)
    edges = np.unique(np.quantile(v, QUANTILES))
    if len(edges) == 1 and np.all(v == edges[0]):
        edges = np.array([np.nextafter(edges[0], np.inf)])
    share = np.bincount(np.searchsorted(edges, v, side="right"), minlength=len(edges) + 1) / len(v)
    return {"edges": edges.tolist(), "train_share": share.tolist()}


def monitoring_block(X: np.ndarray, features: list[str], defaults: dict[str, float],
                     score: np.ndarray) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for j, name in enumerate(features):
        col = X[:, j]
        d = float(defaults[name])
        out[name] = {**bins(col), "default_value": d, "default_share": float(np.mean(col == d))}
    return {"bin_rule": BIN_RULE, "from": "train split", "features": out, "score": bins(score)}
