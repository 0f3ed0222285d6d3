"""The chair's text (docs/model.md §7.2).

``compromise`` is the capability × salience weighted mean of current preferences (the
compromise model of decision-making research); once access reaches the co-drafting level,
stakeholders' positions enter with weight ``α · stakeholder_weight`` times their resource share
and salience. After a failed decision the chair pulls the text toward its objectors
(``accommodate``). ``median`` drafts at the floor median; ``amendment`` lets the floor amend the
chair's text (see :mod:`sim.mechanisms.amendment`).

References:
    Stokman & van Oosten 1994; Thomson et al. 2006 (compromise model).
"""

from __future__ import annotations

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


def accommodate(
    draft: np.ndarray,
    preferences: np.ndarray,
    objectors: np.ndarray,
    capability: np.ndarray,
    accommodation: float,
) -> np.ndarray:
    """Pull each draft toward the capability-weighted mean preference of its objectors.

    Args:
        draft: (K,) the text that would otherwise be tabled.
        preferences: (N, K).
        objectors: (N, K) boolean, who objected last round (all False where nothing failed).
        capability: (N,).
        accommodation: η, share of the distance moved.
    """
    weight = objectors * capability[:, None]
    total = weight.sum(axis=0)
    pulled = np.divide((weight * preferences).sum(axis=0), total, out=draft.copy(), where=total > 0)
    return draft + accommodation * (pulled - draft)
