"""The chair's text (docs/model.md §7.2).

``compromise`` is the capability × salience weighted mean of current preferences (the
compromise model of decision-making research), with civil society holding the same share of
the text as of the floor, ``L_k = α·v·e_k`` (§7.1): stakeholders in the room are heard in
drafting in proportion to access, continuously, with no threshold. After a failed decision the
chair moves the text toward what its objectors would accept, splitting the difference
(``accommodate``). ``median`` drafts at the floor median; ``amendment`` lets the floor amend the
chair's text (see :mod:`sim.model.mechanisms.amendment`).

References:
    Stokman & van Oosten 1994; Thomson et al. 2006 (compromise model).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


def compromise(
    preferences: np.ndarray,
    weight: np.ndarray,
    stakeholder_share: np.ndarray,
    stakeholder_target: np.ndarray,
) -> np.ndarray:
    """(K,) the compromise text.

    Args:
        preferences: (N, K) current preferences.
        weight: (N, K) capability share × salience.
        stakeholder_share: (K,) civil society's share of the text, ``L_k``.
        stakeholder_target: (K,) ``Σ_j L_jk y_jk``, their share-weighted positions.
    """
    states = compromise_terms(weight, stakeholder_share)
    return compromise_with(preferences, states, stakeholder_target)


def compromise_terms(weight: np.ndarray, stakeholder_share: np.ndarray) -> np.ndarray:
    """(N, K) each delegation's weight in the text: its share of the states' part, ``1 − L_k``."""
    total = weight.sum(axis=0)
    return np.divide(weight, total, out=np.zeros_like(weight), where=total > 0) * (
        1.0 - stakeholder_share
    )


def compromise_with(
    preferences: np.ndarray, states: np.ndarray, stakeholder_target: np.ndarray
) -> np.ndarray:
    """:func:`compromise` from its precomputed weights."""
    return np.einsum("nk,nk->k", states, preferences) + stakeholder_target


class Accommodation(NamedTuple):
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
    total = capability @ objectors
    failed = total > 0
    nearest = np.minimum(np.maximum(draft, preferences - reach), preferences + reach)
    target = np.divide(capability @ (objectors * nearest), total, out=draft.copy(), where=failed)
    direction = np.sign(target - draft)
    flipped = failed & (state.direction != 0) & (direction != 0) & (direction != state.direction)
    step = np.where(flipped, state.step / 2.0, state.step)
    shift = np.where(failed, step * (target - draft), 0.0)
    return Accommodation(
        offset=state.offset + shift,
        step=step,
        direction=np.where(failed & (direction != 0), direction, state.direction),
    )
