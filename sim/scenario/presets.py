"""Named values the scenario format accepts in place of numbers.

Openness presets set the three dimensions of a process design (see docs/scenario-format.md). The values are
codings, not measurements; ``docs/model.md`` explains each.
"""

from __future__ import annotations

from typing import Literal

OpennessPreset = Literal["closed", "itu_2012", "observer", "consultative", "multistakeholder"]

#: access α, transparency τ, inclusion μ for each preset.
OPENNESS_PRESETS: dict[str, tuple[float, float, float]] = {
    # Government-only, documents restricted, nobody seated.
    "closed": (0.0, 0.0, 0.0),
    # WCIT-12: civil society only inside some national delegations, preparatory documents
    # behind a password, plenary and one committee webcast but contentious issues moved to
    # informal groups that were not.
    "itu_2012": (0.1, 0.3, 0.2),
    # Accredited observers may watch; drafts partly public.
    "observer": (0.25, 0.5, 0.25),
    # Stakeholders may speak and submit text; most drafts public; half of delegations seat them.
    "consultative": (0.6, 0.75, 0.5),
    # NETmundial-like: co-drafting, everything public, stakeholders seated everywhere.
    "multistakeholder": (1.0, 1.0, 1.0),
}

ConcessionStyleName = Literal["boulware", "linear", "conceder"]

#: β of the time-dependent tactic (Faratin, Sierra & Jennings 1998): below 1 holds out.
CONCESSION_STYLES: dict[str, float] = {"boulware": 0.5, "linear": 1.0, "conceder": 2.0}
