"""Terms of the phases that depend on the scenario only, not on the seed.

A sweep runs one scenario under many seeds; these arrays are computed once per scenario and
kept with it. What depends on the run's random draws (who seats stakeholders, the
constituency's unobserved view, and so oversight and the anchor of persuasion) is computed by
each model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.mechanisms import concession, constituency, deliberation, drafting, signing
from sim.model.mechanisms.ties import PeerShares, PeerWeights
from sim.scenario.schema import Scenario


@dataclass(frozen=True, eq=False)
class Terms:
    """Seed-independent arrays of one scenario (N delegations, M stakeholders, K provisions)."""

    access: float
    transparency: float
    inclusion: float
    relative_salience: np.ndarray  # (N, K) ŝ
    peer_weights: PeerWeights  # row-stochastic attention among delegations (an operator)
    peer_shares: PeerShares  # each bloc peer's share of a delegation's ties (signing; operator)
    base_susceptibility: np.ndarray  # (N, K) λ₀(1 − ρŝ), before oversight
    floor_share: np.ndarray  # (M, K) each stakeholder's share of floor and text
    stakeholder_pull: np.ndarray  # (K,) L = α·v·e
    stakeholder_target: np.ndarray  # (K,) Σ_j L_jk y_jk
    draft_weights: np.ndarray  # (N, K) each delegation's weight in the compromise
    hold: np.ndarray  # (N, K) 1 − κ·ŝ
    home_engagement: np.ndarray  # (N, K) e: home stakeholders' engagement
    home_centre: np.ndarray  # (N, K) ȳ: their weighted position
    floor_weighs_votes: bool  # whether any rule on the floor weighs formal votes
    needs_floor: bool  # whether rounds need the floor's sorted preferences
    median_rank: int  # row of the (lower) floor median among N sorted preferences


def terms(scenario: Scenario) -> Terms:
    """The scenario's seed-independent terms, computed on first use and kept with it."""
    cached = scenario._terms
    if cached is None:
        cached = _compute(scenario)
        scenario._terms = cached
    return cached


def _compute(scenario: Scenario) -> Terms:
    a, process = scenario.arrays, scenario.process
    mech, pp = process.mechanisms, process.persuasion
    n, m, k = a.shape
    access, transparency, inclusion = process.openness.values()
    relative = deliberation.relative(a.salience)
    stakeholder_relative = deliberation.relative(a.stakeholder_salience)
    share = (
        deliberation.floor(access, process.lobbying.voice, a.resources, stakeholder_relative)
        if mech.lobbying and m > 0
        else np.zeros((m, k))
    )
    pull, target = deliberation.stakeholder_terms(share, a.stakeholder_positions)
    draft_weight = (a.capability / a.capability.sum())[:, None] * a.salience
    engagement, centre = constituency.home_stakeholders(
        n, a.stakeholder_home, a.resources, stakeholder_relative, a.stakeholder_positions
    )

    return Terms(
        access=access,
        transparency=transparency,
        inclusion=inclusion,
        relative_salience=relative,
        peer_weights=deliberation.peer_weights(a.ties, pp.bloc_weight),
        peer_shares=signing.peer_shares(a.ties),
        base_susceptibility=deliberation.susceptibility(
            relative, np.zeros(n), pp.susceptibility, pp.salience_resistance, 0.0
        ),
        floor_share=share,
        stakeholder_pull=pull,
        stakeholder_target=target,
        draft_weights=drafting.compromise_terms(draft_weight, pull),
        hold=concession.hold(relative, process.concession.salience_holdout),
        home_engagement=engagement,
        home_centre=centre,
        floor_weighs_votes=any(
            rule is not None and rule.weighs_votes for rule in (a.decision_rule, a.fallback_rule)
        ),
        needs_floor=process.drafting != "compromise",
        median_rank=(n + 1) // 2 - 1,
    )
