"""Delegations and stakeholders as Mesa agents.

State lives in the model's arrays (delegations × provisions); an agent is a named view onto its
row, so every phase stays one vectorised function and an agent still answers questions about
itself (``delegation.preferences``, ``delegation.decision``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model.mechanisms.signing import DECISIONS

if TYPE_CHECKING:
    from sim.model.conference import ConferenceModel


class _IdsOnModel:
    """Agent id counters kept on each model.

    Mesa 3.3 keeps its counters in a class-level dict keyed by the model itself, which keeps
    every model ever built alive; a sweep of many runs would grow without bound. Here each
    model carries its own counter. Later Mesa versions no longer read this attribute, so
    overriding it is harmless there.
    """

    def __getitem__(self, model):
        return model.agent_ids


class ConferenceAgent(mesa.Agent):
    """Common base: an agent that is row ``index`` of its kind's arrays."""

    _ids = _IdsOnModel()

    def __init__(self, model: ConferenceModel, index: int, actor_id: str):
        super().__init__(model)
        self.index = index
        self.actor_id = actor_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.actor_id!r})"


class Delegation(ConferenceAgent):
    """A state delegation; its attributes are views onto the model's arrays."""

    @property
    def bloc(self) -> str:
        """Primary bloc id ("" for none)."""
        return self.model.arrays.delegation_blocs[self.index]

    @property
    def capability(self) -> float:
        """Bargaining clout."""
        return float(self.model.arrays.capability[self.index])

    @property
    def ideal(self) -> np.ndarray:
        """Ideal points u_i (K,)."""
        return self.model.arrays.ideal[self.index]

    @property
    def preferences(self) -> np.ndarray:
        """Current preferences p_i (K,), a view onto the model's state."""
        return self.model.preferences[self.index]

    @property
    def seated(self) -> bool:
        """Whether its home stakeholders sit in the delegation."""
        return bool(self.model.seated[self.index])

    @property
    def decision(self) -> str | None:
        """``sign``, ``refuse``, ``defer`` (``none`` without a treaty); None before signing."""
        codes = self.model.signing_codes
        return None if codes is None else DECISIONS[codes[self.index]]


class Stakeholder(ConferenceAgent):
    """A non-state actor with fixed positions."""

    @property
    def kind(self) -> str:
        """``ngo``, ``industry``, ``technical`` or ``academic``."""
        return self.model.arrays.stakeholder_kinds[self.index]

    @property
    def home(self) -> str | None:
        """Home delegation id, or None for a transnational actor."""
        home = self.model.arrays.stakeholder_home[self.index]
        return None if home < 0 else self.model.arrays.delegation_ids[home]

    @property
    def positions(self) -> np.ndarray:
        """Positions y_j (K,); zero where it takes none."""
        return self.model.arrays.stakeholder_positions[self.index]
