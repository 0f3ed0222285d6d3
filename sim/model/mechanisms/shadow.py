"""Bargaining in the shadow of a costly vote (docs/model.md §7.3, §7.5).

Under a consensus practice with a fallback vote, what failing a draft leads to is what that vote
would produce — if anyone calls it. Calling a vote breaks the practice ("voting means winners
and losers"), so a delegation calls one only when its stake in the outcome, in value units
(the salience-weighted gain over the status quo, :mod:`sim.model.mechanisms.valuation`), is at least
the cost ``c_v`` (``voting.call_cost``). A vote is *credible* when it would carry and one of its
supporters has such a stake; only then does it cast a shadow. The same cost is why a
delegation lets a small loss against a credible vote pass rather than force it
(:func:`sim.model.mechanisms.decision.classify`).

What delegations expect the vote to adopt: under a closed rule, the chair's text as tabled;
under open amendment with a rule whose floor median no amendment can beat, the median (Black
1948) — the end point of the procedure, not its path from today's draft
(:func:`expected_text`).

References:
    Golub 1999 (the shadow of the vote); Black 1948.
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms.amendment import weighted_median
from sim.model.mechanisms.decision import RuleSpec, vote_passes
from sim.model.mechanisms.valuation import SCALE


def expected_text(
    preferences: np.ndarray, rule: RuleSpec, votes: np.ndarray, rank: int
) -> np.ndarray:
    """(K,) the text open amendment under a stable rule ends at: the floor median.

    Args:
        preferences: (N, K).
        rule: the fallback rule (its median must be stable).
        votes: (N,) formal votes (the median is weighted by them under the weighted rule).
        rank: index of the lower median among N sorted preferences.
    """
    if rule.uses_votes:
        return weighted_median(preferences, votes)
    return np.partition(preferences, rank, axis=0)[rank]


def supporters(
    voted: np.ndarray, preferences: np.ndarray, gap_to_status_quo: np.ndarray, band: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sincere votes of ``voted`` (K,) against the status quo.

    Returns:
        (yes, no, gain, distance), each (N, K): gain in points is ``|q − p| − |voted − p|``.
    """
    distance = np.abs(voted - preferences)
    gain = gap_to_status_quo - distance
    return gain > band, gain < -band, gain, distance


def carries(
    rule: RuleSpec, yes: np.ndarray, no: np.ndarray, votes: np.ndarray, change: np.ndarray
) -> np.ndarray:
    """(K,) whether the vote carries (a text that changes nothing never does)."""
    weighted = rule.weighs_votes
    return (
        vote_passes(
            rule,
            yes.sum(axis=0),
            no.sum(axis=0),
            votes @ yes if weighted else None,
            votes @ no if weighted else None,
        )
        & change
    )


def called(
    yes: np.ndarray,
    gain: np.ndarray,
    gap_to_status_quo: np.ndarray,
    distance: np.ndarray,
    salience: np.ndarray,
    cost: float,
) -> np.ndarray:
    """(K,) where a supporter's stake in the vote is worth its cost.

    The stake is the salience-weighted quadratic gain ``s·[(q − p)² − (v − p)²] / 100²``, written
    as ``s · gain · (|q − p| + |v − p|)`` from the quantities :func:`supporters` returns.

    Args:
        yes: (N, K) supporters of the vote.
        gain: (N, K) their gain in points.
        gap_to_status_quo: (N, K) ``|q − p|``.
        distance: (N, K) ``|v − p|``.
        salience: (N, K).
        cost: ``c_v``, in value units.
    """
    stake = np.where(yes, salience * gain * (gap_to_status_quo + distance), 0.0)
    return stake.max(axis=0) >= cost * SCALE
