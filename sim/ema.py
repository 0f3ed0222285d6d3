"""A scenario as an EMA Workbench model: uncertainties and levers at scenario paths, metrics out.

``ema_model(scenario, uncertainties, levers)`` returns an ``ema_workbench.Model`` whose function
runs treatysim with each experiment's sampled values applied as overrides at their dotted
scenario paths (the ``--set`` paths), so that an EMA user can call ``perform_experiments`` (or
``optimize``) on a conference directly. Parameters are EMA parameter objects whose
``variable_name`` is the scenario path (by default their name), or a dict from path to a
``(low, high)`` range or a list of categories. Each outcome is one metric's arithmetic mean over
``replicates`` runs with the seeds ``SeedSequence([seed, r])`` (r = 0 … replicates − 1): the same
seeds in every experiment, i.e. common random numbers.

Every parameter is tried on the scenario when the model is built — each at its bounds (and an
interior value) or categories, every pair of parameters together, with the constants applied —
so a bad path or value is an :class:`~sim.errors.InputError` naming the path before EMA starts a
worker. See ``docs/ema.md``.
"""

from __future__ import annotations

import itertools
import math
import numbers
import warnings
from collections.abc import Iterable, Mapping
from copy import deepcopy
from pathlib import Path
from typing import Any

import numpy as np

try:
    with warnings.catch_warnings():
        # EMA Workbench warns on import when its optional ipyparallel backend is missing;
        # treatysim never uses that backend, so the warning says nothing to our users.
        warnings.filterwarnings("ignore", "ipyparallel not installed", UserWarning)
        from ema_workbench import (
            ArrayOutcome,
            CategoricalParameter,
            Constant,
            IntegerParameter,
            Model,
            RealParameter,
            ScalarOutcome,
        )
        from ema_workbench.em_framework.parameters import Parameter
except ImportError as err:  # pragma: no cover - exercised by a test that hides the package
    raise ImportError(
        "sim.ema needs EMA Workbench, an optional extra: pip install 'treatysim[ema]'"
    ) from err

from sim.analysis.discovery import workbench_problem

if workbench_problem():  # pragma: no cover - needs another workbench installed
    raise ImportError(workbench_problem())

from sim.catalogue import entry
from sim.errors import InputError, Problem
from sim.results.metrics import METRIC_NAMES
from sim.run import run_conference
from sim.scenario.loader import read_raw, scenario_file, validate
from sim.scenario.overrides import overlaps, set_path

__all__ = ["PER_REPLICATE", "Conference", "ema_model"]

#: Suffix of the per-replicate array outcomes (``signed_by_replicate``) of ``per_replicate=True``.
PER_REPLICATE = "_by_replicate"
#: Where in a real parameter's range the interior test value lies (an arbitrary fraction, so that
#: a real range on a whole-number key such as ``process.rounds`` is caught when the model is built).
_INTERIOR = 0.382
_KINDS = {"higher": ScalarOutcome.MAXIMIZE, "lower": ScalarOutcome.MINIMIZE}
_MAX_PROBLEMS = 20


class Conference:
    """The function of the EMA model: one experiment's scenario values in, metrics out.

    EMA calls it with one keyword argument per scenario path (``**{"process.rounds": 8}``). It is
    a module-level class holding plain data, so the model pickles for EMA's multiprocessing and
    MPI evaluators.

    Attributes:
        raw: the scenario's raw data (read once, when the model was built).
        origins: where CSV-born scenario items came from (for messages).
        where: the scenario file, named in messages.
        metrics: the metrics returned, in order.
        seeds: the seed of each replicate, the same in every experiment.
        per_replicate: also return each metric's values by replicate, as an array.
    """

    def __init__(
        self,
        raw: dict,
        origins: dict,
        where: str,
        metrics: tuple[str, ...],
        seeds: tuple[int, ...],
        per_replicate: bool,
    ):
        self.raw = raw
        self.origins = origins
        self.where = where
        self.metrics = metrics
        self.seeds = seeds
        self.per_replicate = per_replicate

    def __call__(self, **values: Any) -> dict[str, Any]:
        """Run the scenario with ``values`` (scenario path → value) once per replicate.

        Returns:
            Each metric's mean over the replicates (a float), and with ``per_replicate`` the
            array of its values under ``<metric>_by_replicate``.

        Raises:
            InputError: if the values do not make a valid scenario (paths set after the model
                was built, e.g. by a policy with keys that are not levers, are checked only here).
        """
        scenario = _scenario(self.raw, self.origins, self.where, list(values.items()))
        runs = [run_conference(scenario, seed).metrics for seed in self.seeds]
        out: dict[str, Any] = {}
        for metric in self.metrics:
            by_replicate = np.array([float(run[metric]) for run in runs])
            out[metric] = float(by_replicate.mean())
            if self.per_replicate:
                out[metric + PER_REPLICATE] = by_replicate
        return out


