"""Decision rules: how a draft becomes adopted (docs/model.md §7.3).

A delegation *accepts* a draft when it is within its current tolerance and no worse for it than
its reservation point. Under a voting rule acceptors vote yes, the others no, except that a
delegation near indifference (within the abstention band) abstains; thresholds count those
present and voting. Under consensus or unanimity silence is consent and everyone else objects.
A text that does not change the status quo (lies within the abstention band of it) is never
adopted, whatever the rule. Under a consensus practice a vote is a choice with a cost: it is
called only where someone's stake is worth it (:mod:`sim.model.mechanisms.shadow`).

References:
    Golub 1999 (bargaining in the shadow of the vote); Krehbiel 1998 and Tsebelis 2002
    (gridlock and veto players).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.model.mechanisms.valuation import SCALE

VOTING = ("majority", "qualified_majority", "weighted", "double_majority")
_EPS = 1e-9

#: Standard threshold of each voting rule (share of present and voting).
DEFAULT_THRESHOLD = {
    "majority": 0.5,
    "qualified_majority": 2 / 3,
    "weighted": 0.5,
    "double_majority": 0.5,
}


@dataclass(frozen=True)
class RuleSpec:
    """A decision rule with its parameters resolved.

    Attributes:
        kind: ``unanimity``, ``consensus``, ``majority``, ``qualified_majority``, ``weighted``
            or ``double_majority``.
        threshold: share of present-and-voting needed (count share under double majority).
        quota: absolute yes votes needed under ``weighted`` (replaces the threshold).
        weight_threshold: share of vote weight needed under ``double_majority``.
        capability_share: consensus blocks when objectors hold more of the capability.
        count_share: consensus blocks when objectors are more numerous than this share.
    """

    kind: str
    threshold: float = 0.5
    quota: float | None = None
    weight_threshold: float = 0.5
    capability_share: float = 0.1
    count_share: float = 0.1

    @property
    def is_vote(self) -> bool:
        """Whether the rule is decided by a vote rather than by the sense of the room."""
        return self.kind in VOTING

    @property
    def weighs_votes(self) -> bool:
        """Whether passing depends on formal vote weights."""
        return self.kind in ("weighted", "double_majority")

    @property
    def uses_votes(self) -> bool:
        """Whether the floor median is weighted by formal votes (else one per delegation)."""
        return self.kind == "weighted"

    def describe(self) -> str:
        """A short human-readable name, e.g. ``qualified_majority (0.67)``."""
        if self.kind == "qualified_majority":
            return f"qualified_majority ({self.threshold:.2f})"
        if self.kind == "weighted":
            return (
                f"weighted (quota {self.quota:g})"
                if self.quota
                else f"weighted ({self.threshold:.2f})"
            )
        if self.kind == "double_majority":
            return (
                f"double_majority ({self.threshold:.2f} count, {self.weight_threshold:.2f} weight)"
            )
        return self.kind


def vote_passes(rule: RuleSpec, yes_count, no_count, yes_votes, no_votes) -> np.ndarray:
    """Whether a vote passes under a voting rule, elementwise over arrays of tallies.

    Thresholds are shares of those present and voting (abstentions not counted), reached with
    at least as many yes as the threshold requires and more yes than no. The vote weights may
    be None for rules that count delegations only.
    """
    if rule.kind == "majority":
        return yes_count > no_count
    if rule.kind == "qualified_majority":
        return _share_reached(yes_count, no_count, rule.threshold)
    if rule.kind == "weighted":
        if rule.quota is not None:
            return yes_votes >= rule.quota - _EPS
        return _share_reached(yes_votes, no_votes, rule.threshold)
    if rule.kind == "double_majority":
        return _share_reached(yes_count, no_count, rule.threshold) & _share_reached(
            yes_votes, no_votes, rule.weight_threshold
        )
    raise ValueError(f"{rule.kind} is not a voting rule")


def _share_reached(yes: np.ndarray, no: np.ndarray, share: float) -> np.ndarray:
    return (yes > no) & (yes >= share * (yes + no) - _EPS)


class Tally(NamedTuple):
    """The result of one decision on each of K provisions (arrays of length K)."""

    passed: np.ndarray
    yes: np.ndarray
    no: np.ndarray
    abstain: np.ndarray
    yes_votes: np.ndarray | None  # only for rules that weigh formal votes
    no_votes: np.ndarray | None
    objector_capability: np.ndarray
    change: np.ndarray | None = None  # whether each text differed from the status quo


def classify(
    draft: np.ndarray,
    preferences: np.ndarray,
    reservation: np.ndarray,
    tolerance: np.ndarray | float | None,
    band: float,
    vote: bool = True,
    salience: np.ndarray | None = None,
    slack: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Split delegations into supporters and objectors of each provision's draft.

    A delegation *accepts* a draft within its tolerance that is no worse for it than its
    reservation. In a vote, an acceptor votes yes; a delegation that loses from the draft, or
    gains but holds out for a better one (outside its tolerance), votes no; one whose gain is
    within ``band`` abstains. Under consensus or unanimity silence is consent: a delegation
    objects unless it accepts. There, a loss against the reservation of at most ``slack`` (in
    value units) is no reason to object: when failing means a vote, forcing that vote costs its
    caller ``slack`` (:mod:`sim.model.mechanisms.shadow`), so a small loss is accepted rather than fought.

    Args:
        draft: (K,) the text on each provision.
        preferences: (N, K) current preferences.
        reservation: (N, K) or (K,) what each delegation gets if the draft fails.
        tolerance: (N, K) how far from its preference a delegation accepts now (None: a
            sincere vote, which accepts any gain).
        band: gains within ±band points are indifference.
        vote: whether this is a vote (else the chair's reading of the room).
        salience: (N, K), needed with ``slack``.
        slack: (K,) the loss against the reservation accepted without objection (None: none).

    Returns:
        (yes, no): boolean (N, K) arrays; a delegation in neither abstains.
    """
    distance = np.abs(draft - preferences)
    fallback = np.abs(reservation - preferences)
    gain = fallback - distance
    if tolerance is None:  # a sincere vote
        return gain > band, gain < -band
    within = distance <= tolerance
    if not vote:
        no_worse = gain >= -band
        if slack is not None:
            # the quadratic loss s·[(d − p)² − (r − p)²] / 100², as −s · gain · (|d − p| + |r − p|)
            loss = salience * gain * (distance + fallback)
            no_worse |= loss >= -slack * SCALE
        yes = within & no_worse
        return yes, ~yes
    gains, loses = gain > band, gain < -band
    return within & gains, loses | (gains & ~within)


