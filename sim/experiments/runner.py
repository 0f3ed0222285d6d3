"""Running a plan's runs in chunks on any ``concurrent.futures.Executor``.

The same loop drives an in-process executor (one worker), a local process pool, and a Dask
cluster (``Client.get_executor()``). Seeds are fixed by the plan before work is sent out, each
task is a chunk of consecutive runs (about half a second of work), workers keep their imported
modules and a few built scenarios across chunks, and they return compact rows — never models.
A local pool is given the plan once, when its workers start, and its tasks carry only run
numbers and seeds (a sampled design's plan can be megabytes); on Linux its workers are forked
from the sweeping process, so they start in milliseconds with everything imported. The parent
writes each finished chunk to a sink (the results store, or memory) as it arrives and keeps
only a bounded number of chunks in flight, so memory does not grow with the number of runs.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections import OrderedDict
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from tqdm import tqdm

from sim.experiments.experiment import Plan
from sim.model.mechanisms.signing import DECISIONS
from sim.run import run_conference

TASK_SECONDS = 0.5  # aim for at least this much work per task
_SCENARIOS: OrderedDict = OrderedDict()  # per worker: (plan key, design point) → Scenario
_CACHE_SIZE = 8
_PLAN: Plan | None = None  # per pool worker: the plan its pool was made for


@dataclass
class ChunkResult:
    """What a worker sends back for one chunk."""

    rows: list[tuple]
    decisions: list[tuple]
    seconds: float
    provisions: list[tuple] = field(default_factory=list)


class Sink(Protocol):
    """Where finished chunks go."""

    def write(self, rows: list[tuple], decisions: list[tuple]) -> None:
        """Keep one chunk's rows."""


@dataclass
class MemorySink:
    """Keeps all rows in memory (for comparisons, which are small)."""

    rows: list[tuple] = field(default_factory=list)
    decisions: list[tuple] = field(default_factory=list)
    provisions: list[tuple] = field(default_factory=list)

    def write(self, rows: list[tuple], decisions: list[tuple]) -> None:
        """Keep one chunk's rows."""
        self.rows.extend(rows)
        self.decisions.extend(decisions)

    def write_provisions(self, provisions: list[tuple]) -> None:
        """Keep one chunk's agreed texts."""
        self.provisions.extend(provisions)


class Interrupted(Exception):
    """The user pressed Ctrl-C; what was finished is kept."""


def _scenario(plan: Plan, point: int):
    key = (plan.key, point)
    scenario = _SCENARIOS.get(key)
    if scenario is None:
        scenario = plan.scenario(point)
        _SCENARIOS[key] = scenario
        while len(_SCENARIOS) > _CACHE_SIZE:
            _SCENARIOS.popitem(last=False)
    else:
        _SCENARIOS.move_to_end(key)
    return scenario


def run_chunk(plan: Plan, indices: list[int], seeds: list[int]) -> ChunkResult:
    """Run consecutive runs of a plan (the task every worker executes)."""
    start = time.perf_counter()
    rows, decisions, provisions = [], [], []
    for index, seed in zip(indices, seeds, strict=True):
        point, replicate = divmod(index, plan.replicates)
        scenario = _scenario(plan, point)
        outcome = run_conference(scenario, seed)
        metrics = outcome.metrics
        rows.append(
            (index, replicate, seed, *plan.points[point], *(metrics[m] for m in plan.metrics))
        )
        if plan.decisions:
            ids = scenario.arrays.delegation_ids
            decisions.extend(
                (index, ids[i], DECISIONS[c]) for i, c in enumerate(outcome.decision_codes)
            )
        if plan.provisions:
            a = scenario.arrays
            provisions.extend(
                (index, pid, bool(outcome.adopted[c]), float(outcome.package[c]))
                for c, pid in enumerate(a.provision_ids)
            )
    return ChunkResult(rows, decisions, time.perf_counter() - start, provisions)


def run_given_chunk(indices: list[int], seeds: list[int]) -> ChunkResult:
    """Run consecutive runs of the plan this pool worker was given when it started."""
    if _PLAN is None:
        raise RuntimeError("this worker was started without a plan")
    return run_chunk(_PLAN, indices, seeds)


