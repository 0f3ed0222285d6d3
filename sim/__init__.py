"""treatysim: an agent-based simulator of multistakeholder treaty conferences.

The core entry points::

    from sim import load_scenario, run_conference
    outcome = run_conference(load_scenario("scenarios/classroom_small.toml"), seed=1)
    outcome.metrics, outcome.provisions, outcome.delegations, outcome.events
"""

from sim.errors import InputError, Problem

__version__ = "0.1.0"

#: Imported on first use, so that importing ``sim`` (or any one module of it) does not pay for
#: Mesa and pandas until a run needs them.
_LAZY = {
    "load_scenario": "sim.scenario.loader",
    "Outcome": "sim.results.outcome",
    "run_conference": "sim.run",
    "Scenario": "sim.scenario.schema",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


__all__ = [
    "InputError",
    "Outcome",
    "Problem",
    "Scenario",
    "__version__",
    "load_scenario",
    "run_conference",
]
