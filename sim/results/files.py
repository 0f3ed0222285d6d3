"""Writing one run's results to a folder, all or nothing."""

from __future__ import annotations

import json
from contextlib import suppress
from pathlib import Path

from sim.results.outcome import Outcome

RUN_FILES = (
    "provisions.csv",
    "delegations.csv",
    "events.csv",
    "rounds.csv",
    "trajectory.csv",
    "metrics.json",
    "manifest.json",
)
#: What a classroom session keeps beside its run's files.
SESSION_FILES = ("session.json", "answers.txt")


def write_run(out: str | Path, outcome: Outcome, manifest: dict) -> list[Path]:
    """Write the run's tables, metrics and manifest into ``out``.

    Everything is written to a temporary folder beside ``out`` first and moved into place only
    when all files are complete, so a failure leaves no half-written results. The folder must be
    new, empty, or an earlier output of the same kind (``manifest["kind"]``: a run, or a
    classroom session, which also keeps its record there).

    Returns:
        The paths written.

    Raises:
        InputError: when ``out`` holds anything else (:func:`sim.folders.claim`).
    """
    from sim.folders import claim, staged

    out = Path(out)
    kind = manifest.get("kind", "run")
    claim(out, kind, (*RUN_FILES, *SESSION_FILES) if kind == "classroom" else RUN_FILES)
    with staged(out, RUN_FILES) as staging:
        outcome.provisions.to_csv(staging / "provisions.csv", index=False)
        outcome.delegations.to_csv(staging / "delegations.csv", index=False)
        outcome.events.to_csv(staging / "events.csv", index=False)
        outcome.round_table.to_csv(staging / "rounds.csv", index=False)
        outcome.trajectory.to_csv(staging / "trajectory.csv", index=False)
        metrics = {"seed": outcome.seed, **outcome.to_dict()["metrics"]}
        (staging / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    return [out / name for name in RUN_FILES]


def write_text_atomically(path: str | Path, text: str) -> None:
    """Write a text file completely or not at all.

    Raises:
        OSError: when the folder cannot be written.
    """
    path = Path(path)
    staging = path.with_name(f".{path.name}.partial")
    try:
        staging.write_text(text, encoding="utf-8")
        staging.replace(path)
    finally:
        with suppress(OSError):  # a staging file that could not be made is no error of its own
            staging.unlink(missing_ok=True)