# --- executors -----------------------------------------------------------------------------------


class InProcessExecutor(Executor):
    """Runs each task at once, in this process (one worker, no start-up cost)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        """Run ``fn`` now and return its finished future."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as err:  # the caller sees it through future.result()
            future.set_exception(err)
        return future


def _start_worker(parent: int, plan: Plan | None = None) -> None:
    """Prepare a pool worker: Ctrl-C is the parent's to handle, and a dead parent ends the worker.

    A worker whose parent is killed (SIGKILL gives the parent no chance to stop it) would
    otherwise wait forever for work; a watchdog thread notices the new parent id and exits.
    The parent's id comes from the parent itself: a worker still importing when the parent
    dies would otherwise take its new parent (init) for the one to watch, and never exit.
    The worker keeps ``plan`` for its tasks, and its BLAS uses one thread (a forked worker
    inherits the parent's BLAS threads, which the environment variables no longer change).
    """
    global _PLAN
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's stop, not an interruption
    _PLAN = plan
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings it
        pass
    else:
        threadpool_limits(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def start_method() -> str:
    """How pool workers start: ``fork`` on Linux when no other Python thread runs, else ``spawn``.

    A forked worker starts in milliseconds with every module imported and the first scenario
    built; a spawned one starts a new interpreter and imports Mesa, pandas and SciPy again
    (about 0.8 s of a core each). Forking is unsafe while another thread may hold a lock (a
    progress bar, a Dask client, a notebook kernel), so then, and on macOS (where system
    libraries do not survive a fork) and Windows, workers are spawned. Which method started
    the workers never changes the results: every run's seed is fixed by the plan.
    """
    if sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    return "spawn"


class PlanPool(ProcessPoolExecutor):
    """A process pool whose workers hold one plan, given to each when it started."""

    def __init__(self, workers: int, plan: Plan | None, method: str):
        super().__init__(
            max_workers=workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(os.getpid(), plan),
        )
        self.plan = plan
        self.start_method = method


def process_pool(
    workers: int, plan: Plan | None = None, method: str | None = None
) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, started now and kept alive for the whole sweep.

    Args:
        workers: processes.
        plan: given to each worker once, so tasks need not carry it (see ``execute``).
        method: ``fork`` or ``spawn``; default ``start_method()``.

    The workers start before this returns — before a progress bar starts its thread — and
    ignore Ctrl-C from their first instant (the parent stops them). BLAS is limited to one
    thread per worker.
    """
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    method = method or start_method()
    pool = PlanPool(workers, plan, method)
    main = threading.current_thread() is threading.main_thread()
    handler = signal.getsignal(signal.SIGINT) if main else None
    if handler is not None:  # None: a handler not set from Python, or not the main thread
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns on fork() when the process has other threads, native ones
            # included. start_method() forks only when no other Python thread exists; the
            # native ones are BLAS thread pools, which OpenBLAS stops and restarts around fork.
            warnings.filterwarnings(
                "ignore", message=r".*multi-threaded, use of fork\(\)", category=DeprecationWarning
            )
            for _ in range(workers):  # a fork pool starts all at once; spawn one per task
                pool.submit(int)
    finally:
        if handler is not None:
            signal.signal(signal.SIGINT, handler)
    return pool


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and stop the workers now (after Ctrl-C or an error)."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public API before 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


@contextmanager
def dask_executor(address: str | None, workers: int):
    """An executor on a Dask cluster: at ``address``, or a ``LocalCluster`` of ``workers``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        from sim.errors import InputError

        raise InputError.single(
            "--scheduler" if address else "--dask-local",
            "",
            "Dask is not installed; install the extra: pip install 'treatysim[distributed]'",
        ) from None
    cluster = None
    if address is None:
        # A Ctrl-C while the cluster starts would leave it half-built for Dask's exit hook, which
        # fails on it with a traceback: the interruption is held until the cluster is up, and
        # the cluster is then closed in order.
        # The local workers log only errors: a sweep stopped on purpose cancels their tasks,
        # which Dask would otherwise report line by line. A user's own setting wins.
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
        with _deferred_interrupt() as caught:
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        if caught:
            client.close()
            cluster.close()
            raise KeyboardInterrupt
        # The cluster's processes were started with Ctrl-C blocked (see _deferred_interrupt)
        # and keep it blocked: the sweep stops them, so a Ctrl-C prints no worker tracebacks.
    else:
        try:
            client = Client(address, timeout=10)
        except (OSError, ValueError, TypeError) as err:
            from sim.errors import InputError

            raise InputError.single(
                "--scheduler", address, f"cannot reach the Dask scheduler: {err}"
            ) from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextmanager
def _deferred_interrupt():
    """Hold Ctrl-C for the duration; yields a list that is non-empty if one came.

    Where the platform can, Ctrl-C is blocked rather than caught: processes started meanwhile
    inherit the block (across exec too) and never see a Ctrl-C meant for the sweep, while this
    process receives it when the block ends.
    """
    caught: list[int] = []
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if main else None
    if previous is not None:
        signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    blocking = previous is not None and hasattr(signal, "pthread_sigmask")
    if blocking:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield caught
    finally:
        if blocking:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a held one lands now
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def chunk_size_for(plan: Plan, todo: int, workers: int, seconds_per_run: float) -> int:
    """Runs per task: about ``TASK_SECONDS`` of work, but enough tasks to keep workers busy."""
    by_time = max(1, math.ceil(TASK_SECONDS / max(seconds_per_run, 1e-6)))
    by_spread = max(1, math.ceil(todo / (4 * workers)))
    return min(by_time, by_spread)


def time_one_run(plan: Plan) -> float:
    """Seconds of one run of the first design point (after building its scenario)."""
    scenario = _scenario(plan, 0)
    start = time.perf_counter()
    run_conference(scenario, plan.seed(0))
    return time.perf_counter() - start


# --- the loop ------------------------------------------------------------------------------------


def execute(
    plan: Plan,
    sink: Sink,
    executor: Executor,
    chunk_size: int,
    done: np.ndarray | None = None,
    inflight: int = 4,
    progress: bool | None = None,
) -> int:
    """Run every run not yet ``done`` and hand each finished chunk to ``sink``.

    Args:
        plan: the runs.
        sink: receives each chunk's rows as it finishes.
        executor: where chunks run.
        chunk_size: runs per task.
        done: (runs,) boolean, runs already stored (skipped).
        inflight: chunks submitted ahead of the results written.
        progress: show a progress bar (None: only on a terminal).

    Returns:
        The number of runs completed by this call.

    Raises:
        Interrupted: on Ctrl-C, after the chunks already written are safe.
    """
    done = np.zeros(plan.runs, dtype=bool) if done is None else done
    todo = np.flatnonzero(~done)
    completed = 0
    bar = tqdm(
        total=plan.runs,
        initial=int(done.sum()),
        unit="run",
        disable=None if progress is None else not progress,  # None: only on a terminal
        dynamic_ncols=True,
    )
    pending: set[Future] = set()

    def collect(finished) -> None:
        nonlocal completed
        for future in finished:
            result = future.result()
            sink.write(result.rows, result.decisions)
            if result.provisions:
                sink.write_provisions(result.provisions)
            completed += len(result.rows)
            bar.update(len(result.rows))

    given = isinstance(executor, PlanPool) and executor.plan is plan

    def submit(indices: list[int], seeds: list[int]) -> Future:
        if given:
            return executor.submit(run_given_chunk, indices, seeds)
        return executor.submit(run_chunk, plan, indices, seeds)

    try:
        for start in range(0, len(todo), chunk_size):
            indices = [int(i) for i in todo[start : start + chunk_size]]
            seeds = [plan.seed(i) for i in indices]
            pending.add(submit(indices, seeds))
            if len(pending) >= inflight:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                collect(finished)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            collect(finished)
    except KeyboardInterrupt:
        for future in pending:
            future.cancel()
        raise Interrupted(completed) from None
    finally:
        bar.close()
    return completed
