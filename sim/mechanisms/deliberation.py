"""Persuasion between delegations and by stakeholders: Friedkin–Johnsen dynamics (docs/model.md §7.1).

Each provision evolves as ``p(t+1) = Λ ⊙ (W · [p(t); y]) + (1 − Λ) ⊙ u``. Row ``i`` of ``W``
splits delegation ``i``'s attention between delegations (the plenary, weighted by the speaker's
capability, and its bloc peers) and stakeholders, whose pull ``L_ik`` is the sum of their
lobbying weights times their relative salience on the provision. With pull ``L`` the
delegation block gets ``1 / (1 + L)`` and stakeholders ``L / (1 + L)``, so each row of ``W``
sums to one. Stakeholders hold their positions ``y`` fixed.

The lobbying weight of stakeholder ``j`` on delegation ``i`` has two channels:
access ``r̃_j · lobby_weight · α · (a + (1 − a) · τ)`` (being in the room; transparency lets them
aim), open to every stakeholder, and, for home stakeholders of a delegation that seats them,
``r̃_home_j · domestic_weight · o_i``. Resources are shares: ``r̃_j`` of all stakeholders'
resources, ``r̃_home_j`` of the home stakeholders' resources.

References:
    Friedkin & Johnsen 1990, 2011.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def peer_weights(capability: np.ndarray, peers: np.ndarray, bloc_weight: float) -> np.ndarray:
    """Row-stochastic (N, N) attention among delegations.

    A share ``bloc_weight`` goes to bloc peers (and self), weighted by capability and by how many
    blocs they share; the rest to the whole plenary, weighted by capability.
    """
    plenary = np.broadcast_to(capability / capability.sum(), peers.shape)
    bloc = peers * capability
    bloc = bloc / bloc.sum(axis=1, keepdims=True)
    return (1.0 - bloc_weight) * plenary + bloc_weight * bloc


def lobbying_weights(
    resources: np.ndarray,
    home: np.ndarray,
    domestic_openness: np.ndarray,
    seated: np.ndarray,
    access: float,
    transparency: float,
    lobby_weight: float,
    domestic_weight: float,
    aim_floor: float,
) -> np.ndarray:
    """(N, M) lobbying weight of each stakeholder on each delegation (before salience)."""
    n, m = len(domestic_openness), len(resources)
    if m == 0:
        return np.zeros((n, 0))
    share = resources / resources.sum()
    room = lobby_weight * access * (aim_floor + (1.0 - aim_floor) * transparency)
    weights = np.tile(room * share, (n, 1))
    homed = np.flatnonzero(home >= 0)
    if homed.size:
        owners = home[homed]
        home_total = np.bincount(owners, weights=resources[homed], minlength=n)
        channel = domestic_weight * domestic_openness * seated
        weights[owners, homed] += channel[owners] * resources[homed] / home_total[owners]
    return weights


def stakeholder_pull(
    lobbying: np.ndarray, salience: np.ndarray, positions: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Constant stakeholder terms of the update, per delegation and provision.

    Args:
        lobbying: (N, M) lobbying weights.
        salience: (M, K) stakeholders' salience (rows sum to 1).
        positions: (M, K) stakeholders' positions.

    Returns:
        (pull, target): ``pull`` (N, K) is L, the total stakeholder weight; ``target`` (N, K) is
        the pull-weighted sum of their positions.
    """
    effort = relative(salience)
    return lobbying @ effort, lobbying @ (effort * positions)


def relative(salience: np.ndarray) -> np.ndarray:
    """Salience relative to the actor's most salient provision (rows scaled to a maximum of 1)."""
    top = salience.max(axis=1, keepdims=True)
    return np.divide(salience, top, out=np.zeros_like(salience), where=top > 0)


def susceptibility(
    relative_salience: np.ndarray,
    domestic_openness: np.ndarray,
    transparency: float,
    base: float,
    salience_resistance: float,
    audience_resistance: float,
) -> np.ndarray:
    """(N, K) Λ: falls with relative salience and with audience costs ``τ · o_i``."""
    audience = 1.0 - audience_resistance * transparency * domestic_openness
    return base * (1.0 - salience_resistance * relative_salience) * audience[:, None]


@dataclass(frozen=True, eq=False)
class Update:
    """One Friedkin–Johnsen step in affine form: ``p(t+1) = gain ⊙ (W · p(t)) + anchor``.

    ``gain = Λ / (1 + L)`` and ``anchor = gain ⊙ target + (1 − Λ) ⊙ u``: the stakeholder terms
    and the pull of the ideal points are constant, so each step is one matrix product.
    """

    weights: np.ndarray
    gain: np.ndarray
    anchor: np.ndarray


def update(
    ideal: np.ndarray,
    weights: np.ndarray,
    lam: np.ndarray,
    pull: np.ndarray,
    target: np.ndarray,
) -> Update:
    """The constant terms of every step, from Λ, the stakeholders' pull and target, and u."""
    gain = lam / (1.0 + pull)
    return Update(weights, gain, gain * target + (1.0 - lam) * ideal)


def deliberate(preferences: np.ndarray, step: Update) -> np.ndarray:
    """One Friedkin–Johnsen step on every provision at once."""
    return step.gain * (step.weights @ preferences) + step.anchor


def equilibrium(
    ideal: np.ndarray,
    weights: np.ndarray,
    lam: np.ndarray,
    pull: np.ndarray | None = None,
    target: np.ndarray | None = None,
) -> np.ndarray:
    """Closed-form fixed point of :func:`deliberate`, provision by provision.

    With no stakeholders this is ``p* = (I − ΛW)⁻¹ (I − Λ) u``.
    """
    n, k = ideal.shape
    pull = np.zeros((n, k)) if pull is None else pull
    target = np.zeros((n, k)) if target is None else target
    out = np.empty_like(ideal)
    for c in range(k):
        scale = lam[:, c] / (1.0 + pull[:, c])
        system = np.eye(n) - scale[:, None] * weights
        rhs = scale * target[:, c] + (1.0 - lam[:, c]) * ideal[:, c]
        out[:, c] = np.linalg.solve(system, rhs)
    return out
