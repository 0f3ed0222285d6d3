"""Experiments: a scenario, factors to vary, seeded replicates — and the plan of runs they make.

An experiment file (TOML) names a scenario, `factors` (dotted scenario paths), a `design`,
`replicates`, `master_seed`, `outputs` and optionally `chunk_size`. In a grid design (the
default) each factor lists its values and their cartesian product makes the design points; in a
sampled design (``lhs``, ``sobol``, ``morris``) each factor has a distribution or a list of levels
and SALib's sampler draws ``samples`` design points from them (``sim.experiments.design``). Every value of
every factor is applied to the scenario and validated when the experiment is loaded, so a bad
path or value is reported before any run starts.

Runs are numbered design point by design point: run ``i`` is design point ``i // replicates``,
replicate ``i % replicates``, with seed ``SeedSequence([master_seed, i])`` — or, with common
random numbers (``seeds = "common"``, the default of the sobol and morris designs), seed
``SeedSequence([master_seed, i % replicates])``, so replicate ``r`` shares its seed across design
points. A comparison of two designs (``treatysim compare``) is a plan with two design points and
common random numbers.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.errors import CrossFieldProblems, InputError, Problem, read_toml
from sim.experiments import design as sampling
from sim.experiments.design import DesignName, Range
from sim.results.metrics import METRIC_NAMES
from sim.scenario.loader import read_raw, scenario_file, validate
from sim.scenario.overrides import overlaps, with_overrides
from sim.scenario.problems import validation_problems
from sim.scenario.schema import Scenario

MetricName = Literal[METRIC_NAMES]  # type: ignore[valid-type]


class Outputs(BaseModel):
    """What each run records."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    metrics: list[MetricName] = Field(default_factory=lambda: list(METRIC_NAMES), min_length=1)
    decisions: bool = Field(False, description="also store every delegation's signing decision")

    @field_validator("metrics")
    @classmethod
    def _once(cls, metrics: list[str]) -> list[str]:
        twice = sorted({m for m in metrics if metrics.count(m) > 1})
        if twice:
            raise ValueError(f"each metric once: {', '.join(twice)} listed more than once")
        return metrics