def ema_model(
    scenario: str | Path,
    uncertainties: Mapping[str, Any] | Iterable[Parameter] = (),
    levers: Mapping[str, Any] | Iterable[Parameter] = (),
    *,
    constants: Mapping[str, Any] | Iterable[Constant] = (),
    outcomes: Iterable[str | ScalarOutcome] | None = None,
    replicates: int = 1,
    seed: int = 0,
    per_replicate: bool = False,
    name: str = "treatysim",
) -> Model:
    """An EMA Workbench model of a scenario: its keys as uncertainties and levers, metrics out.

    Args:
        scenario: a scenario file, or a folder holding ``scenario.toml``; read once, here.
        uncertainties: EMA parameters (``RealParameter``, ``IntegerParameter``,
            ``CategoricalParameter``, ``BooleanParameter``) whose ``variable_name`` is a dotted
            scenario path — by default their name, e.g.
            ``RealParameter("process.openness.access", 0.0, 1.0)`` — or a dict from path to a
            spec: a tuple ``(low, high)`` of two numbers is a range (an ``IntegerParameter`` if
            both are ``int``, else a ``RealParameter``), a list is its categories.
        levers: the same, for the policy choices.
        constants: scenario values fixed in every experiment: a dict from path to value, or EMA
            ``Constant`` objects named by path.
        outcomes: metric names (``sim.results.metrics.METRIC_NAMES``; default all) or EMA
            ``ScalarOutcome`` objects whose ``variable_name`` is a metric. A name becomes a
            ``ScalarOutcome`` to maximise or minimise where the metric has a better direction
            (``sim.catalogue``), else one to report only.
        replicates: seeded runs per experiment; each outcome is the mean over them.
        seed: replicate ``r`` runs with ``SeedSequence([seed, r]).generate_state(1)[0]`` in every
            experiment (common random numbers).
        per_replicate: also give, for each metric, an ``ArrayOutcome`` named
            ``<metric>_by_replicate`` holding its value in each replicate.
        name: the EMA model's name (letters and digits only, as EMA requires).

    Returns:
        An ``ema_workbench.Model``; its ``function`` is a :class:`Conference`.

    Raises:
        InputError: for a bad scenario, path, range, category, constant, outcome or setting,
            naming it; every parameter is validated against the scenario here.
    """
    file = scenario_file(scenario)
    raw = read_raw(file)
    where = str(file)
    _scenario(raw.data, raw.origins, where, [])

    problems: list[Problem] = []
    if not isinstance(name, str) or not name.isalnum():
        problems.append(
            Problem("", "name", f"letters and digits only, as EMA requires (got {name!r})")
        )
    if (
        isinstance(replicates, bool)
        or not isinstance(replicates, numbers.Integral)
        or replicates < 1
    ):
        problems.append(Problem("", "replicates", f"a whole number ≥ 1 (got {replicates!r})"))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        problems.append(Problem("", "seed", f"a whole number ≥ 0 (got {seed!r})"))
    fixed = _constants(constants, problems)
    uncertain = _parameters(uncertainties, "uncertainties", problems)
    policy = _parameters(levers, "levers", problems)
    chosen = _outcomes(outcomes, problems)
    if problems:
        raise InputError(problems)
    metrics = tuple(dict.fromkeys(outcome.variable_name[0] for outcome in chosen))
    seeds = tuple(
        int(np.random.SeedSequence([int(seed), r]).generate_state(1)[0])
        for r in range(int(replicates))
    )
    model = Model(
        name,
        function=Conference(raw.data, raw.origins, where, metrics, seeds, bool(per_replicate)),
    )
    _check_names(fixed, uncertain, policy, model)
    declared = [*(("uncertainties", p) for p in uncertain), *(("levers", p) for p in policy)]
    _check(raw, where, fixed, declared)
    model.uncertainties = uncertain
    model.levers = policy
    model.constants = fixed
    by_replicate = [ArrayOutcome(metric + PER_REPLICATE) for metric in metrics]
    model.outcomes = [*chosen, *(by_replicate if per_replicate else [])]
    return model


# --- building the declared objects ------------------------------------------------------------


