"""The one entry point every runner wraps: a scenario and a seed in, an outcome out."""

from __future__ import annotations

from sim.model.conference import ConferenceModel
from sim.results.outcome import Outcome
from sim.scenario.schema import Scenario


def run_conference(scenario: Scenario, seed: int) -> Outcome:
    """Run one conference to its end.

    Args:
        scenario: a validated scenario (see :func:`sim.load_scenario`).
        seed: a non-negative integer; the same seed gives the same outcome.

    Returns:
        The run's outcome: tables, event log and metrics.
    """
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    model = ConferenceModel(scenario, int(seed))
    while model.running:  # Mesa's run_for ignores `running`; loop explicitly
        model.step()
    return Outcome.from_model(model)