class Options(BaseModel):
    """A sampled design's options."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    second_order: bool | None = Field(None, description="sobol: also sample second-order indices")
    levels: int | None = Field(None, ge=2, le=64, description="morris: grid levels (default 4)")


MAX_POINTS = 1_000_000
#: Columns of the results table besides the factors (SQLite compares names without case).
_RESERVED = {"run_index", "replicate", "seed", *METRIC_NAMES}


def _dotted(path: str, table: dict) -> str:
    """``process`` and ``{rounds: [3, 4]}`` → ``process.rounds``: the path a table was meant as."""
    key, inner = next(iter(table.items()))
    if isinstance(inner, dict) and inner and not set(inner) & set(Range.model_fields):
        return _dotted(f"{path}.{key}", inner)
    return f"{path}.{key}"


class Experiment(BaseModel):
    """An experiment file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = ""
    description: str = ""
    scenario: str = Field(
        min_length=1, description="scenario file or folder, relative to this file"
    )
    design: DesignName = Field("grid", description="grid, lhs, sobol or morris")
    samples: int | None = Field(
        None,
        ge=1,
        le=MAX_POINTS,
        description="N of a sampled design (points, base samples or trajectories)",
    )
    seeds: Literal["independent", "common"] | None = Field(
        None, description="independent seeds per run, or common random numbers across points"
    )
    options: Options = Field(default_factory=Options)
    factors: dict[str, Annotated[list[Any], Field(min_length=1)] | Range] = Field(
        default_factory=dict
    )
    replicates: int = Field(1, ge=1, le=10_000_000)
    master_seed: int = Field(0, ge=0)
    outputs: Outputs = Field(default_factory=Outputs)
    chunk_size: int | None = Field(
        None, ge=1, description="runs per task; default: about 0.5 s of work"
    )

    @field_validator("factors", mode="before")
    @classmethod
    def _factors(cls, factors: Any) -> Any:
        if not isinstance(factors, dict):
            return factors
        problems = []
        out = {}
        for path, value in factors.items():
            if not path or any(not part for part in str(path).split(".")):
                problems.append((str(path), "not a dotted scenario path"))
            elif isinstance(value, dict) and value and not set(value) & set(Range.model_fields):
                inner = _dotted(path, value)
                problems.append(
                    (
                        str(path),
                        f"is a table, not a factor: a dotted path must be quoted, as in "
                        f'"{inner}" = [...]',
                    )
                )
            elif isinstance(value, dict):
                try:
                    out[path] = Range.model_validate(value)
                except ValidationError as err:
                    for item in err.errors():
                        where = ".".join(str(p) for p in item["loc"])
                        text = item["msg"].removeprefix("Value error, ")
                        problems.append((".".join(filter(None, (path, where))), text))
            elif isinstance(value, list) and not value:
                problems.append((str(path), "needs at least one value"))
            else:
                out[path] = value
                seen: list = []
                for item in value if isinstance(value, list) else []:
                    if isinstance(item, int) and not -(2**63) <= item < 2**63:
                        problems.append((str(path), f"{item} is too large to store (beyond ±2⁶³)"))
                    if any(
                        item == other and isinstance(item, bool) == isinstance(other, bool)
                        for other in seen
                    ):
                        problems.append(
                            (str(path), f"lists {item!r} twice; each value makes a design point")
                        )
                    seen.append(item)
        folded: dict[str, str] = {}
        for path in out:
            key = str(path).casefold()
            if key in folded or key in _RESERVED:
                clash = folded.get(key, key)
                problems.append(
                    (str(path), f"names the same results column as {clash!r} (columns ignore case)")
                )
            folded.setdefault(key, str(path))
        if problems:
            raise CrossFieldProblems(problems)
        return out

    @model_validator(mode="after")
    def _design(self) -> Experiment:
        problems = []
        if self.design == "grid":
            for path, factor in self.factors.items():
                if isinstance(factor, Range):
                    problems.append(
                        (
                            f"factors.{path}",
                            "a grid design lists values; ranges need design = lhs, sobol or morris",
                        )
                    )
            if self.samples is not None:
                problems.append(
                    ("samples", "only sampled designs (lhs, sobol, morris) take samples")
                )
        else:
            if self.samples is None:
                problems.append(("samples", f"a {self.design} design needs samples = N"))
            elif self.design == "sobol" and self.samples & (self.samples - 1):
                problems.append(
                    (
                        "samples",
                        f"{self.samples} is not a power of two, which Sobol' sequences need",
                    )
                )
            if not self.sampled:
                problems.append(
                    ("factors", "a sampled design needs a factor with a range or several levels")
                )
            elif self.samples is not None and self.points > MAX_POINTS:
                problems.append(("samples", f"{self.points} design points; at most {MAX_POINTS}"))
        if self.options.second_order is not None and self.design != "sobol":
            problems.append(("options.second_order", "only the sobol design takes it"))
        if self.options.levels is not None and self.design != "morris":
            problems.append(("options.levels", "only the morris design takes it"))
        if problems:
            raise CrossFieldProblems(problems)
        return self

    @property
    def sampled(self) -> list[str]:
        """Factors a sampled design draws (one-value lists are fixed settings)."""
        return [p for p, f in self.factors.items() if isinstance(f, Range) or len(f) > 1]

    @property
    def common_seeds(self) -> bool:
        """Whether replicate r shares its seed across design points."""
        if self.seeds is not None:
            return self.seeds == "common"
        return self.design in ("sobol", "morris")

    @property
    def points(self) -> int:
        """Number of design points."""
        if self.design == "grid":
            return math.prod(len(v) for v in self.factors.values())  # type: ignore[arg-type]
        return sampling.sample_size(
            self.design, self.samples or 0, len(self.sampled), self.options.model_dump()
        )


