"""Sampled experiment designs: factor distributions and SALib's samplers.

A grid design lists each factor's values and runs their cartesian product. A sampled design
(``lhs``, ``sobol``, ``morris``) gives each factor a distribution instead and draws design points
from it. Every sampler works in the unit hypercube — one coordinate ``q`` in [0, 1] per factor, the
factor's quantile — and each coordinate is mapped to a scenario value by the factor's inverse
distribution function:

- ``{ uniform = [low, high] }``: ``low + q (high − low)``;
- ``{ triangular = [low, mode, high] }``: the triangular distribution's quantile function;
- ``[level, level, …]``: a categorical (or ordered) factor, each level equally likely:
  level ``⌊q k⌋`` of ``k`` (the last for ``q = 1``);
- ``integer = true`` on a range rounds down to whole numbers, each equally likely:
  ``low + ⌊q (high − low + 1)⌋``, at most ``high``.

Sensitivity indices are computed on the unit coordinates, so they measure each factor over its
whole distribution and are comparable across factors whatever their units.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

DesignName = Literal["grid", "lhs", "sobol", "morris"]
SAMPLED = ("lhs", "sobol", "morris")


class Range(BaseModel):
    """A continuous (or integer) factor: a uniform or triangular distribution."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    uniform: tuple[float, float] | None = Field(None, description="[low, high]")
    triangular: tuple[float, float, float] | None = Field(None, description="[low, mode, high]")
    integer: bool = Field(False, description="whole numbers only")

    @model_validator(mode="after")
    def _one_shape(self) -> Range:
        shapes = [s for s in (self.uniform, self.triangular) if s is not None]
        if len(shapes) != 1:
            raise ValueError(
                "give exactly one of uniform = [low, high] or triangular = [low, mode, high]"
            )
        bounds = shapes[0]
        if not all(math.isfinite(b) for b in bounds):
            raise ValueError("bounds must be finite numbers")
        if not bounds[0] < bounds[-1]:
            raise ValueError(f"low ({bounds[0]:g}) must be below high ({bounds[-1]:g})")
        if self.triangular is not None and not bounds[0] <= bounds[1] <= bounds[2]:
            raise ValueError("the mode must lie between low and high")
        if self.integer and not all(float(b).is_integer() for b in (bounds[0], bounds[-1])):
            raise ValueError("an integer factor needs whole-number bounds")
        return self

    @property
    def low(self) -> float:
        """Lowest value."""
        return (self.uniform or self.triangular)[0]  # type: ignore[index]

    @property
    def high(self) -> float:
        """Highest value."""
        return (self.uniform or self.triangular)[-1]  # type: ignore[index]

    def values(self, q: np.ndarray) -> list:
        """Scenario values at unit coordinates ``q``."""
        low, high = self.low, self.high
        if self.integer:
            steps = int(high - low)
            return [int(low) + int(min(math.floor(x * (steps + 1)), steps)) for x in q]
        if self.uniform is not None:
            return [float(low + x * (high - low)) for x in q]
        mode = self.triangular[1]  # type: ignore[index]
        c = (mode - low) / (high - low)
        out = []
        for x in q:
            if x <= c:
                out.append(float(low + math.sqrt(x * (high - low) * (mode - low))))
            else:
                out.append(float(high - math.sqrt((1 - x) * (high - low) * (high - mode))))
        return out

    def test_values(self) -> list:
        """The values every point lies between: bounds (and mode)."""
        values = [self.low, self.high]
        if self.triangular is not None:
            values.insert(1, self.triangular[1])
        return [int(v) for v in values] if self.integer else values

    def describe(self) -> str:
        """One line: the distribution."""
        kind = "integer " if self.integer else ""
        if self.uniform is not None:
            return f"{kind}uniform on [{self.low:g}, {self.high:g}]"
        return f"{kind}triangular on [{self.low:g}, {self.high:g}], mode {self.triangular[1]:g}"  # type: ignore[index]


Factor = list[Any] | Range


def levels_values(levels: list, q: np.ndarray) -> list:
    """Categorical levels at unit coordinates ``q``: level ``⌊q k⌋`` (the last at ``q = 1``)."""
    k = len(levels)
    return [levels[min(math.floor(x * k), k - 1)] for x in q]


def test_values(factor: Factor) -> list:
    """Values to validate against the scenario before sampling."""
    return factor.test_values() if isinstance(factor, Range) else list(factor)


def describe(factor: Factor) -> str:
    """One line: the factor's values or distribution."""
    if isinstance(factor, Range):
        return factor.describe()
    return "levels " + ", ".join(repr(v) for v in factor)


def points_of(unit: np.ndarray, factors: list[Factor]) -> list[tuple]:
    """Design points (scenario values) of unit-hypercube samples, one row each."""
    columns = [
        f.values(unit[:, j]) if isinstance(f, Range) else levels_values(f, unit[:, j])
        for j, f in enumerate(factors)
    ]
    return list(zip(*columns, strict=True)) if columns else []


def problem(names: list[str]) -> dict:
    """SALib's problem: every factor on its unit coordinate."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sample_size(design: str, samples: int, factors: int, options: dict) -> int:
    """Design points a sampled design makes."""
    if design == "sobol":
        return samples * (2 * factors + 2 if options.get("second_order") else factors + 2)
    if design == "morris":
        return samples * (factors + 1)
    return samples


def sample(design: str, names: list[str], samples: int, options: dict, seed: int) -> np.ndarray:
    """Unit-hypercube samples (points × factors) from SALib's sampler for ``design``.

    Args:
        design: ``lhs``, ``sobol`` or ``morris``.
        names: factor names.
        samples: N — points (lhs), base samples (sobol; a power of two) or trajectories (morris).
        options: ``second_order`` (sobol), ``levels`` (morris).
        seed: the sampler's seed (the experiment's ``master_seed``).
    """
    spec = problem(names)
    if design == "lhs":
        from SALib.sample import latin

        return latin.sample(spec, samples, seed=seed)
    if design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(
            spec, samples, calc_second_order=bool(options.get("second_order")), seed=seed
        )
    if design == "morris":
        from SALib.sample import morris

        return morris.sample(spec, samples, num_levels=int(options.get("levels") or 4), seed=seed)
    raise ValueError(f"not a sampled design: {design}")