def _parameters(specs: Any, kind: str, problems: list[Problem]) -> list[Parameter]:
    """EMA parameters from parameter objects or a dict of path → range or categories."""
    if isinstance(specs, Mapping):
        out = []
        for path, spec in specs.items():
            try:
                out.append(_parameter(str(path), spec))
            except (TypeError, ValueError) as err:
                problems.append(Problem(kind, str(path), str(err)))
        return out
    if isinstance(specs, Parameter):
        specs = [specs]
    if isinstance(specs, str) or not isinstance(specs, Iterable):
        problems.append(
            Problem(
                kind, "", "give EMA parameters, or a dict of scenario path → range or categories"
            )
        )
        return []
    out = []
    for spec in specs:
        if isinstance(spec, RealParameter | IntegerParameter):
            out.append(spec)
        else:
            problems.append(
                Problem(
                    kind,
                    str(getattr(spec, "name", spec)),
                    "not a RealParameter, IntegerParameter, CategoricalParameter or BooleanParameter",
                )
            )
    return out


def _parameter(path: str, spec: Any) -> Parameter:
    """One parameter from a dict entry: ``(low, high)`` is a range, a list its categories."""
    if isinstance(spec, tuple) and len(spec) == 2 and all(_number(x) for x in spec):
        low, high = spec
        if not low < high:
            raise ValueError(f"low ({low!r}) must be below high ({high!r})")
        if all(isinstance(x, numbers.Integral) for x in spec):
            return IntegerParameter(path, int(low), int(high))
        return RealParameter(path, float(low), float(high))
    if isinstance(spec, list | tuple):
        if len(spec) < 2:
            raise ValueError("give at least two categories (a fixed value is a constant)")
        return CategoricalParameter(path, list(spec))
    raise TypeError(
        f"give a range (low, high) or a list of categories, not {type(spec).__name__} {spec!r}"
    )


def _number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _constants(constants: Any, problems: list[Problem]) -> list[Constant]:
    if isinstance(constants, Mapping):
        return [Constant(str(path), value) for path, value in constants.items()]
    if isinstance(constants, Constant):
        constants = [constants]
    if isinstance(constants, str) or not isinstance(constants, Iterable):
        problems.append(Problem("constants", "", "give a dict of path → value or EMA Constants"))
        return []
    out = []
    for constant in constants:
        if isinstance(constant, Constant):
            out.append(constant)
        else:
            problems.append(
                Problem("constants", str(constant), "give a dict of path → value or EMA Constants")
            )
    return out


def _outcomes(outcomes: Any, problems: list[Problem]) -> list[ScalarOutcome]:
    """ScalarOutcomes for metric names (kinds from the catalogue) and the user's own."""
    out: list[ScalarOutcome] = []
    for item in METRIC_NAMES if outcomes is None else outcomes:
        if isinstance(item, ScalarOutcome):
            metric = item.variable_name[0] if len(item.variable_name) == 1 else None
            outcome = item
        elif isinstance(item, str):
            metric = item
            better = entry(item).better if item in METRIC_NAMES else None
            outcome = ScalarOutcome(item, kind=_KINDS.get(better, ScalarOutcome.INFO))
        else:
            problems.append(Problem("outcomes", str(item), "give metric names or ScalarOutcomes"))
            continue
        if metric not in METRIC_NAMES:
            problems.append(
                Problem(
                    "outcomes",
                    str(item.name if isinstance(item, ScalarOutcome) else item),
                    f"not a metric; the metrics are {', '.join(METRIC_NAMES)}",
                )
            )
        elif outcome.name in {o.name for o in out}:
            problems.append(Problem("outcomes", outcome.name, "listed more than once"))
        else:
            out.append(outcome)
    if not out and not problems:
        problems.append(Problem("outcomes", "", "give at least one metric"))
    return out


# --- checking against the scenario ------------------------------------------------------------


def _check_names(fixed, uncertain, policy, model: Model) -> None:
    """Names are unique (EMA merges them into one call) and not attributes of the model."""
    problems = []
    seen: dict[str, str] = {}
    for kind, items in (("constants", fixed), ("uncertainties", uncertain), ("levers", policy)):
        for item in items:
            if item.name in seen:
                problems.append(Problem(kind, item.name, f"also named among the {seen[item.name]}"))
            elif hasattr(model, item.name):
                problems.append(
                    Problem(
                        kind,
                        item.name,
                        "is an attribute of EMA's model, which EMA would set instead; "
                        "name the parameter by its scenario path",
                    )
                )
            seen.setdefault(item.name, kind)
    if problems:
        raise InputError(problems)


