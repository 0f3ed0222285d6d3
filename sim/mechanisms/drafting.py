"""The chair's text (docs/model.md §7.2).

``compromise`` is the capability × salience weighted mean of current preferences (the
compromise model of decision-making research); once access reaches the co-drafting level,
stakeholders' positions enter with weight ``α · stakeholder_weight`` times their resource share
and salience. After a failed decision the chair moves the text toward what its objectors would
accept, splitting the difference (``accommodate``). ``median`` drafts at the floor median; ``amendment`` lets the floor amend the
chair's text (see :mod:`sim.mechanisms.amendment`).

References:
    Stokman & van Oosten 1994; Thomson et al. 2006 (compromise model).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def compromise(
    preferences: np.ndarray,
    weight: np.ndarray,
    stakeholder_positions: np.ndarray,
    stakeholder_weight: np.ndarray,
) -> np.ndarray:
    """(K,) weighted mean of delegations' preferences and co-drafting stakeholders' positions.

    Args:
        preferences: (N, K) current preferences.
        weight: (N, K) capability share × salience.
        stakeholder_positions: (M, K).
        stakeholder_weight: (M, K) drafting weight of each stakeholder (zero below co-drafting).
    """
    fixed, total = compromise_terms(weight, stakeholder_positions, stakeholder_weight)
    return compromise_with(preferences, weight, fixed, total)


def compromise_terms(
    weight: np.ndarray, stakeholder_positions: np.ndarray, stakeholder_weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The constant parts of the compromise: stakeholders' weighted positions and all weights."""
    fixed = (stakeholder_weight * stakeholder_positions).sum(axis=0)
    total = weight.sum(axis=0) + stakeholder_weight.sum(axis=0)
    return fixed, total


def compromise_with(
    preferences: np.ndarray, weight: np.ndarray, fixed: np.ndarray, total: np.ndarray
) -> np.ndarray:
    """:func:`compromise` from its precomputed constant terms."""
    return (np.einsum("nk,nk->k", weight, preferences) + fixed) / total


def codrafting_weight(
    resources: np.ndarray,
    salience: np.ndarray,
    access: float,
    codraft_access: float,
    stakeholder_weight: float,
) -> np.ndarray:
    """(M, K) weight of each stakeholder in the chair's compromise."""
    if access < codraft_access or resources.size == 0:
        return np.zeros_like(salience)
    share = resources / resources.sum()
    return access * stakeholder_weight * share[:, None] * salience


@dataclass(frozen=True)
class Accommodation:
    """The chair's running adjustment of each provision's text (K,) arrays.

    Attributes:
        offset: accumulated shift added to the compromise.
        step: share of the distance to the objectors moved at the next failure.
        direction: sign of the last move (0 before any).
    """

    offset: np.ndarray
    step: np.ndarray
    direction: np.ndarray

    @classmethod
    def start(cls, k: int, step: float) -> Accommodation:
        """No adjustment yet; the first move will be ``step`` of the distance."""
        return cls(np.zeros(k), np.full(k, float(step)), np.zeros(k))


def accommodate(
    state: Accommodation,
    draft: np.ndarray,
    preferences: np.ndarray,
    objectors: np.ndarray,
    capability: np.ndarray,
    reach: np.ndarray,
) -> Accommodation:
    """Move each failed text toward what its objectors would accept, weighted by capability.

    Objector ``i`` accepts texts within ``reach_ik`` of its preference (the smaller of its
    tolerance and its distance to the reservation point); the text it would accept nearest the
    current one is ``clip(d_k, p_ik − reach_ik, p_ik + reach_ik)``. The chair moves a share
    ``step`` of the way toward the capability-weighted mean of these points, and splits the
    difference: when the pull comes from the other side than last time, the share is halved.
    Under a voting fallback every objector's nearest acceptable text is the vote's expected
    outcome, so the text converges there; where red lines leave no common ground it settles
    where the two sides' pulls balance.

    Args:
        state: the chair's adjustment so far.
        draft: (K,) the texts just put to the decision.
        preferences: (N, K).
        objectors: (N, K) boolean, who objected (all False on adopted provisions).
        capability: (N,).
        reach: (N, K) how far from its preference each delegation accepts a text now.
    """
    weight = objectors * capability[:, None]
    total = weight.sum(axis=0)
    failed = total > 0
    nearest = np.clip(draft, preferences - reach, preferences + reach)
    target = np.divide(
        np.einsum("nk,nk->k", weight, nearest), total, out=draft.copy(), where=failed
    )
    direction = np.sign(target - draft)
    flipped = failed & (state.direction != 0) & (direction != 0) & (direction != state.direction)
    step = np.where(flipped, state.step / 2.0, state.step)
    shift = np.where(failed, step * (target - draft), 0.0)
    return Accommodation(
        offset=state.offset + shift,
        step=step,
        direction=np.where(failed & (direction != 0), direction, state.direction),
    )
