"""Reading a results store for other tools: its tables, how complete it is, who made its runs.

``results_table`` reads a table (for export, figures, reports and analyses); ``store_state``
says how many of the planned runs are stored and which model code stored them.
``treatysim export`` writes a table and, beside it, ``<name>.columns.csv`` documenting its
columns. Its output replaces only an earlier export (a file with its columns file beside it):
never the store, a manifest, an input or any other file. What it exports is described on the
terminal: whether the sweep is finished and which model code stored the runs.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from sim.errors import InputError
from sim.experiments.store import FILENAME, LOCKNAME, session_makers
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
    if path.name.startswith((FILENAME, LOCKNAME, ".results.sqlite")):
        return "is a name the sweep's results store uses (or may use); export elsewhere"
    try:
        if not path.exists() and not path.is_symlink():
            return None
        if path.is_dir():
            return "is a folder; give a file name"
        store = Path(folder) / FILENAME
        if store.exists() and path.samefile(store):  # the store under another name (a link)
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
    """Lines for the terminal: the store's cautions, then the model code that stored the runs.

    Args:
        state: from :func:`store_state`.
        folder: the sweep's folder.
        subject: as for :func:`cautions`.
    """
    lines = [f"{level}: {text}" for level, text in cautions(state, folder, subject)]
    if not state.mixed:
        makers = [m for m in state.makers if m["runs"]]
        if makers:
            lines.append(f"runs made by {describe_code(makers[0])}")
        elif state.stored:
            lines.append("runs made by an earlier treatysim that did not record its version")
    return lines


def cautions(state: StoreState, folder: Path, subject: str = "this table") -> list[tuple[str, str]]:
    """What a reader of the store's results must know: ``(note|warning, sentence)`` pairs.

    An unfinished sweep (or one still being written) and runs made by several model codes.

    Args:
        state: from :func:`store_state`.
        folder: the sweep's folder.
        subject: what is partial when the sweep is (``this table``, ``this report``); for a
            table, the warning also says where to find which run came from which session.
    """
    found = []
    running = writer(folder)
    if running and state.stored < state.planned:
        found.append(
            (
                "note",
                f"a sweep is writing to this folder ({running}): {state.stored:,} of "
                f"{state.planned:,} runs were stored when {subject} was read, so it is partial",
            )
        )
    elif state.stored < state.planned:
        found.append(
            (
                "note",
                f"the sweep is unfinished: {state.stored:,} of {state.planned:,} runs are "
                f"stored, so {subject} is partial; {_rerun_command(folder)} to finish it",
            )
        )
    if state.mixed:
        parts = [f"{m['runs']:,} by {describe_code(m)}" for m in state.makers if m["runs"]]
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
        found.append(
            (
                "warning",
                f"the runs were made by {len(parts)} versions of the model: "
                f"{'; '.join(parts)}{where}",
            )
        )
    return found


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


@dataclass(frozen=True)
class StoreState:
    """What a store holds: runs planned and stored, and the model code that stored them."""

    planned: int
    stored: int
    makers: list[dict]
    unattributed: int

    @property
    def mixed(self) -> bool:
        """Whether runs of more than one model code (or of unknown code) share the table."""
        known = sum(1 for m in self.makers if m["runs"])
        return known + (1 if self.unattributed else 0) > 1


def _connect(folder: Path) -> tuple[Path, sqlite3.Connection]:
    path = Path(folder) / FILENAME
    if not path.exists():
        raise InputError.single(
            str(path), "", "no results store here (run `treatysim sweep` with --out first)"
        )
    if not path.is_file():
        raise InputError.single(str(path), "", "is not a file; move it away first")
    return path, sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def store_state(folder: Path) -> StoreState:
    """How complete a store is and which model code stored its runs."""
    path, db = _connect(folder)
    try:
        return _state(db)
    except (sqlite3.DatabaseError, KeyError, ValueError) as err:
        raise InputError.single(str(path), "", f"cannot read the store: {err}") from None
    finally:
        db.close()


def _state(db: sqlite3.Connection) -> StoreState:
    planned = int(dict(db.execute("SELECT key, value FROM meta"))["runs"])
    stored = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    makers = session_makers(db)
    attributed = sum(m["runs"] for m in makers)
    return StoreState(planned, stored, makers, stored - attributed)


def results_table(folder: Path, table: str, with_session: bool = False):
    """A store's table as a DataFrame, ordered by run (and delegation).

    Args:
        folder: the sweep's folder.
        table: ``runs``, ``decisions``, ``points`` or ``sessions``.
        with_session: add a ``session`` column to ``runs`` or ``decisions``: which session
            stored the run (empty for runs stored before sessions were recorded).
    """
    return read_store(folder, table, with_session)[0]


def read_store(folder: Path, table: str, with_session: bool | None = False):
    """A table and the store's state, read in one transaction (one moment of a running sweep).

    Args:
        folder: the sweep's folder.
        table: as for :func:`results_table`.
        with_session: as for :func:`results_table`; None adds the column when runs of several
            model codes are mixed.

    Returns:
        (DataFrame, StoreState).
    """
    import pandas as pd

    path, db = _connect(folder)
    try:
        db.execute("BEGIN")  # a snapshot: a sweep writing meanwhile changes neither answer
        tables = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if table not in tables:
            asked = dict(db.execute("SELECT key, value FROM meta")).get("decisions") == "true"
            hint = {
                "decisions": " (the store is damaged: the sweep asked for decisions)"
                if asked
                else " (the sweep did not ask for decisions: outputs.decisions = true)",
                "points": " (only sampled designs have points: design = lhs, sobol or morris)",
                "sessions": " (the store is from before sessions were recorded)",
            }.get(table, "")
            raise InputError.single(str(path), "--table", f"no {table!r} table{hint}")
        state = _state(db)
        if with_session is None:
            with_session = state.mixed
        order = {"decisions": "run_index, delegation", "points": "point", "sessions": "session"}
        by = order.get(table, "run_index")
        if with_session and table in ("runs", "decisions") and "run_sessions" in tables:
            keys = ", ".join("t." + c for c in by.split(", "))
            query = (
                f"SELECT t.*, s.session FROM {table} t LEFT JOIN run_sessions s"
                f" ON s.run_index = t.run_index ORDER BY {keys}"
            )
        else:
            query = f"SELECT * FROM {table} ORDER BY {by}"
        return pd.read_sql_query(query, db), state
    except (sqlite3.DatabaseError, KeyError, ValueError) as err:
        raise InputError.single(str(path), "", f"cannot read the store: {err}") from None
    finally:
        db.close()


def writer(folder: Path) -> str | None:
    """Who is writing to the sweep's folder now (the lock's holder), or None."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux or macOS
        return None
    path = Path(folder) / LOCKNAME
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return handle.read().strip() or "another process"
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None
