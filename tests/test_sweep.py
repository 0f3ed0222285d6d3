"""Sweeps: experiment validation, backends agree, the store survives kills, export, refusal of mixing."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from sim.experiments.experiment import load_experiment
from tests.conftest import CLASSROOM, ROOT

runner = CliRunner()

SMALL = f"""
name = "small"
scenario = "{CLASSROOM}"
replicates = 3
master_seed = 7
[factors]
"process.openness.access" = [0.0, 1.0]
"process.decision_rule" = ["consensus", "majority"]
[outputs]
decisions = true
"""


def write(tmp_path, text, name="experiment.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def sweep(*args):
    result = runner.invoke(app, ["sweep", *map(str, args), "--no-progress"])
    assert "Traceback" not in result.stdout + result.stderr
    return result


def runs(folder):
    with closing(sqlite3.connect(folder / "results.sqlite")) as db:
        return pd.read_sql_query("SELECT * FROM runs ORDER BY run_index", db)


# --- the plan ------------------------------------------------------------------------------


def test_plan_numbers_runs_point_by_point_with_seeds_from_the_master_seed(tmp_path):
    import numpy as np

    _, plan, _ = load_experiment(write(tmp_path, SMALL))
    assert plan.runs == 12 and len(plan.points) == 4
    assert plan.points[1] == (0.0, "majority")  # the last factor varies fastest
    assert plan.seed(5) == int(np.random.SeedSequence([7, 5]).generate_state(1)[0])
    assert len({plan.seed(i) for i in range(plan.runs)}) == plan.runs


RULES = '"process.decision_rule" = ["consensus", "majority"]'
ACCESS = '"process.openness.access" = [0.0, 1.0]'


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            RULES,
            '"process.decision_rule" = ["consensus", "plurality"]',
            "factors.process.decision_rule = 'plurality'",
            "process.decision_rule: Input should be",
        ),
        (
            ACCESS,
            '"process.openness.acess" = [0.0, 1.0]',
            "factors.process.openness.acess = 0.0",
            "unknown key",
        ),
        (
            ACCESS,
            '"process.openness.access" = []',
            "factors.process.openness.access",
            "needs at least one value",
        ),
        (
            ACCESS,
            '"process.rounds" = [5, 0]',
            "factors.process.rounds = 0",
            "greater than or equal to 1",
        ),
        (
            ACCESS,
            '"delegations.XYZ.capability" = [2]',
            "factors.delegations.XYZ.capability",
            "no item with id 'XYZ'",
        ),
        ("replicates = 3", "replicate = 3", "replicate", "unknown key"),
        ("replicates = 3", "replicates = 0", "replicates", "greater than or equal to 1"),
        (
            "decisions = true",
            'metrics = ["signatures"]',
            "outputs.metrics[0]",
            "Input should be 'treaty_adopted'",
        ),
    ],
)
def test_bad_experiments_name_the_path(tmp_path, old, new, field, message):
    assert old in SMALL
    result = sweep(write(tmp_path, SMALL.replace(old, new)), "--out", tmp_path / "out")
    assert result.exit_code == 2, result.stdout
    assert any(field in line and message in line for line in result.stderr.splitlines()), (
        result.stderr
    )
    assert not (tmp_path / "out").exists()


def test_values_valid_alone_can_clash_in_a_combination(tmp_path):
    base = write(
        tmp_path,
        f'extends = "{CLASSROOM}"\n[process]\ndecision_rule = "qualified_majority"\n',
        "base.toml",
    )
    text = SMALL.replace(str(CLASSROOM), str(base)).replace(ACCESS, '"process.threshold" = [0.7]')
    result = sweep(write(tmp_path, text), "--out", tmp_path / "out")
    assert result.exit_code == 2
    consensus, majority = result.stderr.splitlines()
    assert "factors (process.threshold = 0.7, process.decision_rule = 'consensus')" in consensus
    assert "has no meaning under consensus" in consensus
    assert "process.decision_rule = 'majority'): process.threshold: majority means" in majority


def test_missing_scenario_and_missing_file(tmp_path):
    result = sweep(write(tmp_path, SMALL.replace(str(CLASSROOM), "nowhere.toml")))
    assert result.exit_code == 2 and "scenario: no such scenario" in result.stderr
    result = sweep(tmp_path / "none.toml")
    assert result.exit_code == 2 and "no such file" in result.stderr


# --- backends agree ------------------------------------------------------------------------


def test_serial_processes_and_dask_give_the_same_runs_table(tmp_path):
    pytest.importorskip("distributed")
    experiment = write(tmp_path, SMALL)
    assert sweep(experiment, "--workers", 1, "--out", tmp_path / "serial").exit_code == 0
    assert sweep(experiment, "--workers", 2, "--out", tmp_path / "pool").exit_code == 0
    assert (
        sweep(experiment, "--workers", 2, "--dask-local", "--out", tmp_path / "dask").exit_code == 0
    )
    serial = runs(tmp_path / "serial")
    assert len(serial) == 12 and serial["run_index"].tolist() == list(range(12))
    pd.testing.assert_frame_equal(serial, runs(tmp_path / "pool"))
    pd.testing.assert_frame_equal(serial, runs(tmp_path / "dask"))
    with closing(sqlite3.connect(tmp_path / "serial" / "results.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM decisions").fetchone() == (12 * 12,)


def test_a_finished_sweep_reports_and_does_nothing(tmp_path):
    experiment = write(tmp_path, SMALL)
    assert sweep(experiment, "--workers", 1, "--out", tmp_path / "out").exit_code == 0
    again = sweep(experiment, "--workers", 1, "--out", tmp_path / "out")
    assert again.exit_code == 0 and "all 12 runs are already in" in again.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["runs"] == 12 and manifest["fingerprint"]
    assert manifest["versions"]["mesa"]


def test_a_store_of_another_experiment_is_refused(tmp_path):
    assert sweep(write(tmp_path, SMALL), "--workers", 1, "--out", tmp_path / "out").exit_code == 0
    changed = write(tmp_path, SMALL.replace("replicates = 3", "replicates = 4"), "changed.toml")
    result = sweep(changed, "--workers", 1, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "holds the results of a different experiment or scenario" in result.stderr
    assert len(runs(tmp_path / "out")) == 12  # untouched


# --- crash safety --------------------------------------------------------------------------

LONG = SMALL.replace("replicates = 3", "replicates = 500\nchunk_size = 3")


def start_sweep(experiment, out):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "sweep",
            str(experiment),
            "--out",
            str(out),
            "--workers",
            "2",
            "--no-progress",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_rows(store, at_least, process, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if store.exists():
            try:
                with closing(sqlite3.connect(store)) as db:
                    if db.execute("SELECT count(*) FROM runs").fetchone()[0] >= at_least:
                        return
            except sqlite3.OperationalError:
                pass
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the sweep did not store rows in time")


@pytest.mark.parametrize("how", ["kill", "interrupt"])
def test_a_killed_or_interrupted_sweep_resumes_to_the_uninterrupted_result(tmp_path, how):
    experiment = write(tmp_path, LONG)
    reference = tmp_path / "reference"
    assert sweep(experiment, "--workers", 1, "--out", reference).exit_code == 0
    out = tmp_path / "out"
    process = start_sweep(experiment, out)
    wait_for_rows(out / "results.sqlite", 30, process)
    if how == "kill":
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
    else:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 130, stderr
        assert "run the same command again" in stderr and "Traceback" not in stderr
    partial = runs(out)
    assert 30 <= len(partial) < 2000
    assert partial["run_index"].is_unique
    finished = sweep(experiment, "--workers", 2, "--out", out)
    assert finished.exit_code == 0, finished.stderr
    pd.testing.assert_frame_equal(runs(out), runs(reference))


ORPHAN = """
import sys, time
from sim.experiments.runner import process_pool
pool = process_pool(1)
pool.submit(time.sleep, 60)
print("submitted", flush=True)
time.sleep(60)
"""


def test_workers_end_when_their_parent_is_killed_while_they_start():
    # The kill lands while the worker is still importing: it must not mistake init for its
    # parent. Workers inherit the pipes, so the pipes close only when every worker has ended.
    process = subprocess.Popen(
        [sys.executable, "-c", ORPHAN],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so a failure can clean up the whole group
    )
    assert process.stdout.readline() == "submitted\n"
    os.kill(process.pid, signal.SIGKILL)
    try:
        process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("a pool worker outlived its killed parent")


# --- export --------------------------------------------------------------------------------


def test_export_csv_parquet_and_decisions(tmp_path):
    out = tmp_path / "out"
    assert sweep(write(tmp_path, SMALL), "--workers", 1, "--out", out).exit_code == 0
    result = runner.invoke(app, ["export", str(out), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    table = pd.read_csv(out / "runs.csv")
    assert list(table.columns[:6]) == [
        "run_index",
        "replicate",
        "seed",
        "process.openness.access",
        "process.decision_rule",
        "treaty_adopted",
    ]
    assert len(table) == 12
    # every column is explained beside the table, from the one catalogue
    docs = pd.read_csv(out / "runs.columns.csv").set_index("column")
    assert list(docs.index) == list(table.columns)
    assert docs.loc["weighted_defection", "label"] == "Capability-weighted defection"
    assert docs.loc["signed", "better"] == "higher"
    assert docs.loc["process.openness.access", "label"] == "Access"
    assert docs["meaning"].notna().all()
    assert "columns explained in runs.columns.csv" in result.stderr
    result = runner.invoke(
        app, ["export", str(out), "--table", "decisions", "--out", str(tmp_path / "d.csv")]
    )
    assert result.exit_code == 0
    decisions = pd.read_csv(tmp_path / "d.csv")
    assert set(decisions["decision"]) <= {"sign", "refuse", "defer", "none"}
    pytest.importorskip("pyarrow")
    result = runner.invoke(app, ["export", str(out), "--format", "parquet"])
    assert result.exit_code == 0, result.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), runs(out))


def test_export_problems(tmp_path, monkeypatch):
    result = runner.invoke(app, ["export", str(tmp_path)])
    assert result.exit_code == 2 and "no results store here" in result.stderr
    out = tmp_path / "out"
    experiment = write(tmp_path, SMALL.replace("decisions = true", "decisions = false"))
    assert sweep(experiment, "--workers", 1, "--out", out).exit_code == 0
    result = runner.invoke(app, ["export", str(out), "--table", "decisions"])
    assert result.exit_code == 2 and "no 'decisions' table" in result.stderr
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    result = runner.invoke(app, ["export", str(out), "--format", "parquet"])
    assert result.exit_code == 2 and "needs pyarrow" in result.stderr
    assert not (out / "runs.parquet").exists()


def test_a_sweep_on_an_existing_dask_scheduler(tmp_path):
    distributed = pytest.importorskip("distributed")
    experiment = write(tmp_path, SMALL)
    assert sweep(experiment, "--workers", 1, "--out", tmp_path / "serial").exit_code == 0
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        result = sweep(
            experiment, "--scheduler", cluster.scheduler_address, "--out", tmp_path / "remote"
        )
    assert result.exit_code == 0, result.stderr
    pd.testing.assert_frame_equal(runs(tmp_path / "serial"), runs(tmp_path / "remote"))


def test_scheduler_and_dask_local_together_are_refused(tmp_path):
    result = sweep(write(tmp_path, SMALL), "--scheduler", "tcp://127.0.0.1:1", "--dask-local")
    assert result.exit_code == 2 and "give --scheduler or --dask-local, not both" in result.stderr


@pytest.mark.parametrize("name", ["openness_sweep", "rule_ladder"])
def test_shipped_experiments_are_valid(name):
    experiment, plan, _ = load_experiment(ROOT / "experiments" / f"{name}.toml")
    assert plan.runs == len(plan.points) * experiment.replicates > 0


# --- sweeps that scale: how pools start, the plan sent once, the default workers --------------


def in_process_rows(plan):
    from sim.experiments.runner import InProcessExecutor, MemorySink, execute

    sink = MemorySink()
    execute(plan, sink, InProcessExecutor(), 5, progress=False)
    return sorted(sink.rows), sorted(sink.decisions)


@pytest.mark.parametrize("method", ["fork", "spawn"])
@pytest.mark.parametrize("given", [True, False])
def test_pools_give_the_in_process_rows_however_started_and_fed(tmp_path, method, given):
    # given: the workers hold the plan and tasks carry run numbers; otherwise every task
    # carries the plan (as with Dask, or a pool made without one).
    from sim.experiments.runner import MemorySink, execute, process_pool, stop_pool

    _, plan, _ = load_experiment(write(tmp_path, SMALL))
    pool = process_pool(2, plan if given else None, method)
    try:
        assert pool.start_method == method
        submit, tasks = pool.submit, []
        pool.submit = lambda fn, *args: tasks.append(fn.__name__) or submit(fn, *args)
        sink = MemorySink()
        execute(plan, sink, pool, 2, progress=False)
    finally:
        stop_pool(pool)
    assert set(tasks) == {"run_given_chunk" if given else "run_chunk"}
    rows, decisions = in_process_rows(plan)
    assert sorted(sink.rows) == rows and sorted(sink.decisions) == decisions
    assert len(rows) == plan.runs


def test_a_worker_given_a_plan_runs_it_and_one_without_says_so(tmp_path):
    from sim.experiments.runner import process_pool, run_chunk, run_given_chunk, stop_pool

    _, plan, _ = load_experiment(write(tmp_path, SMALL))
    seeds = [plan.seed(i) for i in (4, 5)]
    given, bare = process_pool(1, plan, "fork"), process_pool(1, None, "fork")
    try:
        result = given.submit(run_given_chunk, [4, 5], seeds).result()
        assert result.rows == run_chunk(plan, [4, 5], seeds).rows
        with pytest.raises(RuntimeError, match="started without a plan"):
            bare.submit(run_given_chunk, [4, 5], seeds).result()
    finally:
        stop_pool(given)
        stop_pool(bare)


def test_workers_ignore_ctrl_c_and_use_one_blas_thread_and_the_parent_keeps_its_handler():
    import signal

    from sim.experiments.runner import process_pool, stop_pool

    handler = signal.getsignal(signal.SIGINT)
    pool = process_pool(1, None, "fork")
    try:
        assert signal.getsignal(signal.SIGINT) is handler
        assert pool.submit(signal.getsignal, signal.SIGINT).result() == signal.SIG_IGN
        info = pool.submit(blas_threads).result()
        assert info and set(info) == {1}
    finally:
        stop_pool(pool)


def blas_threads():
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_workers_fork_only_on_linux_and_only_when_no_other_thread_runs(monkeypatch):
    import threading

    from sim.experiments import runner

    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(runner.sys, "platform", "linux")
    assert runner.start_method() == "fork"
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # a progress bar, a Dask client
    assert runner.start_method() == "spawn"
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    for platform in ("darwin", "win32"):
        monkeypatch.setattr(runner.sys, "platform", platform)
        assert runner.start_method() == "spawn"


@pytest.mark.parametrize(
    ("seconds", "runs", "cores", "method", "workers"),
    [
        (0.2, 1000, 2, "fork", 1),  # 0.1 s of work each + 0.15 s start-up: not worth it
        (0.31, 1000, 2, "fork", 2),
        (1.5, 1000, 2, "spawn", 1),  # spawned workers import everything again
        (2.1, 1000, 2, "spawn", 2),
        (0.5, 1000, 8, "fork", 8),  # one per core
        (100.0, 3, 8, "fork", 3),  # never more workers than runs
        (100.0, 1, 8, "fork", 1),
        (100.0, 1000, 1, "fork", 1),
    ],
)
def test_the_default_workers_are_one_per_core_unless_a_pool_cannot_pay_for_itself(
    seconds, runs, cores, method, workers
):
    from sim.experiments.sweep import auto_workers

    assert auto_workers(seconds, runs, cores, method) == workers


def test_a_sweep_without_workers_chooses_and_says_why(tmp_path, monkeypatch):
    import sim.experiments.sweep

    experiment = write(tmp_path, SMALL)
    result = sweep(experiment, "--out", tmp_path / "short")
    assert result.exit_code == 0, result.stderr
    assert "in-process, 1 worker(s) (chosen for about 0.0 s of work on one core)" in result.stderr
    session = json.loads((tmp_path / "short" / "manifest.json").read_text())["sessions"][0]
    assert session["workers"] == 1 and session["workers_chosen"] is True

    monkeypatch.setattr(sim.experiments.sweep, "available_cores", lambda: 2)
    monkeypatch.setitem(
        sim.experiments.sweep.POOL_START_SECONDS, "fork", 0.0
    )  # as if pools were free
    monkeypatch.setitem(sim.experiments.sweep.POOL_START_SECONDS, "spawn", 0.0)
    result = sweep(experiment, "--out", tmp_path / "long")
    assert result.exit_code == 0, result.stderr
    assert "2 worker(s) (chosen for about" in result.stderr
    session = json.loads((tmp_path / "long" / "manifest.json").read_text())["sessions"][0]
    assert session["backend"] == "processes" and session["start_method"] in ("fork", "spawn")
    pd.testing.assert_frame_equal(runs(tmp_path / "short"), runs(tmp_path / "long"))

    assert sweep(experiment, "--workers", 2, "--out", tmp_path / "given").exit_code == 0
    session = json.loads((tmp_path / "given" / "manifest.json").read_text())["sessions"][0]
    assert session["workers"] == 2 and session["workers_chosen"] is False


def test_spawned_workers_end_when_their_parent_is_killed_while_they_import():
    # Where workers cannot fork (macOS, Windows, other threads running) they are spawned and
    # import everything; the kill then lands while they import.
    process = subprocess.Popen(
        [sys.executable, "-c", ORPHAN.replace("process_pool(1)", 'process_pool(1, None, "spawn")')],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout.readline() == "submitted\n"
    os.kill(process.pid, signal.SIGKILL)
    try:
        process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("a spawned pool worker outlived its killed parent")
