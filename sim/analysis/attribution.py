"""Which mechanisms carry a design difference: Shapley values over the mechanism switches.

For two designs A and B and a set M of mechanisms, let ``v(S)`` be the mean paired difference
B − A of a metric when the mechanisms in ``S`` are on and the others in M are off (mechanisms
outside M keep the scenario's setting). The Shapley value of mechanism ``j``,

``φ_j = Σ_{S ⊆ M∖{j}} |S|! (|M| − |S| − 1)! / |M|! · [v(S ∪ {j}) − v(S)]``,

is its average contribution over every order in which the mechanisms could be switched on
(Shapley 1953). The values add up exactly: ``v(M) = v(∅) + Σ_j φ_j``, where ``v(∅)`` is the
difference that remains with all of M off (carried by what no switch controls, such as the
decision rule itself). So every unit of the difference is attributed.

All ``2^|M| × 2`` design points run on the same seeds (common random numbers), so each
replicate ``r`` gives its own Shapley values ``φ_j^r``; ``φ_j`` is their mean and its 95%
interval is a percentile bootstrap over replicates.

References:
    Shapley 1953; Lundberg & Lee 2017 (Shapley values to explain a model's output).
"""

from __future__ import annotations

from math import factorial
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError, Problem
from sim.experiments.compare import bootstrap_interval
from sim.experiments.experiment import Plan, fingerprint
from sim.experiments.runner import MemorySink, execute
from sim.experiments.sweep import executor_for
from sim.results.metrics import METRIC_NAMES
from sim.scenario.loader import read_raw, scenario_file, validate
from sim.scenario.overrides import with_overrides
from sim.scenario.schema import Mechanisms

MECHANISMS: tuple[str, ...] = tuple(Mechanisms.model_fields)
MAX_MECHANISMS = 12


def shapley_weights(m: int) -> np.ndarray:
    """(2^m, m) matrix ``Ω`` with ``φ = v @ Ω`` for a game ``v`` given on the 2^m masks.

    Mask ``T`` has bit ``j`` set when mechanism ``j`` is on. Entry ``(T, j)`` is
    ``+w(|T| − 1)`` when ``j ∈ T`` and ``−w(|T|)`` when not, with
    ``w(s) = s! (m − s − 1)! / m!``.
    """
    weight = [factorial(s) * factorial(m - s - 1) / factorial(m) for s in range(m)]
    masks = np.arange(2**m)
    on = (masks[:, None] >> np.arange(m)) & 1
    size = on.sum(axis=1)
    omega = np.zeros((2**m, m))
    for j in range(m):
        inside = on[:, j] == 1
        omega[inside, j] = [weight[s - 1] for s in size[inside]]
        omega[~inside, j] = [-weight[s] if s < m else 0.0 for s in size[~inside]]
    return omega


def check_mechanisms(names: list[str] | None) -> tuple[str, ...]:
    """The mechanisms to attribute over, in schema order (all of them by default)."""
    if not names:
        return MECHANISMS
    wanted = [n.strip() for item in names for n in item.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in MECHANISMS]
    if unknown:
        raise InputError.single(
            "--mechanisms",
            ", ".join(unknown),
            f"unknown mechanism; choose from {', '.join(MECHANISMS)}",
        )
    if len(set(wanted)) > MAX_MECHANISMS:
        raise InputError.single(
            "--mechanisms", ",".join(wanted), f"at most {MAX_MECHANISMS} at a time (2^m runs)"
        )
    return tuple(n for n in MECHANISMS if n in wanted)


def attribution_plan(
    scenario: str | Path,
    a: list[tuple[str, Any]],
    b: list[tuple[str, Any]],
    mechanisms: tuple[str, ...],
    replicates: int,
    seed: int,
) -> Plan:
    """Every mask of ``mechanisms`` under A and under B, on shared seeds."""
    source = scenario_file(scenario)
    raw = read_raw(source)
    problems = []
    for label, overrides in (("--a", a), ("--b", b)):
        set_here = sorted(
            {p for p, _ in overrides if p.startswith("process.mechanisms")}
            & ({"process.mechanisms"} | {f"process.mechanisms.{m}" for m in mechanisms})
        )
        for path in set_here:
            problems.append(
                Problem(label, path, "a design may not set a mechanism it is attributed over")
            )
        try:
            validate(with_overrides(raw.data, overrides), f"{source} with {label}", raw.origins)
        except KeyError as err:
            problems.append(Problem(label, "", err.args[0]))
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)
    points, assignments = [], []
    for mask in range(2 ** len(mechanisms)):
        switches = tuple(
            (f"process.mechanisms.{name}", bool(mask >> j & 1)) for j, name in enumerate(mechanisms)
        )
        for label, overrides in (("A", a), ("B", b)):
            points.append((label, mask))
            assignments.append(tuple(overrides) + switches)
    return Plan(
        base=raw.data,
        origins=raw.origins,
        columns=("design", "mask"),
        points=tuple(points),
        assignments=tuple(assignments),
        replicates=replicates,
        master_seed=seed,
        shared_seeds=True,
        metrics=METRIC_NAMES,
        decisions=False,
        key=fingerprint("attribute", raw.data, a, b, mechanisms, replicates, seed),
    )