def _check(raw, where: str, fixed: list[Constant], declared: list[tuple[str, Parameter]]) -> None:
    """Every parameter alone, and every pair together, makes a valid scenario at its test values.

    Scenario constraints are bounds on single keys and consistency between pairs of keys, so each
    parameter's bounds (and an interior value) or categories, and every pair of parameters at
    theirs, cover the values EMA can sample. The constants are applied in every check.
    """
    base = [(c.name, _plain(c.value)) for c in fixed]
    paths = [*base, *((path, None) for _, p in declared for path in _paths(p))]
    problems = _overlaps(raw.data, paths)
    try:
        _scenario(raw.data, raw.origins, where, base)
    except InputError as err:
        problems += [Problem("constants", e.field, e.message) for e in err.problems]
    if problems:
        raise InputError(problems)
    tests: list[list[list[tuple[str, Any]]]] = []
    for kind, parameter in declared:
        tests.append([])
        try:
            values = _test_values(parameter)
        except ValueError as err:
            problems.append(Problem(kind, parameter.name, str(err)))
            continue
        for value in values:
            assignments = _assign(parameter, value)
            tests[-1].append(assignments)
            try:
                _scenario(raw.data, raw.origins, where, [*base, *assignments])
            except InputError as err:
                shown = ", ".join(f"{p} = {v!r}" for p, v in assignments)
                problems += [Problem(kind, shown, _hint(parameter, value, e)) for e in err.problems]
    if problems:
        # a bad path fails the same way at every value: say it once
        unique = {(p.where, p.message.split(" (got ")[0]): p for p in reversed(problems)}
        raise InputError([p for p in problems if p in unique.values()][:_MAX_PROBLEMS])
    for first_tests, second_tests in itertools.combinations(tests, 2):
        for first, second in itertools.product(first_tests, second_tests):
            try:
                _scenario(raw.data, raw.origins, where, [*base, *first, *second])
            except InputError as err:
                shown = ", ".join(f"{p} = {v!r}" for p, v in [*first, *second])
                problems += [
                    Problem("together", shown, f"{e.field}: {e.message}") for e in err.problems
                ]
            if len(problems) >= _MAX_PROBLEMS:
                raise InputError(problems)
    if problems:
        raise InputError(problems)


def _paths(parameter: Parameter) -> list[str]:
    return list(parameter.variable_name)


def _test_values(parameter: Parameter) -> list:
    """The values a parameter is checked at: its categories, or its bounds (and an interior)."""
    if isinstance(parameter, CategoricalParameter):
        return [category.value for category in parameter.categories]
    low, high = parameter.lower_bound, parameter.upper_bound
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(
            f"an unbounded distribution ({low} to {high}) cannot be checked against the "
            "scenario; give finite bounds"
        )
    if isinstance(parameter, IntegerParameter):
        return [int(low), int(high)]
    return [float(low), float(low + _INTERIOR * (high - low)), float(high)]


def _assign(parameter: Parameter, value: Any) -> list[tuple[str, Any]]:
    """The (path, value) overrides of one parameter value (a multivalue category sets several)."""
    paths = _paths(parameter)
    if isinstance(parameter, CategoricalParameter) and parameter.multivalue:
        return [(path, _plain(v)) for path, v in zip(paths, value, strict=True)]
    return [(path, _plain(value)) for path in paths]


def _hint(parameter: Parameter, value: Any, problem: Problem) -> str:
    message = f"{problem.field}: {problem.message}" if problem.field else problem.message
    if (
        isinstance(parameter, RealParameter)
        and not float(value).is_integer()
        and "integer" in problem.message
    ):
        message += (
            " — a RealParameter samples fractional values; for whole numbers use an "
            "IntegerParameter (or a range of two ints)"
        )
    return message


def _overlaps(raw: dict, assignments: list[tuple[str, Any]]) -> list[Problem]:
    """Paths that set the same key, or one inside another, would overwrite each other."""
    return [
        Problem(
            "",
            path,
            f"{'is the same key as' if same else 'overlaps'} {other}: "
            "one would overwrite the other in every experiment",
        )
        for path, other, same in overlaps(raw, [p for p, _ in assignments])
    ]


def _scenario(raw: dict, origins: dict, where: str, assignments: list[tuple[str, Any]]):
    """The validated scenario with ``assignments`` applied; any problem is an InputError."""
    data = deepcopy(raw)
    for path, value in assignments:
        try:
            set_path(data, str(path).split("."), deepcopy(_plain(value)))
        except KeyError as err:
            raise InputError.single(where, str(path), err.args[0]) from None
    return validate(data, where, origins)


def _plain(value: Any) -> Any:
    """Numpy scalars (as EMA's samplers produce) as the Python values a scenario file holds."""
    return value.item() if isinstance(value, np.generic) else value
