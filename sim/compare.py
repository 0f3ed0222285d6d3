"""Comparing two process designs on the same scenario with paired seeds.

Both designs run on the same seeds (common random numbers: replicate ``r`` has the same seed
under A and B), so each replicate gives a paired difference. For every metric the comparison
reports the two means, the mean paired difference B − A and its 95% percentile bootstrap
interval over replicates, and which delegations change their signing decision most often.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError, Problem, read_toml
from sim.experiment import Plan, fingerprint
from sim.loader import read_raw, scenario_file, validate
from sim.metrics import METRIC_NAMES
from sim.overrides import parse_value, with_overrides
from sim.runner import MemorySink, execute
from sim.sweep import executor_for

BOOTSTRAP = 2000


def design(items: list[str], flag: str) -> list[tuple[str, Any]]:
    """A design's overrides from ``PATH=VALUE`` items and/or TOML design files."""
    overrides: list[tuple[str, Any]] = []
    for item in items:
        path = Path(item)
        if "=" not in item and path.suffix == ".toml":
            if not path.exists():
                raise InputError.single(flag, item, "no such design file")
            data = read_toml(path)
            overrides += _flatten(data)
            continue
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise InputError.single(
                flag, item, "expected PATH=VALUE or a design file ending in .toml"
            )
        overrides.append((key.strip(), parse_value(text.strip())))
    return overrides


def _flatten(data: dict, prefix: str = "") -> list[tuple[str, Any]]:
    pairs = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            pairs += _flatten(value, path + ".")
        else:
            pairs.append((path, value))
    return pairs


def comparison_plan(
    scenario: str | Path,
    a: list[tuple[str, Any]],
    b: list[tuple[str, Any]],
    replicates: int,
    seed: int,
) -> Plan:
    """A two-point plan, A then B, with seeds shared by replicate."""
    source = scenario_file(scenario)
    raw = read_raw(source)
    problems = []
    for label, overrides in (("--a", a), ("--b", b)):
        try:
            validate(with_overrides(raw.data, overrides), f"{source} with {label}", raw.origins)
        except KeyError as err:
            problems.append(Problem(label, "", err.args[0]))
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)
    return Plan(
        base=raw.data,
        origins=raw.origins,
        columns=("design",),
        points=(("A",), ("B",)),
        assignments=(tuple(a), tuple(b)),
        replicates=replicates,
        master_seed=seed,
        shared_seeds=True,
        metrics=METRIC_NAMES,
        decisions=True,
        key=fingerprint("compare", raw.data, a, b, replicates, seed),
    )


def bootstrap_interval(
    differences: np.ndarray, seed: int, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of paired differences."""
    rng = np.random.default_rng([seed, 7])
    n = len(differences)
    means = differences[rng.integers(0, n, size=(BOOTSTRAP, n))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def analyse(plan: Plan, sink: MemorySink) -> dict:
    """Means, paired differences with intervals, and decision changes, from a finished comparison."""
    width = 3 + len(plan.columns)
    rows = sorted(sink.rows)
    n = plan.replicates
    by_design = {"A": rows[:n], "B": rows[n:]}
    metrics = {}
    for m, name in enumerate(plan.metrics):
        a = [row[width + m] for row in by_design["A"]]
        b = [row[width + m] for row in by_design["B"]]
        if any(v is None for v in a + b):
            continue
        a_values, b_values = np.array(a, dtype=float), np.array(b, dtype=float)
        differences = b_values - a_values
        low, high = bootstrap_interval(differences, plan.master_seed)
        metrics[name] = {
            "a": float(a_values.mean()),
            "b": float(b_values.mean()),
            "difference": float(differences.mean()),
            "interval": [low, high],
        }
    decisions = {}
    for index, delegation, decision in sink.decisions:
        point, replicate = divmod(index, n)
        decisions[(delegation, replicate, point)] = decision
    delegations = list(dict.fromkeys(d for d, _, _ in decisions))
    changes = []
    for delegation in delegations:
        transitions = Counter()
        for r in range(n):
            before, after = decisions[(delegation, r, 0)], decisions[(delegation, r, 1)]
            if before != after:
                transitions[f"{before} → {after}"] += 1
        changed = sum(transitions.values())
        if changed:
            changes.append(
                {
                    "delegation": delegation,
                    "share_changed": changed / n,
                    "transitions": {k: v / n for k, v in transitions.most_common()},
                }
            )
    changes.sort(key=lambda c: (-c["share_changed"], c["delegation"]))
    return {"replicates": n, "seed": plan.master_seed, "metrics": metrics, "changes": changes}


def render(result: dict, scenario_name: str, a: list, b: list, limit: int = 15) -> str:
    """The comparison as text."""

    def show(overrides):
        return (
            ", ".join(f"{p}={v!r}" if isinstance(v, str) else f"{p}={v}" for p, v in overrides)
            or "(the scenario as it is)"
        )

    lines = [
        f"{scenario_name}: design B against design A over {result['replicates']} paired replicates (seed {result['seed']})",
        f"  A: {show(a)}",
        f"  B: {show(b)}",
        "",
        f"  {'metric':<24}{'A':>10}{'B':>10}{'B − A':>10}   95% interval",
    ]
    for name, m in result["metrics"].items():
        low, high = m["interval"]
        lines.append(
            f"  {name:<24}{m['a']:>10.3f}{m['b']:>10.3f}{m['difference']:>+10.3f}   [{low:+.3f}, {high:+.3f}]"
        )
    lines.append("")
    if result["changes"]:
        lines.append("Delegations whose signing decision changes most often from A to B")
        for change in result["changes"][:limit]:
            detail = ", ".join(f"{k} {v:.0%}" for k, v in change["transitions"].items())
            lines.append(
                f"  {change['delegation']:<10} {change['share_changed']:>5.0%} of replicates: {detail}"
            )
        if len(result["changes"]) > limit:
            lines.append(f"  … {len(result['changes']) - limit} more (see --json)")
    else:
        lines.append("No delegation changes its signing decision between A and B.")
    return "\n".join(lines) + "\n"


def run_comparison(
    scenario: str | Path,
    a_items: list[str],
    b_items: list[str],
    replicates: int,
    seed: int,
    workers: int = 1,
) -> tuple[dict, str, list, list]:
    """Run both designs and analyse them.

    Returns:
        (result, scenario name, design A overrides, design B overrides).

    Raises:
        InputError: for bad designs or scenario.
        Interrupted: on Ctrl-C.
    """
    design_a, design_b = design(a_items, "--a"), design(b_items, "--b")
    if not design_a and not design_b:
        raise InputError.single("--a/--b", "", "give at least one override for A or B")
    plan = comparison_plan(scenario, design_a, design_b, replicates, seed)
    sink = MemorySink()
    chunk = max(1, -(-plan.runs // (4 * workers)))
    with executor_for(workers, None, False) as executor:
        execute(plan, sink, executor, chunk, inflight=2 * workers, progress=False)
    return analyse(plan, sink), plan.scenario(0).name, design_a, design_b
