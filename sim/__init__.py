"""treatysim: an agent-based simulator of multistakeholder treaty conferences.

The core entry points::

    from sim import load_scenario, run_conference
    outcome = run_conference(load_scenario("scenarios/classroom_small.toml"), seed=1)
    outcome.metrics, outcome.provisions, outcome.delegations, outcome.events
"""

from sim.errors import InputError, Problem
from sim.loader import load_scenario
from sim.outcome import Outcome
from sim.run import run_conference
from sim.scenario import Scenario

__version__ = "0.1.0"

__all__ = [
    "InputError",
    "Outcome",
    "Problem",
    "Scenario",
    "__version__",
    "load_scenario",
    "run_conference",
]