def tally(
    rule: RuleSpec,
    yes: np.ndarray,
    no: np.ndarray,
    votes: np.ndarray,
    capability: np.ndarray,
    change: np.ndarray | None = None,
) -> Tally:
    """Count supporters and objectors and apply the rule, provision by provision.

    Args:
        rule: the decision rule.
        yes: (N, K) supporters.
        no: (N, K) objectors.
        votes: (N,) formal votes.
        capability: (N,).
        change: (K,) whether each text differs from the status quo; a text that changes
            nothing is never adopted (default: all do).
    """
    n = yes.shape[0]
    yes_count = yes.sum(axis=0)
    no_count = no.sum(axis=0)
    yes_votes = votes @ yes if rule.weighs_votes else None
    no_votes = votes @ no if rule.weighs_votes else None
    objector_capability = (capability @ no) / capability.sum()
    passed = rule_passes(rule, n, yes_count, no_count, yes_votes, no_votes, objector_capability)
    if change is not None:
        passed = passed & change
    return Tally(
        passed=np.asarray(passed, dtype=bool),
        yes=yes_count,
        no=no_count,
        abstain=n - yes_count - no_count,
        yes_votes=yes_votes,
        no_votes=no_votes,
        objector_capability=objector_capability,
        change=change,
    )


def rule_passes(
    rule: RuleSpec, n: int, yes_count, no_count, yes_votes, no_votes, objector_capability
):
    """Whether the rule adopts, from the tallies (elementwise on arrays of tallies)."""
    if rule.kind == "unanimity":
        return no_count == 0
    if rule.kind == "consensus":
        return (objector_capability <= rule.capability_share + _EPS) & (
            no_count <= rule.count_share * n + _EPS
        )
    return vote_passes(rule, yes_count, no_count, yes_votes, no_votes)


def pivotal(
    rule: RuleSpec,
    yes: np.ndarray,
    no: np.ndarray,
    votes: np.ndarray,
    capability: np.ndarray,
    result: Tally,
) -> np.ndarray:
    """(N, K) which delegations were decisive: switching their stance would reverse the result.

    After an adoption, a supporter or an abstainer who had objected instead; after a failure,
    an objector or an abstainer who had supported instead. (A text that changes nothing stays
    unadopted whatever anyone does, so nobody is decisive on it.)
    """
    n = yes.shape[0]
    passed = result.passed[None, :]
    abstain = ~yes & ~no
    # the switch against the result: yes → no (or abstain → no) after a pass, no → yes after a failure
    d_yes = np.where(passed, -yes.astype(int), (no | abstain).astype(int))
    d_no = np.where(passed, (yes | abstain).astype(int), -no.astype(int))
    yes_count = result.yes[None, :] + d_yes
    no_count = result.no[None, :] + d_no
    yes_votes = no_votes = None
    if rule.weighs_votes:
        yes_votes = result.yes_votes[None, :] + d_yes * votes[:, None]
        no_votes = result.no_votes[None, :] + d_no * votes[:, None]
    share = capability[:, None] / capability.sum()
    objector_capability = result.objector_capability[None, :] + d_no * share
    reversed_ = (
        rule_passes(rule, n, yes_count, no_count, yes_votes, no_votes, objector_capability)
        != passed
    )
    if result.change is not None:
        reversed_ &= result.change[None, :]
    return reversed_
