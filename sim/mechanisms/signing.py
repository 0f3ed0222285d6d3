"""The signing stage: a two-level game (docs/model.md §7.6).

Each delegation's score is ``S_i = (1 − o_i)·V_i + o_i·D_i + L_i + B_i + ε_i``: its own value
of the package over the status quo, its home stakeholders' value, procedural legitimacy, the
pull of its bloc, and idiosyncratic noise. It signs at or above ``sign_threshold``, refuses below
``refuse_threshold``; in between, an accountable delegation (``o_i ≥ defer_openness``) whose
stakeholders were not seated defers to consult at home, and any other decides by which side of
the midpoint it is on. Bloc pull is solved as a threshold cascade: decisions and pulls are
updated together until nothing changes.

References:
    Putnam 1988 (two-level games); Granovetter 1978 (threshold cascades).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIGN, REFUSE, DEFER, NONE = 0, 1, 2, 3
DECISIONS = ("sign", "refuse", "defer", "none")


def package_value(
    package: np.ndarray, status_quo: np.ndarray, positions: np.ndarray, salience: np.ndarray
) -> np.ndarray:
    """Salience-weighted gain of the package over the status quo, per actor (scale 0–1)."""
    gain = np.abs(status_quo - positions) - np.abs(package - positions)
    return (salience * gain).sum(axis=1) / 100.0


def domestic_value(
    stakeholder_value: np.ndarray,
    resources: np.ndarray,
    home: np.ndarray,
    own_value: np.ndarray,
) -> np.ndarray:
    """Resource-weighted value of the package to each delegation's home stakeholders.

    A delegation without home stakeholders has no separate domestic voice: its own value stands.
    """
    n = len(own_value)
    homed = home >= 0
    total = np.bincount(home[homed], weights=resources[homed], minlength=n)
    summed = np.bincount(home[homed], weights=(resources * stakeholder_value)[homed], minlength=n)
    return np.divide(summed, total, out=own_value.astype(float).copy(), where=total > 0)


def experienced_openness(access: float, transparency: float, seated: np.ndarray) -> np.ndarray:
    """Ω_i: mean of access, transparency and whether i's own stakeholders were seated."""
    return (access + transparency + seated.astype(float)) / 3.0


def legitimacy(
    domestic_openness: np.ndarray, openness: np.ndarray, weight: float, reference: float
) -> np.ndarray:
    """L_i = λ_L · o_i · (Ω_i − Ω₀): accountable governments must justify the process at home."""
    return weight * domestic_openness * (openness - reference)


def classify(
    score: np.ndarray, sign_threshold: float, refuse_threshold: float, may_defer: np.ndarray
) -> np.ndarray:
    """Decision codes from scores."""
    midpoint = (sign_threshold + refuse_threshold) / 2.0
    undecided = np.where(may_defer, DEFER, np.where(score >= midpoint, SIGN, REFUSE))
    return np.where(
        score >= sign_threshold, SIGN, np.where(score < refuse_threshold, REFUSE, undecided)
    ).astype(np.int8)


@dataclass(frozen=True)
class Cascade:
    """Result of the signing cascade.

    Attributes:
        decisions: (N,) codes (``SIGN``, ``REFUSE``, ``DEFER``).
        pull: (N,) bloc pull B_i at the fixed point.
        steps: list of (step, indices whose decision changed, their new codes); step 0 holds
            everyone's first decision, taken expecting all peers to sign.
    """

    decisions: np.ndarray
    pull: np.ndarray
    steps: list[tuple[int, np.ndarray, np.ndarray]]


def cascade(
    base: np.ndarray,
    peers: np.ndarray,
    bloc_pull: float,
    sign_threshold: float,
    refuse_threshold: float,
    may_defer: np.ndarray,
) -> Cascade:
    """Solve decisions and bloc pull to a fixed point: a refusal cascade.

    Delegations first decide expecting all their bloc peers to sign; whoever does not sign
    lowers the pull on its peers, who may then stop signing too, until nothing changes.
    Because the signing set only shrinks, this ends within N steps at the largest set of
    signers consistent with everyone's decision (the greatest fixed point of a monotone
    threshold cascade; Granovetter 1978).

    Args:
        base: (N,) score without bloc pull.
        peers: (N, N) bloc overlap (diagonal ignored); a peer's weight is its share of the
            delegation's bloc ties.
        bloc_pull: β_bloc; zero switches the cascade off.
        sign_threshold: sign at or above this score.
        refuse_threshold: refuse below this score.
        may_defer: (N,) who would defer when undecided.
    """
    n = len(base)
    weights = peers * (1.0 - np.eye(n))
    totals = weights.sum(axis=1)
    weights = np.divide(
        weights, totals[:, None], out=np.zeros_like(weights), where=totals[:, None] > 0
    )
    has_peers = (totals > 0) & (bloc_pull > 0)
    signing = np.ones(n)
    previous = None
    steps = []
    for step in range(n + 1):
        pull = bloc_pull * (weights @ signing - 0.5) * has_peers
        decisions = classify(base + pull, sign_threshold, refuse_threshold, may_defer)
        changed = np.arange(n) if previous is None else np.flatnonzero(decisions != previous)
        if changed.size:
            steps.append((step, changed, decisions[changed].copy()))
        now_signing = (decisions == SIGN).astype(float)
        if (now_signing == signing).all():
            break
        signing, previous = now_signing, decisions
    return Cascade(decisions, pull, steps)
