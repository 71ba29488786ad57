"""The model's action from a manifest: the v2 expected-loss `policy` (cost_policy.py, the same
arithmetic as scoring-api's decision/policy.ts), or the probability `thresholds` of v1 manifests."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np

from riskgate_training.cost_policy import ALLOW, BLOCK, REVIEW, Policy
from riskgate_training.cost_policy import model_actions as policy_actions

__all__ = ["ALLOW", "BLOCK", "REVIEW", "expected_loss_actions", "model_actions"]


def expected_loss_actions(p: np.ndarray, amount_eur: np.ndarray, policy: dict[str, Any]) -> np.ndarray:
    """Model action per checkout before the per-day review capacity, from a manifest `policy` block."""
    pol = Policy(**{f.name: float(policy[f.name]) for f in fields(Policy)})
    return policy_actions(p, amount_eur, pol)


def model_actions(manifest: dict[str, Any], p: np.ndarray, amount_eur: np.ndarray) -> np.ndarray:
    if "policy" in manifest:
        return expected_loss_actions(p, amount_eur, manifest["policy"])
    th = manifest["thresholds"]
    p = np.asarray(p, dtype=np.float64)
    return np.where(p >= th["block"], BLOCK, np.where(p >= th["review"], REVIEW, ALLOW))
