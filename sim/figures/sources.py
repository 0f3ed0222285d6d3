"""What a figure or report is made from: a run folder, a sweep folder or a comparison folder.

``load_source`` looks at a folder and returns the matching source with its tables read, or an
input error that says what the folder is and what would be needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.errors import InputError
from sim.results.files import RUN_FILES
from sim.results.metrics import METRIC_NAMES

BOOKKEEPING = ("run_index", "replicate", "seed")


@dataclass
class RunSource:
    """One run's folder (``treatysim run --out``)."""

    folder: Path
    manifest: dict
    metrics: dict
    provisions: pd.DataFrame
    delegations: pd.DataFrame
    events: pd.DataFrame
    trajectory: pd.DataFrame

    kind = "run"


@dataclass
class SweepSource:
    """A sweep's folder (``treatysim sweep --out``): one row per run."""

    folder: Path
    manifest: dict
    runs: pd.DataFrame
    factors: list[str]
    metrics: list[str]

    kind = "sweep"


@dataclass
class ComparisonSource:
    """A comparison's folder (``treatysim compare --out``)."""

    folder: Path
    manifest: dict
    result: dict
    metrics: pd.DataFrame
    provisions: pd.DataFrame
    changes: pd.DataFrame

    kind = "comparison"


Source = RunSource | SweepSource | ComparisonSource


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError.single(str(path), "", f"cannot read: {err}") from None


def _csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, keep_default_na=True)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise InputError.single(str(path), "", f"cannot read: {err}") from None


def load_source(path: str | Path) -> Source:
    """Read a run, sweep or comparison folder.

    Raises:
        InputError: when the path is not a folder of one of those kinds, or a file in it is
            missing or unreadable.
    """
    folder = Path(path)
    where = str(folder)
    if not folder.is_dir():
        raise InputError.single(
            where,
            "SOURCE",
            "not a folder: give the folder written by `treatysim run --out`, "
            "`treatysim sweep --out` or `treatysim compare --out`",
        )
    if (folder / "results.sqlite").exists():
        from sim.experiments.export import results_table

        runs = results_table(folder, "runs")
        metrics = [c for c in runs.columns if c in METRIC_NAMES]
        factors = [c for c in runs.columns if c not in BOOKKEEPING and c not in metrics]
        manifest = _json(folder / "manifest.json") if (folder / "manifest.json").exists() else {}
        return SweepSource(folder, manifest, runs, factors, metrics)
    if (folder / "comparison.json").exists():
        return ComparisonSource(
            folder,
            _json(folder / "manifest.json"),
            _json(folder / "comparison.json"),
            _csv(folder / "metrics.csv"),
            _csv(folder / "provisions.csv"),
            _csv(folder / "changes.csv"),
        )
    if (folder / "metrics.json").exists():
        missing = [name for name in RUN_FILES if not (folder / name).exists()]
        if missing:
            raise InputError.single(
                where,
                "SOURCE",
                f"a run folder missing {', '.join(missing)}: write it again with "
                "`treatysim run --out` (this version writes trajectory.csv too)",
            )
        return RunSource(
            folder,
            _json(folder / "manifest.json"),
            _json(folder / "metrics.json"),
            _csv(folder / "provisions.csv"),
            _csv(folder / "delegations.csv"),
            _csv(folder / "events.csv"),
            _csv(folder / "trajectory.csv"),
        )
    raise InputError.single(
        where,
        "SOURCE",
        "not a run, sweep or comparison folder (no metrics.json, results.sqlite or "
        "comparison.json): write one with `treatysim run --out`, `treatysim sweep --out` or "
        "`treatysim compare --out`",
    )
