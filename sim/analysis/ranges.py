"""Each coefficient's plausible range: the bounds a sensitivity analysis or a fit stays within.

``docs/model.md`` §6 gives each range's reasoning; a test keeps that table and this one equal.
``FITTED`` names the coefficients fitted to a real scenario's record (scripts/calibrate_wcit2012.py);
the others keep their defaults there.
"""

from __future__ import annotations

#: scenario key → (low, high) of the coefficient's plausible range.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "process.consensus.capability_share": (0.05, 0.25),
    "process.consensus.count_share": (0.05, 0.25),
    "process.persuasion.susceptibility": (0.2, 0.8),
    "process.persuasion.salience_resistance": (0.0, 0.8),
    "process.persuasion.bloc_weight": (0.2, 0.8),
    "process.persuasion.oversight": (0.0, 1.0),
    "process.lobbying.voice": (0.0, 0.75),
    "process.domestic.stakeholder_weight": (0.0, 1.0),
    "process.domestic.uncertainty": (0.0, 15.0),
    "process.domestic.learning": (0.0, 1.0),
    "process.chair.accommodation": (0.1, 0.6),
    "process.concession.base_tolerance": (0.0, 5.0),
    "process.concession.style": (0.5, 2.0),
    "process.concession.salience_holdout": (0.0, 0.8),
    "process.voting.call_cost": (0.0, 0.1),
    "process.abstain_band": (0.0, 8.0),
    "process.signing.sign_threshold": (0.0, 0.3),
    "process.signing.grievance": (0.0, 0.3),
    "process.signing.bloc_pull": (0.0, 0.2),
}

#: The free coefficients fitted jointly to a real conference's record.
FITTED: tuple[str, ...] = (
    "process.voting.call_cost",
    "process.abstain_band",
    "process.signing.sign_threshold",
    "process.signing.grievance",
    "process.signing.bloc_pull",
)
