"""Tolerance over time: how far from its preference a delegation accepts a draft (docs/model.md §7.4).

``θ_ik(t) = max(θ₀, R_ik · (t/T)^(1/β_i) · (1 − κ·ŝ_ik)) · (1 − γ·τ·o_i)`` with ``R_ik`` the
distance from the preference to the reservation point and ``ŝ`` relative salience. β < 1 holds
out until late (Boulware), β > 1 concedes early (Conceder). Audience costs: public concessions
cost accountable delegations more (Stasavage 2004), so transparency can make agreement harder.
With the mechanism off, tolerance is the full reservation distance from the start: the classic
spatial model, in which a delegation accepts any draft it prefers to its reservation.

References:
    Faratin, Sierra & Jennings 1998; Stasavage 2004.
"""

from __future__ import annotations

import numpy as np


def hold(relative_salience: np.ndarray, salience_holdout: float) -> np.ndarray:
    """(N, K) 1 − κ·ŝ: the share of the reservation gap a delegation will ever concede."""
    return 1.0 - salience_holdout * relative_salience


def tolerance(
    reservation_gap: np.ndarray,
    round_: int,
    rounds: int,
    style: np.ndarray,
    hold: np.ndarray,
    base: float,
    keep: np.ndarray,
) -> np.ndarray:
    """(N, K) tolerance for this round.

    Args:
        reservation_gap: (N, K) R, distance from preference to reservation point.
        round_: the current round, 1..rounds.
        rounds: T, the deadline.
        style: (N,) β of each delegation.
        hold: (N, K) 1 − κ·ŝ (see :func:`hold`).
        base: θ₀.
        keep: (N, 1) 1 − γ·τ·o_i, what audience costs leave (ones when switched off).
    """
    progress = ((round_ / rounds) ** (1.0 / style))[:, None]
    return np.maximum(base, reservation_gap * progress * hold) * keep