@dataclass(frozen=True, eq=False)
class Plan:
    """The runs of an experiment or comparison.

    Attributes:
        base: raw scenario data every design point starts from.
        origins: where CSV-born scenario items came from (for messages).
        columns: names of the design columns of the results (factor paths, or ``design``).
        points: for each design point, its values of ``columns``.
        assignments: for each design point, the (path, value) overrides applied to ``base``.
        replicates: runs per design point.
        master_seed: the experiment's seed.
        shared_seeds: seed by replicate only (common random numbers across design points).
        metrics: metric names to record.
        decisions: whether to record signing decisions.
        key: fingerprint of everything that determines the results.
        provisions: whether to record each provision's agreed text (comparisons).
        design: ``grid`` or the sampled design's name.
        sampled: the factors a sampled design draws.
        unit: for a sampled design, each point's unit coordinates of ``sampled`` (its quantiles).
    """

    base: dict
    origins: dict
    columns: tuple[str, ...]
    points: tuple[tuple, ...]
    assignments: tuple[tuple[tuple[str, Any], ...], ...]
    replicates: int
    master_seed: int
    shared_seeds: bool
    metrics: tuple[str, ...]
    decisions: bool
    key: str
    provisions: bool = False
    design: str = "grid"
    sampled: tuple[str, ...] = ()
    unit: tuple[tuple[float, ...], ...] = ()

    @property
    def runs(self) -> int:
        """Number of runs."""
        return len(self.points) * self.replicates

    def seed(self, run_index: int) -> int:
        """The seed of one run, drawn from ``SeedSequence([master_seed, i])``."""
        index = run_index % self.replicates if self.shared_seeds else run_index
        return int(np.random.SeedSequence([self.master_seed, index]).generate_state(1)[0])

    def scenario(self, point: int) -> Scenario:
        """The validated scenario of one design point."""
        return validate(
            with_overrides(self.base, self.assignments[point]), "design point", self.origins
        )


