"""Terms of the phases that depend on the scenario only, not on the seed.

A sweep runs one scenario under many seeds; these matrices are computed once per scenario and
kept with it. What depends on the run's random draws (who seats stakeholders, and so the
lobbying weights) is computed by each model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.mechanisms import concession, deliberation, drafting
from sim.scenario import Scenario


@dataclass(frozen=True, eq=False)
class Terms:
    """Seed-independent arrays of one scenario (N delegations, M stakeholders, K provisions)."""

    access: float
    transparency: float
    inclusion: float
    relative_salience: np.ndarray  # (N, K) ŝ
    peer_weights: np.ndarray  # (N, N) row-stochastic attention among delegations
    susceptibility: np.ndarray  # (N, K) Λ
    draft_weight: np.ndarray  # (N, K) capability share × salience
    codraft_weight: np.ndarray  # (M, K) stakeholders' weight in the compromise
    draft_fixed: np.ndarray  # (K,) co-drafting stakeholders' weighted positions
    draft_total: np.ndarray  # (K,) all drafting weight
    audience: np.ndarray  # (N,) γ·τ·o_i, zero with audience costs off
    hold: np.ndarray  # (N, K) 1 − κ·ŝ
    keep: np.ndarray  # (N, 1) 1 − γ·τ·o_i
    floor_weighs_votes: bool  # whether any rule on the floor weighs formal votes
    needs_floor: bool  # whether rounds need the floor's sorted preferences


def terms(scenario: Scenario) -> Terms:
    """The scenario's seed-independent terms, computed on first use and kept with it."""
    cached = scenario._terms
    if cached is None:
        cached = _compute(scenario)
        scenario._terms = cached
    return cached


def _compute(scenario: Scenario) -> Terms:
    a, process = scenario.arrays, scenario.process
    mech, pp, chair = process.mechanisms, process.persuasion, process.chair
    n, m, k = a.shape
    access, transparency, inclusion = process.openness.values()
    relative = deliberation.relative(a.salience)
    audience_on = mech.audience_costs
    audience = (
        process.concession.audience_cost * transparency * a.domestic_openness
        if audience_on
        else np.zeros(n)
    )
    codraft = (
        drafting.codrafting_weight(
            a.resources,
            a.stakeholder_salience,
            access,
            chair.codraft_access,
            chair.stakeholder_weight,
        )
        if mech.lobbying and m > 0
        else np.zeros((m, k))
    )
    draft_weight = (a.capability / a.capability.sum())[:, None] * a.salience
    draft_fixed, draft_total = drafting.compromise_terms(
        draft_weight, a.stakeholder_positions, codraft
    )
    return Terms(
        access=access,
        transparency=transparency,
        inclusion=inclusion,
        relative_salience=relative,
        peer_weights=deliberation.peer_weights(a.capability, a.peers, pp.bloc_weight),
        susceptibility=deliberation.susceptibility(
            relative,
            a.domestic_openness,
            transparency if audience_on else 0.0,
            pp.susceptibility,
            pp.salience_resistance,
            pp.audience_resistance,
        ),
        draft_weight=draft_weight,
        codraft_weight=codraft,
        draft_fixed=draft_fixed,
        draft_total=draft_total,
        audience=audience,
        hold=concession.hold(relative, process.concession.salience_holdout),
        keep=(1.0 - audience)[:, None],
        floor_weighs_votes=any(
            rule is not None and rule.weighs_votes for rule in (a.decision_rule, a.fallback_rule)
        ),
        needs_floor=process.drafting != "compromise" or a.fallback_rule is not None,
    )
