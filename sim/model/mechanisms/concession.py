"""Tolerance over time: how far from its preference a delegation accepts a draft (docs/model.md §7.4).

``θ_ik(t) = max(θ₀, G_ik · (t/T)^(1/β_i) · (1 − κ·ŝ_ik))`` with ``G_ik = |q_k − p_ik|`` the
distance from the preference to the status quo — what any agreement can give it, the range over
which it can concede — and ``ŝ`` relative salience. β < 1 holds out until late (Boulware), β > 1
concedes early (Conceder). On a salient provision a delegation never concedes more than
``1 − κ·ŝ`` of that range: its red line, beyond which it would rather be overruled than consent.
Whatever its tolerance, a delegation never accepts a draft worse for it than its reservation
(what failing gives it, :mod:`sim.model.mechanisms.decision`). With the mechanism off, tolerance is the
whole range from the start: the classic spatial model, in which a delegation accepts any draft
it prefers to the status quo and to its reservation.

Openness does not act here: transparency and seating act once, on persuasion (oversight, §7.1).

References:
    Faratin, Sierra & Jennings 1998.
"""

from __future__ import annotations

import numpy as np


def hold(relative_salience: np.ndarray, salience_holdout: float) -> np.ndarray:
    """(N, K) 1 − κ·ŝ: the share of its range a delegation will ever concede (its red line)."""
    return 1.0 - salience_holdout * relative_salience


def tolerance(
    stake: np.ndarray,
    round_: int,
    rounds: int,
    style: np.ndarray,
    hold: np.ndarray,
    base: float,
) -> np.ndarray:
    """(N, K) tolerance for this round.

    Args:
        stake: (N, K) G, distance from preference to the status quo.
        round_: the current round, 1..rounds.
        rounds: T, the deadline.
        style: (N,) β of each delegation.
        hold: (N, K) 1 − κ·ŝ (see :func:`hold`).
        base: θ₀.
    """
    progress = ((round_ / rounds) ** (1.0 / style))[:, None]
    return np.maximum(base, stake * progress * hold)
