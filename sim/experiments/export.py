"""Writing a results store's table for other tools, and saying what the table holds.

``treatysim export`` writes a table and, beside it, ``<name>.columns.csv`` documenting its
columns. Its output replaces only an earlier export (a file with its columns file beside it):
never the store, a manifest, an input or any other file. What it exports is described on the
terminal: whether the sweep is finished and which model code stored the runs.
"""

from __future__ import annotations

import json
from contextlib import suppress
from pathlib import Path

from sim.errors import InputError
from sim.experiments.store import FILENAME, StoreState
from sim.folders import check_parents
from sim.provenance import describe_code

#: The first line of a columns file, as ``treatysim export`` writes it.
COLUMNS_HEADER = "column,label,unit,meaning,better"
SQLITE_MAGIC = b"SQLite format 3\x00"


def columns_file(target: Path) -> Path:
    """Where the documentation of ``target``'s columns goes: ``<stem>.columns.csv`` beside it."""
    return target.with_name(f"{target.stem}.columns.csv")


def check_target(target: Path, folder: Path) -> None:
    """Refuse an export target that is a folder or a file export did not write.

    Args:
        target: the file the table goes to.
        folder: the sweep's folder (its store is never a target).

    Raises:
        InputError: naming the target and why it is refused.
    """
    try:
        is_folder = target.name in ("", ".", "..") or target.is_dir()
    except (OSError, ValueError):
        is_folder = False
    if is_folder:
        raise InputError.single(str(target), "--out", "is a folder; give a file name")
    check_parents(target)
    for path, what in ((target, "table"), (columns_file(target), "columns file")):
        problem = _not_ours(path, folder, what == "columns file")
        if problem:
            raise InputError.single(str(path), "--out", problem)


def _not_ours(path: Path, folder: Path, columns: bool) -> str | None:
    """Why export may not replace ``path``, or None when it may (absent or an earlier export)."""
    try:
        if not path.exists() and not path.is_symlink():
            return None
        if path.is_dir():
            return "is a folder; give a file name"
        store = Path(folder) / FILENAME
        if path.name.startswith(FILENAME) or (store.exists() and path.samefile(store)):
            return "is the sweep's results store (or one of its files); export elsewhere"
        if not path.is_file():
            return "exists and is not a regular file; export elsewhere"
        with path.open("rb") as handle:
            head = handle.read(len(COLUMNS_HEADER) + 1)
    except OSError as err:
        return f"cannot be checked: {err.strerror or err}"
    if head.startswith(SQLITE_MAGIC):
        return "is an SQLite database, which export never replaces; export elsewhere"
    if path.name == "manifest.json" or path.suffix in (".toml", ".json"):
        return "is a manifest or scenario file, which export never replaces; export elsewhere"
    if columns:
        if head.decode("utf-8", "replace").strip() != COLUMNS_HEADER:
            return "exists and is not a columns file export wrote; remove it or export elsewhere"
        return None
    if not columns_file(path).is_file():
        return (
            f"exists and is not an earlier export (no {columns_file(path).name} beside it); "
            "remove it or export to another file"
        )
    return None


def write_table(frame, target: Path, fmt: str, docs) -> Path:
    """Write ``frame`` to ``target`` (csv or parquet) and its column documentation beside it.

    Both files are written completely or not at all.

    Returns:
        The columns file.

    Raises:
        InputError: when the files cannot be written.
    """
    from sim.results.files import write_text_atomically

    columns = columns_file(target)
    staging = target.with_name(f".{target.name}.partial")
    try:
        if fmt == "csv":
            frame.to_csv(staging, index=False)
        else:
            frame.to_parquet(staging, index=False)
        staging.replace(target)
        write_text_atomically(columns, docs.to_csv(index=False))
    except OSError as err:
        raise InputError.single(
            str(target), "--out", f"cannot write: {err.strerror or err}"
        ) from None
    finally:
        with suppress(OSError):
            staging.unlink(missing_ok=True)
    return columns


def describe_state(state: StoreState, folder: Path, subject: str = "this table") -> list[str]:
    """Lines for the terminal: an unfinished sweep, and the model code that stored the runs.

    Args:
        state: from :func:`sim.experiments.store.store_state`.
        folder: the sweep's folder.
        subject: what is partial when the sweep is (``this table``, ``this report``); for a
            table, the lines also say where to find which run came from which session.
    """
    lines = []
    if state.stored < state.planned:
        rerun = _rerun_command(folder)
        lines.append(
            f"note: the sweep is unfinished: {state.stored:,} of {state.planned:,} runs are "
            f"stored, so {subject} is partial; {rerun} to finish it"
        )
    makers = [m for m in state.makers if m["runs"]]
    if state.mixed:
        parts = [f"{m['runs']:,} by {describe_code(m)}" for m in makers]
        if state.unattributed:
            parts.append(
                f"{state.unattributed:,} by an earlier treatysim that did not record its version"
            )
        where = (
            ". The session column says which session stored each run; --table sessions says "
            "what code each session ran"
            if subject == "this table"
            else ""
        )
        lines.append(
            f"warning: the runs were made by {len(parts)} versions of the model (the sweep was "
            f"resumed with --allow-code-change): {'; '.join(parts)}{where}"
        )
    elif makers:
        lines.append(f"runs made by {describe_code(makers[0])}")
    elif state.stored:
        lines.append("runs made by an earlier treatysim that did not record its version")
    return lines


def _rerun_command(folder: Path) -> str:
    """``run `treatysim sweep EXPERIMENT --out DIR` again`` from the folder's manifest."""
    experiment = "EXPERIMENT"
    try:
        record = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
        if isinstance(record, dict) and isinstance(record.get("experiment_file"), str):
            experiment = record["experiment_file"]
    except (OSError, ValueError):
        pass
    return f"run `treatysim sweep {experiment} --out {folder}` again"
