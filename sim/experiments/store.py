"""The crash-safe results store of a sweep: one SQLite file in WAL mode.

Tables: ``runs`` (``run_index``, ``replicate``, ``seed``, one column per design column, one per
metric), ``decisions`` (``run_index``, ``delegation``, ``decision``; only when asked for),
``points`` (a sampled design's unit coordinates: ``point`` and one column per sampled factor),
``sessions`` (one row per sweep session that ran: when, and what model code — version, commit,
source digest), ``run_sessions`` (which session stored each run) and ``meta`` (the plan's
fingerprint and layout). Each finished chunk is written in one
transaction, so a sweep killed at any moment loses only the chunks not yet written, and the
primary keys make duplicates impossible. A store made for another experiment is refused.

The store is created whole: its tables are built in a side file that is renamed into place, so a
kill during creation leaves either no store or a complete empty one. One sweep at a time writes
to a folder: the writer holds an exclusive lock on ``.treatysim.lock`` (released by the system
if the process dies), and a second sweep is told who holds it. The store is in WAL mode only
while a sweep writes; closing it returns it to a single file, so reading it leaves nothing
beside it.

A store holds the results of one model: resuming with different model code (another version or
another source digest, see ``sim.provenance.code_identity``) is refused unless asked for
explicitly, and then every run still says which session, and so which code, stored it.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from sim.errors import InputError
from sim.experiments.experiment import Plan
from sim.provenance import describe_code

FILENAME = "results.sqlite"
LOCKNAME = ".treatysim.lock"
CREATING = ".results.sqlite.creating"

#: The session table's identity columns, as ``sim.provenance.code_identity`` names them.
IDENTITY = ("treatysim", "source", "commit", "dirty")
SESSIONS = (
    "CREATE TABLE IF NOT EXISTS sessions (session INTEGER PRIMARY KEY, started TEXT NOT NULL,"
    ' treatysim TEXT, source TEXT, "commit" TEXT, dirty INTEGER, runs_before INTEGER NOT NULL,'
    " runs_after INTEGER)"
)
RUN_SESSIONS = (
    "CREATE TABLE IF NOT EXISTS run_sessions (run_index INTEGER PRIMARY KEY,"
    " session INTEGER NOT NULL) WITHOUT ROWID"
)


#: Lock files this process holds open. A forked child (a sweep's pool worker) closes its copies at
#: once: a lock lasts while any process has the file open, and a worker outliving a killed sweep
#: must not keep the folder locked.
_HELD: set = set()


def _forget_locks() -> None:
    for handle in list(_HELD):
        with suppress(OSError):
            handle.close()
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks)


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
    _HELD.add(handle)
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
        self.session: int | None = None
        self._closed = False
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
            text = str(err)
            if "readonly" in text:
                reason = "is read-only, and a sweep writes to its store; make it writable"
            elif "unable to open" in text:
                reason = (
                    "cannot be opened for writing (is its folder writable? SQLite writes a "
                    "journal beside the store)"
                )
            else:
                reason = f"not a treatysim results store: {text}"
            raise InputError.single(str(self.path), "", reason) from None
        return db

    def _release(self) -> None:
        if self._lock is not None:
            _HELD.discard(self._lock)
            self._lock.close()
            self._lock = None

    # --- layout ----------------------------------------------------------------------------

    def _create(self, folder: Path) -> None:
        """Build an empty store in a side file and rename it into place."""
        side = folder / CREATING
        for stale in (side, side.with_name(side.name + "-journal")):
            stale.unlink(missing_ok=True)  # left by a creation that was killed
        try:
            db = sqlite3.connect(side, isolation_level=None)
            try:
                self._build(db)
            finally:
                db.close()
            os.replace(side, self.path)
        except BaseException:
            for partial in (side, side.with_name(side.name + "-journal")):
                with suppress(OSError):
                    partial.unlink(missing_ok=True)
            raise

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
            db.execute(SESSIONS)
            db.execute(RUN_SESSIONS)
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
        damage = self._damage()
        if damage:
            self.db.close()
            raise InputError.single(
                str(self.path),
                "",
                f"is damaged ({damage}); move it away and run the sweep again to start afresh",
            )

    def _damage(self) -> str | None:
        """What in the store's layout does not match its plan, or None."""
        plan = self.plan
        expected = {
            "runs": ["run_index", "replicate", "seed", *plan.columns, *plan.metrics],
            "sessions": [
                "session",
                "started",
                *IDENTITY,
                "runs_before",
                "runs_after",
            ],
            "run_sessions": ["run_index", "session"],
        }
        if plan.decisions:
            expected["decisions"] = ["run_index", "delegation", "decision"]
        if plan.unit:
            expected["points"] = ["point", *plan.sampled]
        try:
            tables = {
                name
                for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            for table, columns in expected.items():
                if table not in tables:
                    if table in ("sessions", "run_sessions"):
                        continue  # a store from before sessions were recorded
                    return f"no {table} table"
                found = [row[1] for row in self.db.execute(f"PRAGMA table_info({_quote(table)})")]
                if found != columns:
                    return f"the {table} table's columns are not the ones this sweep writes"
            low, high = self.db.execute(
                "SELECT MIN(run_index), MAX(run_index) FROM runs"
            ).fetchone()
        except sqlite3.DatabaseError as err:
            return str(err)
        if low is not None and (low < 0 or high >= plan.runs):
            return f"run numbers outside the plan's 0–{plan.runs - 1}"
        return None

    # --- sessions ----------------------------------------------------------------------------

    def begin(self, identity: dict, started: str, allow_code_change: bool = False) -> None:
        """Record a session of ``identity``'s code, refusing to mix models unless allowed.

        A store whose runs were all stored by other code (another version or source digest, or
        code the store cannot name: runs from before sessions were recorded, or whose session
        is gone) is refused, since its table would then hold the results of two models;
        ``allow_code_change`` accepts that, and the runs stay attributable to their sessions.
        Code that has stored runs here before goes on without asking again.

        Raises:
            InputError: naming the code that stored the runs and the code running now.
        """
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(SESSIONS)
            self.db.execute(RUN_SESSIONS)
        stored = self.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        makers = session_makers(self.db)
        key = (identity.get("treatysim"), identity.get("source"))
        mine = sum(m["runs"] for m in makers if (m["treatysim"], m["source"]) == key)
        if stored and not mine and not allow_code_change:
            unknown = stored - sum(m["runs"] for m in makers)
            then = [f"{m['runs']} by {describe_code(m)}" for m in makers if m["runs"]]
            if unknown:
                then.append(f"{unknown} by an earlier treatysim that did not record its version")
            self.close()
            raise InputError.single(
                str(self.path),
                "",
                f"its {stored} stored runs were made by other model code ({'; '.join(then)}),"
                " and this is "
                f"{describe_code(identity)}: resuming would put the results of two versions of "
                "the model in one table. Use another --out folder, or pass --allow-code-change "
                "to resume anyway (export then shows which session stored each run)",
            )
        with self.db:
            self.db.execute("BEGIN")
            cursor = self.db.execute(
                'INSERT INTO sessions (started, treatysim, source, "commit", dirty, runs_before)'
                " VALUES (?, ?, ?, ?, ?, ?)",
                (started, *(identity.get(k) for k in IDENTITY), stored),
            )
        self.session = cursor.lastrowid

    def forget_session(self) -> None:
        """Remove this session's record if it stored no run (its start failed)."""
        if self.session is None:
            return
        with self.db:
            self.db.execute("BEGIN")
            (wrote,) = self.db.execute(
                "SELECT COUNT(*) FROM run_sessions WHERE session = ?", (self.session,)
            ).fetchone()
            if not wrote:
                self.db.execute("DELETE FROM sessions WHERE session = ?", (self.session,))
        if not wrote:
            self.session = None

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
            if self.session is not None:
                self.db.executemany(
                    "INSERT OR REPLACE INTO run_sessions VALUES (?, ?)",
                    [(row[0], self.session) for row in rows],
                )

    def discard(self, also: tuple[str, ...] = ()) -> None:
        """Delete this store, which holds no run, with ``also`` (names in its folder), and unlock.

        For a first session that failed before storing anything: the folder is left as it was
        before the sweep. Files are removed while the lock is still held.
        """
        if self._closed:
            return
        self._closed = True
        self.db.close()
        folder = self.path.parent
        for name in (FILENAME, f"{FILENAME}-wal", f"{FILENAME}-shm", *also, LOCKNAME):
            with suppress(OSError):
                (folder / name).unlink(missing_ok=True)
        self._release()

    def close(self) -> None:
        """Fold the WAL back into the file, return to a single file, close, and unlock."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.session is not None:
                with self.db:
                    self.db.execute(
                        "UPDATE sessions SET runs_after = (SELECT COUNT(*) FROM runs)"
                        " WHERE session = ?",
                        (self.session,),
                    )
                self.session = None
            self.db.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.DatabaseError:
            pass  # another reader holds it open; the WAL is folded in when it closes
        finally:
            self.db.close()
            self._release()


def session_makers(db: sqlite3.Connection) -> list[dict]:
    """Each distinct model code that ran sessions on a store, with the runs it stored."""
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "sessions" not in tables:
        return []
    counted = "run_sessions" in tables
    runs = (
        "(SELECT COUNT(*) FROM run_sessions r JOIN runs USING (run_index)"
        " JOIN sessions t ON r.session = t.session"
        " WHERE t.treatysim IS s.treatysim AND t.source IS s.source)"
        if counted
        else "0"
    )
    query = (
        f'SELECT s.treatysim, s.source, MAX(s."commit"), MAX(s.dirty), {runs}'
        " FROM sessions s GROUP BY s.treatysim, s.source ORDER BY MIN(s.session)"
    )
    return [
        dict(zip(("treatysim", "source", "commit", "dirty", "runs"), row, strict=True))
        for row in db.execute(query)
    ]
