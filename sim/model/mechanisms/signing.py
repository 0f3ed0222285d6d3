"""The signing stage: a two-level game (docs/model.md §7.6).

The delegation values the package at its table preferences, ``T_i = V(z; p_i)``; its home, which
signs or not, at the constituency's view, ``H_i = V(z; h_i)`` (one valuation,
:mod:`sim.model.mechanisms.valuation`, at two levels). Home's score is

``S_i = H_i + G_i + B_i − θ``

with ``G_i = −ζ · Σ_k [i was overruled on k] · s_ik`` the grievance of provisions adopted over its
objection ("voting means winners and losers"), ``B_i`` the pull of its bloc and ``θ`` the cost of
taking on an obligation (``sign_threshold``). Home signs when ``S_i ≥ 0``.

The delegation knows home's verdict only as far as home followed the negotiation, ``π_i``
(:mod:`sim.model.mechanisms.constituency`): it expects ``Ŝ_i = S_i + (1 − π_i)·(T_i − H_i)``. It votes on
the package by ``Ŝ_i``. A delegation that expected acceptance (``Ŝ_i ≥ 0``) but whose home does
not accept (``S_i < 0``) goes home to consult: it **defers**. One that expected no better refuses.
So a refusal and a deferral both come from the package's value at home; a deferral from the
gap between what the delegate accepted at the table and what home wants (Putnam's involuntary
defection), and it vanishes when home followed the negotiation.

Bloc pull is solved as a threshold cascade: decisions and pulls are updated together until
nothing changes.

References:
    Putnam 1988 (two-level games); Anderson et al. 2005 (losers' consent); Granovetter 1978
    (threshold cascades).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.mechanisms.decision import tally
from sim.model.mechanisms.ties import PeerShares, Ties

SIGN, REFUSE, DEFER, NONE = 0, 1, 2, 3
DECISIONS = ("sign", "refuse", "defer", "none")


def grievance(overruled: np.ndarray, salience: np.ndarray, weight: float) -> np.ndarray:
    """(N,) ``G_i = −ζ · Σ_k overruled_ik · s_ik``."""
    return -weight * (overruled * salience).sum(axis=1)


def expectation(verdict: np.ndarray, table: np.ndarray, home: np.ndarray, informed: np.ndarray):
    """(N,) ``Ŝ = S + (1 − π)(T − H)``: what the delegation expects home's score to be."""
    return verdict + (1.0 - informed) * (table - home)


def package_vote(belief: np.ndarray, rule, votes: np.ndarray, capability: np.ndarray, band: float):
    """The vote on the package: each delegation votes by whether it expects its home to sign.

    Args:
        belief: (N,) each delegation's expectation of home's score, ``Ŝ``.
        rule: the final rule (a ``RuleSpec``).
        votes: (N,) formal votes.
        capability: (N,).
        band: the abstention band of one provision, in points; in value units it is
            ``(band / 100)²``.

    Returns:
        The tally (arrays of length 1).
    """
    margin = (band / 100.0) ** 2
    expected = belief[:, None]
    return tally(rule, expected > margin, expected < -margin, votes, capability)


def classify(verdict: np.ndarray, belief: np.ndarray, deferral: bool) -> np.ndarray:
    """Decision codes: sign if home's score ≥ 0; else defer if the delegation expected ≥ 0; else refuse."""
    undecided = DEFER if deferral else REFUSE
    return np.where(verdict >= 0.0, SIGN, np.where(belief >= 0.0, undecided, REFUSE)).astype(
        np.int8
    )


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


def peer_shares(ties: Ties) -> PeerShares:
    """Each peer's share of a delegation's bloc ties (self excluded; zero rows for none).

    Returns:
        The (N, N) shares as an operator: ``S @ signing`` without forming ``S``.
    """
    return PeerShares(ties)


def cascade(
    verdict: np.ndarray,
    belief: np.ndarray,
    shares: PeerShares,
    bloc_pull: float,
    deferral: bool,
    fixed: np.ndarray | None = None,
) -> Cascade:
    """Solve decisions and bloc pull to a fixed point: a refusal cascade.

    Delegations first decide expecting all their bloc peers to sign; whoever does not sign
    lowers the pull on its peers, who may then stop signing too, until nothing changes.
    Because the signing set only shrinks, this ends within N steps at the largest set of
    signers consistent with everyone's decision (the greatest fixed point of a monotone
    threshold cascade; Granovetter 1978).

    Args:
        verdict: (N,) home's score without bloc pull, ``H + G − θ``.
        belief: (N,) the delegation's expectation of it, without bloc pull.
        shares: each peer's share of the delegation's bloc ties (:func:`peer_shares`).
        bloc_pull: β_bloc; zero switches the cascade off.
        deferral: whether a delegation surprised by home's verdict defers (else refuses).
        fixed: (N,) decisions taken by people (a code, or −1 for the model's choice); they hold
            throughout and pull on their peers like any other.
    """
    n = len(verdict)
    has_peers = shares.has_peers & (bloc_pull > 0)
    signing = np.ones(n)
    previous = None
    steps = []
    for step in range(n + 1):
        pull = bloc_pull * (shares @ signing - 0.5) * has_peers
        decisions = classify(verdict + pull, belief + pull, deferral)
        if fixed is not None:
            decisions = np.where(fixed >= 0, fixed, decisions).astype(np.int8)
        changed = np.arange(n) if previous is None else np.flatnonzero(decisions != previous)
        if changed.size:
            steps.append((step, changed, decisions[changed].copy()))
        now_signing = (decisions == SIGN).astype(float)
        if (now_signing == signing).all():
            break
        signing, previous = now_signing, decisions
    return Cascade(decisions, pull, steps)
