"""Comparing process designs on the same scenario with paired seeds.

Every design runs on the same seeds (common random numbers: replicate ``r`` has the same seed
under each design), so each replicate gives a paired difference against the baseline, the first
design. For every other design and every metric the comparison reports both means, the mean
paired difference and its 95% percentile bootstrap interval over replicates; the agreed text of
each provision under each design, with its paired difference; and which delegations change their
signing decision most often. Designs carry names (``A`` and ``B`` unless named).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.catalogue import entry
from sim.errors import InputError, Problem, read_toml
from sim.experiments.experiment import Plan, fingerprint
from sim.experiments.runner import MemorySink, execute
from sim.experiments.sweep import executor_for
from sim.results.metrics import METRIC_NAMES
from sim.scenario.loader import read_raw, scenario_file, validate
from sim.scenario.overrides import parse_value, with_overrides

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


@dataclass(frozen=True)
class Design:
    """A named process design: overrides of the scenario."""

    name: str
    overrides: tuple[tuple[str, Any], ...]

    def describe(self) -> str:
        """The overrides as ``path=value`` text."""
        return (
            ", ".join(f"{p}={v!r}" if isinstance(v, str) else f"{p}={v}" for p, v in self.overrides)
            or "(the scenario as it is)"
        )


def designs_file(path: str | Path) -> list[Design]:
    """Named designs from a TOML file, the baseline first.

    The file holds one table per design under ``designs`` (overrides as nested tables or dotted
    keys; an empty table is the scenario as it is) and optionally ``baseline = "NAME"``; without
    it the first design is the baseline::

        baseline = "ITU 2012"
        [designs."ITU 2012"]
        [designs.open]
        process.openness = "multistakeholder"
    """
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise InputError.single(where, "--designs", "no such designs file")
    data = read_toml(path)
    unknown = sorted(set(data) - {"designs", "baseline"})
    if unknown:
        raise InputError.single(where, unknown[0], "unknown key (expected designs, baseline)")
    tables = data.get("designs")
    if not isinstance(tables, dict) or len(tables) < 2:
        raise InputError.single(where, "designs", "give at least two designs, each a table")
    designs = []
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise InputError.single(where, f"designs.{name}", "a design is a table of overrides")
        designs.append(Design(str(name), tuple(_flatten(table))))
    baseline = data.get("baseline", designs[0].name)
    names = [d.name for d in designs]
    if baseline not in names:
        raise InputError.single(
            where, "baseline", f"{baseline!r} is not one of the designs: {', '.join(names)}"
        )
    return sorted(designs, key=lambda d: d.name != baseline)


def comparison_plan(
    scenario: str | Path, designs: list[Design], replicates: int, seed: int
) -> Plan:
    """One design point per design, with seeds shared by replicate."""
    source = scenario_file(scenario)
    raw = read_raw(source)
    problems = []
    names = [d.name for d in designs]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem("designs", name, "two designs have this name"))
    for d in designs:
        try:
            validate(with_overrides(raw.data, d.overrides), f"{source} with {d.name}", raw.origins)
        except KeyError as err:
            problems.append(Problem(d.name, "", err.args[0]))
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)
    return Plan(
        base=raw.data,
        origins=raw.origins,
        columns=("design",),
        points=tuple((d.name,) for d in designs),
        assignments=tuple(d.overrides for d in designs),
        replicates=replicates,
        master_seed=seed,
        shared_seeds=True,
        metrics=METRIC_NAMES,
        decisions=True,
        key=fingerprint(
            "compare", raw.data, [[d.name, d.overrides] for d in designs], replicates, seed
        ),
        provisions=True,
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


def _paired(a: np.ndarray, b: np.ndarray, seed: int) -> dict:
    differences = b - a
    low, high = bootstrap_interval(differences, seed)
    return {
        "a": float(a.mean()),
        "b": float(b.mean()),
        "difference": float(differences.mean()),
        "interval": [low, high],
    }


def analyse(plan: Plan, sink: MemorySink, designs: list[Design]) -> dict:
    """Per design against the baseline: metrics, agreed texts and decision changes."""
    width = 3 + len(plan.columns)
    n = plan.replicates
    rows = sorted(sink.rows)
    by_point = [rows[p * n : (p + 1) * n] for p in range(len(designs))]
    decisions = {}
    for index, delegation, decision in sink.decisions:
        point, replicate = divmod(index, n)
        decisions[(delegation, replicate, point)] = decision
    delegations = list(dict.fromkeys(d for d, _, _ in decisions))
    texts: dict[tuple[str, int], np.ndarray] = {}
    adopted: dict[tuple[str, int], np.ndarray] = {}
    provision_ids = list(dict.fromkeys(pid for _, pid, _, _ in sink.provisions))
    for pid in provision_ids:
        for p in range(len(designs)):
            texts[(pid, p)] = np.full(n, np.nan)
            adopted[(pid, p)] = np.zeros(n, dtype=bool)
    for index, pid, was_adopted, value in sink.provisions:
        point, replicate = divmod(index, n)
        texts[(pid, point)][replicate] = value
        adopted[(pid, point)][replicate] = was_adopted
    contrasts = []
    for p in range(1, len(designs)):
        metrics = {}
        for m, name in enumerate(plan.metrics):
            a = [row[width + m] for row in by_point[0]]
            b = [row[width + m] for row in by_point[p]]
            if any(v is None for v in a + b):
                continue
            metrics[name] = _paired(
                np.array(a, dtype=float), np.array(b, dtype=float), plan.master_seed
            )
        provisions = []
        for pid in provision_ids:
            row = _paired(texts[(pid, 0)], texts[(pid, p)], plan.master_seed)
            row["provision"] = pid
            row["adopted_a"] = float(adopted[(pid, 0)].mean())
            row["adopted_b"] = float(adopted[(pid, p)].mean())
            provisions.append(row)
        contrasts.append(
            {
                "design": designs[p].name,
                "metrics": metrics,
                "provisions": provisions,
                "changes": _changes(decisions, delegations, n, p),
            }
        )
    result = {
        "replicates": n,
        "seed": plan.master_seed,
        "baseline": designs[0].name,
        "designs": [
            {"name": d.name, "overrides": [[k, v] for k, v in d.overrides]} for d in designs
        ],
        "contrasts": contrasts,
    }
    if len(contrasts) == 1:  # two designs: their contrast also at the top level
        result["metrics"] = contrasts[0]["metrics"]
        result["changes"] = contrasts[0]["changes"]
    return result


def _changes(decisions: dict, delegations: list[str], n: int, point: int) -> list[dict]:
    changes = []
    for delegation in delegations:
        transitions = Counter()
        for r in range(n):
            before, after = decisions[(delegation, r, 0)], decisions[(delegation, r, point)]
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
    return changes


def signed(value: float, digits: int = 3) -> str:
    """A difference with its sign, never "-0.000" for a value that rounds to zero."""
    text = f"{value:+.{digits}f}"
    return text if float(text) != 0 else f"{0:.{digits}f}"


def interval(low: float, high: float, digits: int = 3) -> str:
    """A 95% interval as ``[low, high]``."""
    return f"[{signed(low, digits)}, {signed(high, digits)}]"


def render(result: dict, scenario_name: str, limit: int = 15) -> str:
    """The comparison as text: one section per design against the baseline."""
    designs = {d["name"]: d for d in result["designs"]}
    base = result["baseline"]
    others = [c["design"] for c in result["contrasts"]]
    lines = [
        f"{scenario_name}: {', '.join(others)} against {base} over {result['replicates']} "
        f"paired replicates (seed {result['seed']})",
    ]
    for name, d in designs.items():
        shown = Design(name, tuple(tuple(o) for o in d["overrides"])).describe()
        lines.append(f"  {name}: {shown}")
    for contrast in result["contrasts"]:
        other = contrast["design"]
        lines += ["", f"{other} − {base}"]
        lines.append(
            f"  {'metric':<34}{base[:10]:>11}{other[:10]:>11}{'difference':>12}   95% interval"
        )
        for name, m in contrast["metrics"].items():
            low, high = m["interval"]
            lines.append(
                f"  {entry(name).label:<34}{m['a']:>11.3f}{m['b']:>11.3f}"
                f"{signed(m['difference']):>12}   {interval(low, high)}"
            )
        lines += [
            "",
            f"  {'agreed text (0–100)':<34}{base[:10]:>11}{other[:10]:>11}{'difference':>12}   95% interval",
        ]
        for row in contrast["provisions"]:
            low, high = row["interval"]
            lines.append(
                f"  {row['provision']:<34}{row['a']:>11.1f}{row['b']:>11.1f}"
                f"{signed(row['difference'], 1):>12}   {interval(low, high, 1)}"
            )
        lines.append("")
        changes = contrast["changes"]
        if changes:
            lines.append(
                f"  Delegations whose signing decision changes most often from {base} to {other}"
            )
            for change in changes[:limit]:
                detail = ", ".join(f"{k} {v:.0%}" for k, v in change["transitions"].items())
                lines.append(
                    f"    {change['delegation']:<10} {change['share_changed']:>5.0%} of replicates: {detail}"
                )
            if len(changes) > limit:
                lines.append(f"    … {len(changes) - limit} more (see --json or --out)")
        else:
            lines.append(
                f"  No delegation changes its signing decision between {base} and {other}."
            )
    return "\n".join(lines) + "\n"


def run_comparison(
    scenario: str | Path,
    designs: list[Design],
    replicates: int,
    seed: int,
    workers: int = 1,
) -> tuple[dict, str]:
    """Run every design and analyse them against the first.

    Returns:
        (result, scenario name).

    Raises:
        InputError: for bad designs or scenario.
        Interrupted: on Ctrl-C.
    """
    if all(not d.overrides for d in designs):
        raise InputError.single("--a/--b", "", "give at least one override for A or B")
    plan = comparison_plan(scenario, designs, replicates, seed)
    sink = MemorySink()
    chunk = max(1, -(-plan.runs // (4 * workers)))
    with executor_for(workers, None, False, plan) as executor:  # workers get the plan once
        execute(plan, sink, executor, chunk, inflight=2 * workers)  # a bar on a terminal
    scenario = plan.scenario(0)
    result = analyse(plan, sink, designs)
    result["titles"] = {p.id: p.title or p.id for p in scenario.provisions}
    return result, scenario.name
