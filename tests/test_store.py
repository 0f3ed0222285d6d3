"""The results store: created whole, written by one sweep at a time, leaving nothing beside it."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from sim.experiments.experiment import load_experiment
from sim.experiments.store import CREATING, Store
from tests.conftest import CLASSROOM, ROOT

runner = CliRunner()

SMALL = f"""
scenario = "{CLASSROOM}"
replicates = 3
master_seed = 7
[factors]
"process.openness.access" = [0.0, 1.0]
[outputs]
decisions = true
"""


@pytest.fixture
def experiment(tmp_path):
    path = tmp_path / "experiment.toml"
    path.write_text(textwrap.dedent(SMALL))
    return path


def sweep(experiment, out):
    return runner.invoke(
        app, ["sweep", str(experiment), "--out", str(out), "--workers", "1", "--no-progress"]
    )


def test_a_second_sweep_into_a_folder_being_written_is_told_who_holds_it(tmp_path, experiment):
    out = tmp_path / "out"
    out.mkdir()
    _, plan, _ = load_experiment(experiment)
    holder = Store(out, plan)
    try:
        result = sweep(experiment, out)
        assert result.exit_code == 2
        assert "another sweep is writing to this folder" in result.stderr
        assert f"pid {os.getpid()}" in result.stderr
    finally:
        holder.close()
    assert sweep(experiment, out).exit_code == 0  # released on close


def test_a_creation_cut_short_leaves_no_store_and_the_rerun_succeeds(
    tmp_path, experiment, monkeypatch
):
    out = tmp_path / "out"

    def dies(self, db):
        db.execute("CREATE TABLE meta (key TEXT)")
        raise KeyboardInterrupt

    monkeypatch.setattr(Store, "_build", dies)
    out.mkdir()
    with pytest.raises(KeyboardInterrupt):
        Store(out, load_experiment(experiment)[1])
    assert not (out / "results.sqlite").exists()
    monkeypatch.undo()
    result = sweep(experiment, out)
    assert result.exit_code == 0, result.stderr
    assert not (out / CREATING).exists()


def table(folder):
    with closing(sqlite3.connect(folder / "results.sqlite")) as db:
        return pd.read_sql_query("SELECT * FROM runs ORDER BY run_index", db)


CHILD = """
import sqlite3, sys, time
import sim.experiments.store

class Stalls(sqlite3.Connection):
    def execute(self, sql, *args):
        if sql == "BEGIN":  # the store's tables are being created: hold here to be killed
            print("creating", flush=True)
            time.sleep(60)
        return super().execute(sql, *args)

real = sqlite3.connect
sim.experiments.store.sqlite3 = type(sys)("shim")
sim.experiments.store.sqlite3.__dict__.update(sqlite3.__dict__)
sim.experiments.store.sqlite3.connect = lambda *a, **k: real(*a, factory=Stalls, **k)
from cli import app
sys.argv = ["treatysim", "sweep", sys.argv[1], "--out", sys.argv[2], "--workers", "1",
            "--no-progress"]
app()
"""


def test_a_kill_while_the_store_is_created_leaves_a_folder_the_rerun_completes(
    tmp_path, experiment
):
    reference = tmp_path / "reference"
    assert sweep(experiment, reference).exit_code == 0
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(experiment), str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "creating", process.stderr.read()
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    result = sweep(experiment, out)
    assert result.exit_code == 0, result.stderr
    pd.testing.assert_frame_equal(table(out), table(reference))
    assert not (out / CREATING).exists()


def test_reading_a_store_leaves_nothing_beside_it(tmp_path, experiment):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    assert runner.invoke(app, ["export", str(out)]).exit_code == 0
    assert runner.invoke(app, ["export", str(out), "--table", "decisions"]).exit_code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        ".treatysim.lock",
        "decisions.columns.csv",
        "decisions.csv",
        "manifest.json",
        "results.sqlite",
        "runs.columns.csv",
        "runs.csv",
    ]


def test_a_store_that_is_a_folder_is_a_message(tmp_path, experiment):
    out = tmp_path / "out"
    (out / "results.sqlite").mkdir(parents=True)
    result = sweep(experiment, out)
    assert result.exit_code == 2 and "is not a file" in result.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_worker_does_not_keep_a_killed_sweeps_folder_locked(tmp_path, experiment):
    out = tmp_path / "out"
    out.mkdir()
    script = textwrap.dedent(
        f"""
        import os, sys, time
        from pathlib import Path
        from sim.experiments.experiment import load_experiment
        from sim.experiments.store import Store
        _, plan, _ = load_experiment(Path({str(experiment)!r}))
        store = Store(Path({str(out)!r}), plan)
        child = os.fork()
        if child == 0:
            time.sleep(30)  # a worker that outlives its sweep
            os._exit(0)
        print(child, flush=True)
        time.sleep(30)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    child = int(process.stdout.readline())
    try:
        _, plan, _ = load_experiment(experiment)
        with pytest.raises(Exception, match="another sweep is writing"):
            Store(out, plan)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        Store(out, plan).close()  # the worker is still asleep, yet the folder is free
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        os.kill(child, signal.SIGKILL)
