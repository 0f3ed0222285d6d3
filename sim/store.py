"""The crash-safe results store of a sweep: one SQLite file in WAL mode.

Tables: ``runs`` (``run_index``, ``replicate``, ``seed``, one column per design column, one per
metric), ``decisions`` (``run_index``, ``delegation``, ``decision``; only when asked for),
``points`` (a sampled design's unit coordinates: ``point`` and one column per sampled factor)
and ``meta`` (the plan's fingerprint and layout). Each finished chunk is written in one
transaction, so a sweep killed at any moment loses only the chunks not yet written, and the
primary keys make duplicates impossible. A store made for another experiment is refused.

The store is created whole: its tables are built in a side file that is renamed into place, so a
kill during creation leaves either no store or a complete empty one. One sweep at a time writes
to a folder: the writer holds an exclusive lock on ``.treatysim.lock`` (released by the system
if the process dies), and a second sweep is told who holds it. The store is in WAL mode only
while a sweep writes; closing it returns it to a single file, so reading it leaves nothing
beside it.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from sim.errors import InputError
from sim.experiment import Plan

FILENAME = "results.sqlite"
LOCKNAME = ".treatysim.lock"
CREATING = ".results.sqlite.creating"


def _lock(folder: Path):
    """Hold the folder's writer lock, or say who holds it.

    Returns:
        The open lock file (the lock lasts as long as it is open), or None where the platform
        has no ``fcntl``.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux or macOS
        return None
    path = folder / LOCKNAME
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until the store closes
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise InputError.single(
            str(folder),
            "--out",
            f"another sweep is writing to this folder ({holder}); wait for it to finish, "
            "or give another --out",
        ) from None
    handle.seek(0)
    handle.truncate()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    handle.write(f"pid {os.getpid()} on {socket.gethostname()}, since {started}\n")
    handle.flush()
    return handle


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cell(value):
    """A design value as SQLite stores it: numbers and text as they are, anything else as JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, sort_keys=True)


class Store:
    """A sweep's results, opened for writing by the one process that runs the sweep.

    Args:
        folder: the output folder; the store is ``folder/results.sqlite``.
        plan: the plan whose results it holds; an existing store must have been made for it.
    """

    def __init__(self, folder: Path, plan: Plan):
        folder = Path(folder)
        self.path = folder / FILENAME
        self.plan = plan
        self._lock = _lock(folder)
        try:
            if not self.path.exists():
                self._create(folder)
            self.db = self._open()
            self._check()
        except BaseException:
            self._release()
            raise

    def _open(self) -> sqlite3.Connection:
        if self.path.is_dir() or (self.path.exists() and not self.path.is_file()):
            raise InputError.single(str(self.path), "", "is not a file; move it away first")
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as err:
            db.close()
            raise InputError.single(
                str(self.path), "", f"not a treatysim results store: {err}"
            ) from None
        return db

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    # --- layout ----------------------------------------------------------------------------

    def _create(self, folder: Path) -> None:
        """Build an empty store in a side file and rename it into place."""
        side = folder / CREATING
        for stale in (side, side.with_name(side.name + "-journal")):
            stale.unlink(missing_ok=True)  # left by a creation that was killed
        db = sqlite3.connect(side, isolation_level=None)
        try:
            self._build(db)
        finally:
            db.close()
        os.replace(side, self.path)

    def _build(self, db: sqlite3.Connection) -> None:
        plan = self.plan
        design = [f"{_quote(c)}" for c in plan.columns]
        metric_types = {
            "treaty_adopted": "INTEGER",
            "n_adopted": "INTEGER",
            "rounds_used": "INTEGER",
            "signed": "INTEGER",
            "refused": "INTEGER",
            "deferred": "INTEGER",
        }
        metrics = [f"{_quote(m)} {metric_types.get(m, 'REAL')}" for m in plan.metrics]
        columns = ", ".join(
            [
                "run_index INTEGER PRIMARY KEY",
                "replicate INTEGER NOT NULL",
                "seed INTEGER NOT NULL",
                *design,
                *metrics,
            ]
        )
        with db:
            db.execute("BEGIN")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute(f"CREATE TABLE runs ({columns})")
            if plan.decisions:
                db.execute(
                    "CREATE TABLE decisions (run_index INTEGER NOT NULL, delegation TEXT NOT NULL,"
                    " decision TEXT NOT NULL, PRIMARY KEY (run_index, delegation)) WITHOUT ROWID"
                )
            if plan.unit:
                coordinates = ", ".join(f"{_quote(c)} REAL NOT NULL" for c in plan.sampled)
                db.execute(f"CREATE TABLE points (point INTEGER PRIMARY KEY, {coordinates})")
                marks = ", ".join("?" * (1 + len(plan.sampled)))
                db.executemany(
                    f"INSERT INTO points VALUES ({marks})",
                    [(i, *row) for i, row in enumerate(plan.unit)],
                )
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("fingerprint", plan.key),
                    ("design", plan.design),
                    ("runs", str(plan.runs)),
                    ("columns", json.dumps(plan.columns)),
                    ("metrics", json.dumps(plan.metrics)),
                    ("decisions", json.dumps(plan.decisions)),
                ],
            )

    def _check(self) -> None:
        try:
            meta = dict(self.db.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as err:
            self.db.close()
            raise InputError.single(
                str(self.path), "", f"not a treatysim results store: {err}"
            ) from None
        if meta.get("fingerprint") != self.plan.key:
            self.db.close()
            raise InputError.single(
                str(self.path),
                "",
                "holds the results of a different experiment or scenario; resuming would mix them."
                " Use another --out folder, or delete this one to start again",
            )

    # --- progress ----------------------------------------------------------------------------

    def finished(self) -> np.ndarray:
        """(runs,) boolean: which runs are already stored."""
        done = np.zeros(self.plan.runs, dtype=bool)
        for (index,) in self.db.execute("SELECT run_index FROM runs"):
            done[index] = True
        return done

    def write(self, rows: list[tuple], decisions: list[tuple]) -> None:
        """Store one chunk's runs (and decisions) in a single transaction."""
        width = 3 + len(self.plan.columns) + len(self.plan.metrics)
        marks = ", ".join("?" * width)
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                f"INSERT INTO runs VALUES ({marks})", [tuple(_cell(v) for v in row) for row in rows]
            )
            if decisions:
                self.db.executemany("INSERT INTO decisions VALUES (?, ?, ?)", decisions)

    def close(self) -> None:
        """Fold the WAL back into the file, return to a single file, close, and unlock."""
        try:
            self.db.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.DatabaseError:
            pass  # another reader holds it open; the WAL is folded in when it closes
        finally:
            self.db.close()
            self._release()


def results_table(folder: Path, table: str):
    """A store's table as a DataFrame, ordered by run (and delegation)."""
    import pandas as pd

    path = Path(folder) / FILENAME
    if not path.exists():
        raise InputError.single(
            str(path), "", "no results store here (run `treatysim sweep` with --out first)"
        )
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if table not in tables:
            hint = {
                "decisions": " (the sweep did not ask for decisions: outputs.decisions = true)",
                "points": " (only sampled designs have points: design = lhs, sobol or morris)",
            }.get(table, "")
            raise InputError.single(str(path), "--table", f"no {table!r} table{hint}")
        order = {"decisions": "run_index, delegation", "points": "point"}.get(table, "run_index")
        return pd.read_sql_query(f"SELECT * FROM {table} ORDER BY {order}", db)
    except sqlite3.DatabaseError as err:
        raise InputError.single(str(path), "", f"cannot read the store: {err}") from None
    finally:
        db.close()