def attribute(plan: Plan, sink: MemorySink, mechanisms: tuple[str, ...]) -> dict:
    """Shapley values of each mechanism for every metric, with bootstrap intervals."""
    m, n = len(mechanisms), plan.replicates
    width = 3 + len(plan.columns)
    rows = sorted(sink.rows)  # by run index: point-major, then replicate
    omega = shapley_weights(m)
    result = {}
    for k, name in enumerate(plan.metrics):
        values = np.array([row[width + k] for row in rows], dtype=object)
        if any(v is None for v in values):
            continue
        # (points, replicates) → (masks, 2 designs, replicates)
        table = values.astype(float).reshape(2**m, 2, n)
        difference = (table[:, 1] - table[:, 0]).T  # (replicates, masks): v per replicate
        shares = difference @ omega  # (replicates, m): Shapley values per replicate
        entry = {
            "total": _summary(difference[:, -1], plan.master_seed),
            "without": _summary(difference[:, 0], plan.master_seed),
            "mechanisms": {
                mechanism: _summary(shares[:, j], plan.master_seed)
                for j, mechanism in enumerate(mechanisms)
            },
        }
        result[name] = entry
    return {
        "replicates": n,
        "seed": plan.master_seed,
        "mechanisms": list(mechanisms),
        "runs": plan.runs,
        "metrics": result,
    }


def _summary(values: np.ndarray, seed: int) -> dict:
    low, high = bootstrap_interval(values, seed)
    return {"value": float(values.mean()), "interval": [low, high]}


def render(result: dict) -> str:
    """The attribution as text: every metric B changes, its mechanisms by size of share."""
    lines = [
        f"Attribution of B − A to {len(result['mechanisms'])} mechanisms "
        f"(Shapley values over their switches; {result['runs']} runs, "
        f"{result['replicates']} paired replicates)",
    ]
    unchanged = []
    for name, entry in result["metrics"].items():
        shares = entry["mechanisms"]
        parts = [entry["total"], entry["without"], *shares.values()]
        if all(p["value"] == 0.0 and p["interval"] == [0.0, 0.0] for p in parts):
            unchanged.append(name)
            continue
        total, without = entry["total"], entry["without"]
        lines += [
            "",
            f"  {name}: B − A = {total['value']:+.3f} "
            f"[{total['interval'][0]:+.3f}, {total['interval'][1]:+.3f}]",
            f"    {'with all of them off':<26}{without['value']:>+9.3f}   "
            f"[{without['interval'][0]:+.3f}, {without['interval'][1]:+.3f}]",
        ]
        ordered = sorted(shares.items(), key=lambda kv: -abs(kv[1]["value"]))
        for mechanism, share in ordered:
            low, high = share["interval"]
            lines.append(f"    {mechanism:<26}{share['value']:>+9.3f}   [{low:+.3f}, {high:+.3f}]")
    if unchanged:
        lines += ["", f"  No difference under any mask: {', '.join(unchanged)}."]
    return "\n".join(lines) + "\n"


def run_attribution(
    scenario: str | Path,
    design_a: list[tuple[str, object]],
    design_b: list[tuple[str, object]],
    mechanism_names: list[str] | None,
    replicates: int,
    seed: int,
    workers: int = 1,
) -> dict:
    """Run every mask of the mechanisms under both designs and attribute the difference.

    Raises:
        InputError: for bad designs, scenario or mechanism names.
        Interrupted: on Ctrl-C.
    """
    mechanisms = check_mechanisms(mechanism_names)
    plan = attribution_plan(scenario, design_a, design_b, mechanisms, replicates, seed)
    sink = MemorySink()
    chunk = max(1, -(-plan.runs // (8 * workers)))
    with executor_for(workers, None, False, plan) as executor:  # workers get the plan once
        execute(plan, sink, executor, min(chunk, 4 * replicates), inflight=2 * workers)
    return attribute(plan, sink, mechanisms)