def fingerprint(*parts: object) -> str:
    """SHA-256 of the canonical JSON of ``parts``."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def load_experiment(path: str | Path) -> tuple[Experiment, Plan, list[Path]]:
    """Read and check an experiment file; every factor value is tried on the scenario.

    Returns:
        (experiment, plan, files read).
    """
    path = Path(path)
    where = str(path)
    data = read_toml(path)
    try:
        experiment = Experiment.model_validate(data)
    except ValidationError as err:
        raise InputError(
            validation_problems(
                err,
                data,
                where,
                {},
                model=Experiment,
                about="the experiment format; see docs/experiments.md",
            )
        ) from None
    source = scenario_file(path.parent / experiment.scenario)
    if not source.exists():
        raise InputError.single(where, "scenario", f"no such scenario: {source}")
    raw = read_raw(source)
    base = validate(with_overrides(raw.data, []), str(source), raw.origins)
    problems = _overlaps(raw.data, list(experiment.factors), where)
    for factor, values in experiment.factors.items():
        for value in sampling.test_values(values):
            try:
                validate(with_overrides(raw.data, [(factor, value)]), str(source), raw.origins)
            except KeyError as err:
                problems.append(Problem(where, f"factors.{factor}", err.args[0]))
                break
            except InputError as err:
                for problem in err.problems:
                    problems.append(
                        Problem(
                            where,
                            f"factors.{factor} = {value!r}",
                            f"{problem.field}: {problem.message}",
                        )
                    )
    if problems:
        raise InputError(problems)
    columns = tuple(experiment.factors)
    unit: tuple = ()
    if experiment.design == "grid":
        points = tuple(itertools.product(*experiment.factors.values())) if columns else ((),)
        _check_combinations(raw, source, columns, points, where)
    else:
        points, unit = _sample(experiment)
        _check_pairs(raw, source, experiment, where)
    plan = Plan(
        base=raw.data,
        origins=raw.origins,
        columns=columns,
        points=points,
        assignments=tuple(tuple(zip(columns, point, strict=True)) for point in points),
        replicates=experiment.replicates,
        master_seed=experiment.master_seed,
        shared_seeds=experiment.common_seeds,
        metrics=tuple(experiment.outputs.metrics),
        decisions=experiment.outputs.decisions,
        key=fingerprint(
            experiment.model_dump(exclude={"chunk_size", "name", "description"}),
            base.model_dump(mode="json"),
            *([points] if unit else []),
        ),
        design=experiment.design,
        sampled=tuple(experiment.sampled),
        unit=unit,
    )
    return experiment, plan, raw.files


def _overlaps(raw: dict, paths: list[str], where: str) -> list[Problem]:
    """Factors that set the same key, or one inside another, would overwrite each other."""
    return [
        Problem(
            where,
            f"factors.{path}",
            f"{'is the same key as' if same else 'overlaps'} factors.{other}: one would "
            "overwrite the other in every run; vary one of them",
        )
        for path, other, same in overlaps(raw, paths)
    ]


def _sample(experiment: Experiment) -> tuple[tuple[tuple, ...], tuple[tuple[float, ...], ...]]:
    """A sampled design's points (all factors, fixed ones constant) and unit coordinates."""
    names = experiment.sampled
    unit = sampling.sample(
        experiment.design,
        names,
        experiment.samples or 0,
        experiment.options.model_dump(),
        experiment.master_seed,
    )
    drawn = dict(
        zip(
            names,
            zip(*sampling.points_of(unit, [experiment.factors[n] for n in names]), strict=True),
            strict=True,
        )
    )
    columns = [
        drawn[path] if path in drawn else [factor[0]] * len(unit)  # type: ignore[index]
        for path, factor in experiment.factors.items()
    ]
    points = tuple(zip(*columns, strict=True))
    return points, tuple(tuple(float(x) for x in row) for row in unit)


def _check_pairs(raw, source: Path, experiment: Experiment, where: str) -> None:
    """Every pair of factors at their bounds (and levels) must make a valid scenario.

    A sampled design may hold too many points to validate each up front; values valid alone
    that clash together do so in pairs in every scenario key we have, so each pair of factors is
    tried at every combination of its test values (bounds, mode, levels).
    """
    tests = {path: sampling.test_values(f) for path, f in experiment.factors.items()}
    paths = list(tests)
    pairs = [(a, b) for i, a in enumerate(paths) for b in paths[i + 1 :]] or [(p,) for p in paths]
    columns: list[tuple[str, ...]] = []
    points: list[tuple] = []
    for pair in pairs:
        for values in itertools.product(*(tests[p] for p in pair)):
            columns.append(pair)
            points.append(values)
    problems = []
    for cols, point in zip(columns, points, strict=True):
        try:
            _check_combinations(raw, source, cols, [point], where)
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems[:40])


def _check_combinations(raw, source: Path, columns, points, where: str, limit: int = 20) -> None:
    """Every design point must make a valid scenario (values valid alone can clash together)."""
    problems = []
    bad = 0
    for point in points:
        try:
            validate(
                with_overrides(raw.data, zip(columns, point, strict=True)), str(source), raw.origins
            )
        except InputError as err:
            bad += 1
            if len(problems) < limit:
                combination = ", ".join(f"{p} = {v!r}" for p, v in zip(columns, point, strict=True))
                problems += [
                    Problem(where, f"factors ({combination})", f"{e.field}: {e.message}")
                    for e in err.problems
                ]
    if bad:
        if bad > limit:
            problems.append(
                Problem(where, "factors", f"… and {bad - limit} more invalid combinations")
            )
        raise InputError(problems)
