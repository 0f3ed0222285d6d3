"""Persuasion at the table: Friedkin–Johnsen dynamics (docs/model.md §7.1).

Each provision evolves as ``p(t+1) = Λ ⊙ (W · [p(t); y]) + (1 − Λ) ⊙ h``: a delegate weighs what
it hears by ``Λ`` and stays anchored to its home constituency's view ``h`` by ``1 − Λ``.

What it hears (row ``i`` of ``W``): the room, where civil society holds a share ``L_k = α·v·e_k``
of the floor on provision ``k`` (access ``α``, voice ``v``, and ``e_k`` ∈ [0, 1] how engaged
stakeholders are on ``k``), split among them by resources × relative salience; and delegations
with the rest, ``1 − L_k``, of which a share ``b`` goes to bloc peers and ``1 − b`` to the whole
plenary. Every delegation speaks with one voice: attention is not weighted by size (capability is
bargaining clout; it acts in drafting and in the chair's sense of the room, §7.2–7.3).

Susceptibility ``Λ_ik = λ₀ · (1 − ρ·ŝ_ik) · (1 − η·ω_i)`` falls with relative salience and with
oversight ``ω_i = o_i·π_i``: an accountable home that follows the negotiation (public drafts, or
its stakeholders seated in the delegation) holds its delegate to its view (Stasavage 2004;
Putnam 1988). This is the only place transparency and seating act on the table.

References:
    Friedkin & Johnsen 1990, 2011; Stasavage 2004; Putnam 1988.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.mechanisms.ties import PeerWeights, Ties


def peer_weights(ties: Ties, bloc_weight: float) -> PeerWeights:
    """Row-stochastic attention among delegations: plenary (equal) and bloc peers.

    Args:
        ties: the delegations' bloc memberships.
        bloc_weight: share of attention on bloc peers (self included).

    Returns:
        The (N, N) attention as an operator: ``W @ p`` without forming ``W``.
    """
    return PeerWeights(ties, bloc_weight)


def floor(
    access: float, voice: float, resources: np.ndarray, relative_salience: np.ndarray
) -> np.ndarray:
    """(M, K) each stakeholder's share of the floor on each provision; columns sum to ``α·v·e_k``."""
    if resources.size == 0:
        return np.zeros_like(relative_salience)
    effort = resources[:, None] * relative_salience / resources.sum()
    return access * voice * effort


def stakeholder_terms(share: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stakeholders' total share ``L`` (K,) and their share-weighted positions ``Σ_j L_jk y_jk`` (K,)."""
    return share.sum(axis=0), (share * positions).sum(axis=0)


def relative(salience: np.ndarray) -> np.ndarray:
    """Salience relative to the actor's most salient provision (rows scaled to a maximum of 1)."""
    top = salience.max(axis=1, keepdims=True)
    return np.divide(salience, top, out=np.zeros_like(salience), where=top > 0)


def susceptibility(
    relative_salience: np.ndarray,
    oversight: np.ndarray,
    base: float,
    salience_resistance: float,
    oversight_weight: float,
) -> np.ndarray:
    """(N, K) Λ: falls with relative salience and with oversight ``ω_i``."""
    held = 1.0 - oversight_weight * oversight
    return base * (1.0 - salience_resistance * relative_salience) * held[:, None]


@dataclass(frozen=True, eq=False)
class Update:
    """One Friedkin–Johnsen step in affine form: ``p(t+1) = gain ⊙ (W · p(t)) + anchor``.

    ``gain = Λ ⊙ (1 − L)`` and ``anchor = Λ ⊙ Σ_j L_j y_j + (1 − Λ) ⊙ h``: the stakeholder terms and
    the pull of home are constant, so each step is one matrix product.
    """

    weights: PeerWeights
    gain: np.ndarray
    anchor: np.ndarray


def update(
    home: np.ndarray,
    weights: PeerWeights,
    lam: np.ndarray,
    pull: np.ndarray,
    target: np.ndarray,
) -> Update:
    """The constant terms of every step, from Λ, the stakeholders' share and target, and h."""
    return Update(weights, lam * (1.0 - pull), lam * target + (1.0 - lam) * home)


def deliberate(preferences: np.ndarray, step: Update) -> np.ndarray:
    """One Friedkin–Johnsen step on every provision at once."""
    return step.gain * (step.weights @ preferences) + step.anchor


def equilibrium(
    home: np.ndarray,
    weights: PeerWeights,
    lam: np.ndarray,
    pull: np.ndarray | None = None,
    target: np.ndarray | None = None,
) -> np.ndarray:
    """Closed-form fixed point of :func:`deliberate`, provision by provision.

    With no stakeholders this is ``p* = (I − ΛW)⁻¹ (I − Λ) h``; it forms ``W``, so it is for
    small scenarios and tests.
    """
    n, k = home.shape
    pull = np.zeros(k) if pull is None else pull
    target = np.zeros(k) if target is None else target
    step = update(home, weights, lam, pull, target)
    dense = weights.dense()
    out = np.empty_like(home)
    for c in range(k):
        system = np.eye(n) - step.gain[:, c, None] * dense
        out[:, c] = np.linalg.solve(system, step.anchor[:, c])
    return out
