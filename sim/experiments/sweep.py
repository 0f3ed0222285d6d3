"""Running an experiment into its results folder: store, manifest, executor, resume.

``run_sweep`` is what ``treatysim sweep`` does: load and check the experiment, open (or resume)
the results store, time one run, choose the workers (unless given) and a chunk size of about
half a second of work, record the session in the manifest, and run the remaining runs on the
chosen backend. The command line only reports.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sim.errors import InputError
from sim.experiments.experiment import Plan, load_experiment
from sim.experiments.runner import (
    InProcessExecutor,
    Interrupted,
    chunk_size_for,
    dask_executor,
    execute,
    process_pool,
    start_method,
    stop_pool,
    time_one_run,
)
from sim.experiments.store import FILENAME, Store
from sim.folders import check_parents, claim
from sim.provenance import code_identity, file_digest, manifest
from sim.results.files import write_text_atomically

#: Wall seconds a local pool adds to a sweep: starting its workers, their first scenarios, the
#: last chunk's wait and the shutdown — measured on 2 cores with the WCIT-12 scenario
#: (benchmarks/bench_sweep.py, docs/decisions.md). Forked workers start with everything
#: imported; spawned ones import Mesa, pandas and SciPy again.
POOL_START_SECONDS = {"fork": 0.15, "spawn": 1.0}


@dataclass(frozen=True)
class SweepReport:
    """What a sweep session did."""

    runs: int
    stored_before: int
    completed: int
    seconds: float
    store: Path


@contextmanager
def executor_for(workers: int, scheduler: str | None, dask_local: bool, plan: Plan | None = None):
    """The executor a sweep runs on: Dask, a process pool, or this process (one worker).

    A pool's workers are given ``plan`` when they start (its tasks then carry only run numbers
    and seeds); Dask tasks carry the plan. On an interruption or an error, pool workers are
    stopped at once.
    """
    if scheduler or dask_local:
        with dask_executor(scheduler, workers) as executor:
            yield executor
        return
    if workers == 1:
        yield InProcessExecutor()
        return
    pool = process_pool(workers, plan)
    try:
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform says)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows
        return os.cpu_count() or 1


def auto_workers(seconds: float, runs: int, cores: int, method: str) -> int:
    """Workers for a sweep left to choose: one per core, unless a pool would not pay for itself.

    A pool of ``n`` workers finishes ``seconds`` of one-core work in about ``seconds / n`` plus
    its start-up (``POOL_START_SECONDS``); when that is not shorter than ``seconds``, the runs
    are done in this process.

    Args:
        seconds: estimated one-core seconds of the remaining runs.
        runs: remaining runs (never more workers than runs).
        cores: cores available.
        method: how pool workers would start (``fork`` or ``spawn``).
    """
    workers = max(1, min(cores, runs))
    if workers == 1 or seconds / workers + POOL_START_SECONDS[method] >= seconds:
        return 1
    return workers


def run_sweep(
    experiment: Path,
    out: Path | None,
    workers: int | None,
    scheduler: str | None = None,
    dask_local: bool = False,
    progress: bool | None = None,
    announce: Callable[[str], None] = lambda message: None,
    allow_code_change: bool = False,
) -> SweepReport:
    """Run (or resume) an experiment's sweep into ``out``.

    ``workers`` None chooses: one per available core, or this process alone when the remaining
    runs are too little work for a pool's start-up to pay off (``auto_workers``); with Dask, one
    per available core. ``out`` None is ``results/<experiment file name without .toml>``.

    Everything that can be checked is checked before the folder is created; a sweep that fails
    after creating its store but before storing a run removes what it created.

    Raises:
        InputError: for a bad experiment or scheduler address, an unusable folder, a store of
            another experiment, or a store made by other model code (unless
            ``allow_code_change``).
        Interrupted: on Ctrl-C, with (runs stored in all, runs planned, store path).
    """
    if scheduler and dask_local:
        raise InputError.single("--scheduler", "", "give --scheduler or --dask-local, not both")
    if scheduler is not None:
        check_scheduler_address(scheduler)
    spec, plan, inputs = load_experiment(experiment)
    out = out if out is not None else default_folder(experiment)
    check_parents(out)
    if out.is_symlink() and not out.exists():
        raise InputError.single(
            str(out), "--out", "is a symbolic link to nothing; fix or remove it"
        )
    if out.exists() and not out.is_dir():
        raise InputError.single(str(out), "--out", "exists and is not a folder")
    made = _missing_folders(out)
    fresh = not (out / FILENAME).exists()
    if fresh:  # a new store goes only where it replaces nothing: never among inputs or outputs
        claim(out, "sweep", ("manifest.json",))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError.single(
            str(out), "--out", f"cannot create the folder: {err.strerror or err}"
        ) from None
    try:
        store = Store(out, plan)
    except BaseException:
        _remove_empty(made)
        raise
    written = False
    try:
        done = store.finished()
        stored = int(done.sum())
        if stored == plan.runs:
            return SweepReport(plan.runs, stored, 0, 0.0, store.path)
        earlier = out / "manifest.json"
        previous = _read_manifest(earlier) if not fresh and earlier.exists() else None
        identity = code_identity()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        store.begin(identity, started, allow_code_change)
        todo = plan.runs - stored
        dask = bool(scheduler or dask_local)
        chosen = workers is None
        seconds_per_run = time_one_run(plan) if chosen or not spec.chunk_size else 0.0
        method = start_method()
        if workers is None:
            cores = available_cores()
            workers = cores if dask else auto_workers(todo * seconds_per_run, todo, cores, method)
        backend = "dask" if dask else ("processes" if workers > 1 else "in-process")
        chunk = spec.chunk_size or chunk_size_for(plan, todo, workers, seconds_per_run)
        session = {
            "session": store.session,
            "started": started,
            "code": identity,
            "backend": backend,
            "workers": workers,
            "workers_chosen": chosen,
            "start_method": method if backend == "processes" else None,
            "chunk_size": chunk,
            "command": " ".join(["treatysim", *sys.argv[1:]]),
        }
        _record(out, experiment, spec, plan, inputs, session, previous)
        written = True
        how = f"processes ({method})" if backend == "processes" else backend
        why = (
            f" (chosen for about {todo * seconds_per_run:.1f} s of work on one core)"
            if chosen and not dask
            else ""
        )
        announce(
            f"{plan.runs} runs ({len(plan.points)} design points × {plan.replicates} replicates), "
            f"{stored} already stored; {how}, {workers} worker(s){why}, {chunk} runs per task"
        )
        start = time.perf_counter()
        try:
            with executor_for(workers, scheduler, dask_local, plan) as executor:
                completed = execute(
                    plan, store, executor, chunk, done, inflight=2 * workers, progress=progress
                )
        except Interrupted as stop:
            raise Interrupted(stored + stop.args[0], plan.runs, store.path) from None
        return SweepReport(plan.runs, stored, completed, time.perf_counter() - start, store.path)
    except (Exception, KeyboardInterrupt):
        with suppress(Exception):
            store.forget_session()  # a session that stored nothing leaves no record
        if fresh and _empty(store):
            store.discard(also=("manifest.json",) if written else ())
            _remove_empty(made)
        raise
    finally:
        store.close()


#: Address schemes treatysim connects to a Dask scheduler by; Dask knows more (below).
DASK_SCHEMES = ("tcp", "ws")
#: Why the other schemes Dask knows are not accepted.
OTHER_SCHEMES = {
    "tls": "needs a TLS security configuration, which treatysim does not pass",
    "wss": "needs a TLS security configuration, which treatysim does not pass",
    "inproc": "names a scheduler inside one Python process; --dask-local starts one here",
    "ucx": "needs Dask's UCX transport, which treatysim does not set up",
}


def check_scheduler_address(address: str) -> None:
    """Refuse what cannot be a Dask scheduler address (before anything is created).

    Raises:
        InputError: naming the address and the form expected.
    """
    from urllib.parse import urlsplit

    expected = "expected tcp://HOST:PORT (or ws://HOST:PORT)"
    problem = None
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:
        parts, port, problem = None, None, "the port is not a number from 0 to 65535"
    if problem is None and parts is not None:
        if not address.strip():
            problem = "is empty"
        elif not parts.scheme or "://" not in address:
            problem = "not an address"
        elif parts.scheme == "http" or parts.scheme == "https":
            problem = (
                "an http address is the scheduler's dashboard, not the scheduler "
                "(that is usually tcp://HOST:8786)"
            )
        elif parts.scheme in OTHER_SCHEMES:
            problem = f"{parts.scheme}:// {OTHER_SCHEMES[parts.scheme]}"
        elif parts.scheme not in DASK_SCHEMES:
            problem = f"unknown scheme {parts.scheme!r}"
        elif parts.username is not None or parts.password is not None:
            problem = "a user or password in the address is not supported"
        elif not parts.hostname or port is None:
            problem = "needs a host and a port"
        elif parts.path not in ("", "/") or parts.query or parts.fragment:
            problem = "has a path, query or fragment, which a scheduler address cannot"
    if problem is not None:
        raise InputError.single("--scheduler", address, f"{problem}; {expected}")


def default_folder(experiment: Path) -> Path:
    """Where a sweep goes without ``--out``: ``results/<experiment file name without .toml>``."""
    return Path("results") / experiment.stem


def _missing_folders(out: Path) -> list[Path]:
    """The folders ``out.mkdir(parents=True)`` would create, deepest first."""
    missing = []
    folder = out
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _empty(store: Store) -> bool:
    """Whether an open store holds no run (a store that cannot be read is not called empty)."""
    try:
        return not store.finished().any()
    except Exception:
        return False


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders a sweep created, deepest first, as long as they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            break


def _record(
    out: Path,
    experiment: Path,
    spec,
    plan,
    inputs: list[Path],
    session: dict,
    previous: dict | None,
) -> None:
    """Write the sweep's manifest, or add this session to ``previous`` when resuming."""
    path = out / "manifest.json"
    if previous is not None:
        record = previous
        record.setdefault("sessions", []).append(session)
    else:
        record = manifest(
            kind="sweep",
            experiment_file=str(experiment),
            experiment=spec.model_dump(mode="json"),
            fingerprint=plan.key,
            runs=plan.runs,
            design_columns=list(plan.columns),
            metrics=list(plan.metrics),
            seeds="numpy SeedSequence([master_seed, run_index]).generate_state(1)[0]",
            inputs=[{"path": str(f), "sha256": file_digest(f)} for f in [experiment, *inputs]],
            sessions=[session],
        )
    try:
        write_text_atomically(path, json.dumps(record, indent=2, default=str) + "\n")
    except OSError as err:
        raise InputError.single(str(path), "", f"cannot write: {err.strerror or err}") from None


def _read_manifest(path: Path) -> dict:
    """A sweep's manifest, to add a session to; a damaged one is refused with what to do."""
    remedy = (
        "; the results store is unaffected: move manifest.json away and run the sweep again to "
        "start a new manifest (the old sessions stay in the store)"
    )
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError.single(str(path), "", "is not UTF-8 text" + remedy) from None
    except ValueError as err:
        raise InputError.single(
            str(path), "", f"is not valid JSON (line {err.lineno}){remedy}"
        ) from None
    except OSError as err:
        raise InputError.single(str(path), "", f"cannot read: {err.strerror or err}") from None
    if not isinstance(record, dict) or not isinstance(record.get("sessions", []), list):
        raise InputError.single(str(path), "", "is not a sweep's manifest" + remedy)
    return record
