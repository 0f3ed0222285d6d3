"""Experiments: a scenario, factors to vary, seeded replicates — and the plan of runs they make.

An experiment file (TOML) names a scenario, `factors` (dotted scenario paths, each with an
explicit list of values; their cartesian product makes the design points), `replicates`,
`master_seed`, `outputs` and optionally `chunk_size`. Every value of every factor is applied to
the scenario and validated when the experiment is loaded, so a bad path or value is reported
before any run starts.

Runs are numbered design point by design point: run ``i`` is design point ``i // replicates``,
replicate ``i % replicates``, with seed ``SeedSequence([master_seed, i])``. A comparison of two
designs (``treatysim compare``) is a plan with two design points whose replicate ``r`` shares
its seed across designs (common random numbers).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.errors import InputError, Problem, read_toml
from sim.loader import read_raw, scenario_file, validate, validation_problems
from sim.metrics import METRIC_NAMES
from sim.overrides import with_overrides
from sim.scenario import Scenario

MetricName = Literal[METRIC_NAMES]  # type: ignore[valid-type]


class Outputs(BaseModel):
    """What each run records."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    metrics: list[MetricName] = Field(default_factory=lambda: list(METRIC_NAMES), min_length=1)
    decisions: bool = Field(False, description="also store every delegation's signing decision")


class Experiment(BaseModel):
    """An experiment file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = ""
    description: str = ""
    scenario: str = Field(
        min_length=1, description="scenario file or folder, relative to this file"
    )
    factors: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(default_factory=dict)
    replicates: int = Field(1, ge=1, le=10_000_000)
    master_seed: int = Field(0, ge=0)
    outputs: Outputs = Field(default_factory=Outputs)
    chunk_size: int | None = Field(
        None, ge=1, description="runs per task; default: about 0.5 s of work"
    )

    @field_validator("factors")
    @classmethod
    def _paths(cls, factors: dict) -> dict:
        for path in factors:
            if not path or any(not part for part in path.split(".")):
                raise ValueError(f"{path!r} is not a dotted scenario path")
        return factors


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
        raise InputError(validation_problems(err, data, where, {})) from None
    source = scenario_file(path.parent / experiment.scenario)
    if not source.exists():
        raise InputError.single(where, "scenario", f"no such scenario: {source}")
    raw = read_raw(source)
    base = validate(with_overrides(raw.data, []), str(source), raw.origins)
    problems = []
    for factor, values in experiment.factors.items():
        for value in values:
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
    points = tuple(itertools.product(*experiment.factors.values())) if columns else ((),)
    _check_combinations(raw, source, columns, points, where)
    plan = Plan(
        base=raw.data,
        origins=raw.origins,
        columns=columns,
        points=points,
        assignments=tuple(tuple(zip(columns, point, strict=True)) for point in points),
        replicates=experiment.replicates,
        master_seed=experiment.master_seed,
        shared_seeds=False,
        metrics=tuple(experiment.outputs.metrics),
        decisions=experiment.outputs.decisions,
        key=fingerprint(
            experiment.model_dump(exclude={"chunk_size", "name", "description"}),
            base.model_dump(mode="json"),
        ),
    )
    return experiment, plan, raw.files


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
