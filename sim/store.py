"""The crash-safe results store of a sweep: one SQLite file in WAL mode.

Tables: ``runs`` (``run_index``, ``replicate``, ``seed``, one column per design column, one per
metric), ``decisions`` (``run_index``, ``delegation``, ``decision``; only when asked for),
``points`` (a sampled design's unit coordinates: ``point`` and one column per sampled factor)
and ``meta`` (the plan's fingerprint and layout). Each finished chunk is written in one
transaction, so a sweep killed at any moment loses only the chunks not yet written, and the
primary keys make duplicates impossible. A store made for another experiment is refused.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np

from sim.errors import InputError
from sim.experiment import Plan

FILENAME = "results.sqlite"


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
        self.path = Path(folder) / FILENAME
        self.plan = plan
        fresh = not self.path.exists()
        self.db = sqlite3.connect(self.path, isolation_level=None)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as err:
            self.db.close()
            raise InputError.single(
                str(self.path), "", f"not a treatysim results store: {err}"
            ) from None
        if fresh:
            self._create()
        else:
            self._check()

    # --- layout ----------------------------------------------------------------------------

    def _create(self) -> None:
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
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self.db.execute(f"CREATE TABLE runs ({columns})")
            if plan.decisions:
                self.db.execute(
                    "CREATE TABLE decisions (run_index INTEGER NOT NULL, delegation TEXT NOT NULL,"
                    " decision TEXT NOT NULL, PRIMARY KEY (run_index, delegation)) WITHOUT ROWID"
                )
            if plan.unit:
                coordinates = ", ".join(f"{_quote(c)} REAL NOT NULL" for c in plan.sampled)
                self.db.execute(f"CREATE TABLE points (point INTEGER PRIMARY KEY, {coordinates})")
                marks = ", ".join("?" * (1 + len(plan.sampled)))
                self.db.executemany(
                    f"INSERT INTO points VALUES ({marks})",
                    [(i, *row) for i, row in enumerate(plan.unit)],
                )
            self.db.executemany(
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
        """Close the connection (and fold the WAL back into the file)."""
        self.db.close()


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
