"""A sweep's store belongs to one model; export says what it holds and replaces only itself.

Covers resuming across a code change, what export shows (partial sweeps, model versions), what
export and import may overwrite, failed first sessions leaving nothing, scheduler addresses,
damaged manifests, and the default output folder.
"""

import json
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
from sim.errors import InputError
from sim.experiments.sweep import check_scheduler_address
from sim.provenance import code_identity, source_digest
from tests.conftest import CLASSROOM, ROOT

runner = CliRunner()

SMALL = f"""
scenario = "{CLASSROOM}"
replicates = 4
master_seed = 3
[factors]
"process.decision_rule" = ["consensus", "majority"]
[outputs]
decisions = true
"""


def invoke(*args):
    result = runner.invoke(app, [*map(str, args)])
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


@pytest.fixture
def experiment(tmp_path):
    path = tmp_path / "experiment.toml"
    path.write_text(textwrap.dedent(SMALL))
    return path


def sweep(experiment, out, *extra):
    return invoke("sweep", experiment, "--out", out, "--workers", 1, "--no-progress", *extra)


def keep_runs(out, keep):
    """Leave only the first ``keep`` runs in the store, as an interrupted sweep would."""
    with closing(sqlite3.connect(out / "results.sqlite")) as db, db:
        db.execute("DELETE FROM runs WHERE run_index >= ?", (keep,))
        db.execute("DELETE FROM decisions WHERE run_index >= ?", (keep,))


def pretend_older_code(out, keep=5):
    """Make the store look as if another treatysim had stored its first ``keep`` runs."""
    keep_runs(out, keep)
    with closing(sqlite3.connect(out / "results.sqlite")) as db, db:
        db.execute("UPDATE sessions SET treatysim = '0.0.9', source = 'feedface'")


# --- 2: model versions ---------------------------------------------------------------------------


def test_the_code_identity_is_the_version_and_the_digest_of_the_model_source():
    identity = code_identity()
    assert identity["source"] == source_digest() and len(identity["source"]) == 64
    assert identity["treatysim"] == "0.1.0"


def test_resuming_with_other_model_code_is_refused_naming_both(tmp_path, experiment):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    pretend_older_code(out)
    result = sweep(experiment, out)
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "5 by treatysim 0.0.9" in message and "source feedface" in message
    assert f"source {source_digest()[:8]}" in message
    assert "--allow-code-change" in message
    with closing(sqlite3.connect(out / "results.sqlite")) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 5  # nothing added


def test_a_store_that_predates_sessions_counts_as_unknown_code(tmp_path, experiment):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    keep_runs(out, 3)
    with closing(sqlite3.connect(out / "results.sqlite")) as db, db:
        db.execute("DROP TABLE sessions")
        db.execute("DROP TABLE run_sessions")
    result = sweep(experiment, out)
    assert result.exit_code == 2
    assert "3 by an earlier treatysim that did not record its version" in result.stderr


def test_allowed_code_changes_keep_every_run_attributable(tmp_path, experiment):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    pretend_older_code(out, keep=5)
    result = sweep(experiment, out, "--allow-code-change")
    assert result.exit_code == 0, result.stderr
    exported = invoke("export", out)
    assert exported.exit_code == 0
    assert "warning: the runs were made by 2 versions of the model" in exported.stderr
    assert "5 by treatysim 0.0.9" in exported.stderr and "3 by treatysim" in exported.stderr
    runs = pd.read_csv(out / "runs.csv")
    assert runs["session"].tolist() == [1] * 5 + [2] * 3
    assert invoke("export", out, "--table", "sessions").exit_code == 0
    sessions = pd.read_csv(out / "sessions.csv")
    assert sessions["treatysim"].tolist()[0] == "0.0.9"
    assert sessions["source"].tolist()[1] == source_digest()
    assert sessions[["runs_before", "runs_after"]].values.tolist()[1] == [5, 8]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions"][1]["code"]["source"] == source_digest()
    # Once allowed, the same code may go on without asking again.
    assert sweep(experiment, out).exit_code == 0


def test_an_export_of_one_models_runs_names_it_and_adds_no_column(tmp_path, experiment):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    result = invoke("export", out)
    assert "runs made by treatysim" in result.stderr
    assert f"source {source_digest()[:8]}" in result.stderr
    assert "session" not in pd.read_csv(out / "runs.csv").columns


# --- 9: partial exports ----------------------------------------------------------------------------


def test_exporting_an_unfinished_sweep_says_it_is_partial_and_how_to_finish(tmp_path, experiment):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    keep_runs(out, 6)
    result = invoke("export", out, "--out", "-")
    assert result.exit_code == 0
    assert (
        "note: the sweep is unfinished: 6 of 8 runs are stored, so this table is partial; "
        f"run `treatysim sweep {experiment} --out {out}` again to finish it"
    ) in result.stderr
    assert sweep(experiment, out).exit_code == 0
    assert "note: the sweep is unfinished" not in invoke("export", out).stderr


# --- 5, 12, 13: what export may write ---------------------------------------------------------------


@pytest.mark.parametrize(
    "target, message",
    [
        ("results.sqlite", "the sweep's results store uses"),
        ("manifest.json", "is a manifest or scenario file"),
        (".", "is a folder; give a file name"),
        ("/", "is a folder; give a file name"),
    ],
)
def test_export_never_replaces_the_store_its_manifest_or_a_folder(
    tmp_path, experiment, target, message
):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    path = target if target in (".", "/") else out / target
    result = invoke("export", out, "--out", path)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert invoke("export", out).exit_code == 0  # the store still reads


def test_export_replaces_its_own_earlier_output_but_no_other_file(tmp_path, experiment):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    mine = tmp_path / "table.csv"
    assert invoke("export", out, "--out", mine).exit_code == 0
    assert (tmp_path / "table.columns.csv").exists()
    assert invoke("export", out, "--out", mine).exit_code == 0
    notes = tmp_path / "notes.csv"
    notes.write_text("my own notes\n")
    result = invoke("export", out, "--out", notes)
    assert result.exit_code == 2 and "is not an earlier export" in result.stderr
    assert notes.read_text() == "my own notes\n"
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(CLASSROOM.read_text())
    assert invoke("export", out, "--out", scenario).exit_code == 2
    assert scenario.read_text() == CLASSROOM.read_text()


def test_parquet_is_not_printed_as_csv(tmp_path, experiment):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    result = invoke("export", out, "--format", "parquet", "--out", "-")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "parquet is binary and is not printed" in result.stderr


def test_import_replaces_only_a_scenario_it_wrote(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("actor,issue,position,salience,capability\nA,x,10,0.5,1\nB,x,90,0.5,2\n")
    experiment = tmp_path / "experiment.toml"
    experiment.write_text(textwrap.dedent(SMALL))
    result = invoke("import", data, "--format", "long", "--out", experiment)
    assert result.exit_code == 2 and "is not a scenario `treatysim import` wrote" in result.stderr
    assert experiment.read_text() == textwrap.dedent(SMALL)
    imported = tmp_path / "imported.toml"
    assert invoke("import", data, "--format", "long", "--out", imported).exit_code == 0
    assert invoke("import", data, "--format", "long", "--out", imported).exit_code == 0
    for folder in (".", "/"):
        result = invoke("import", data, "--format", "long", "--out", folder)
        assert result.exit_code == 2 and "is a folder" in result.stderr


def test_a_score_never_lands_in_a_sweep_or_among_other_files(tmp_path, experiment):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    record = tmp_path / "record.csv"
    record.write_text("id,decision\n")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    result = invoke("score", CLASSROOM, "--against", record, "--seeds", 2, "--out", out)
    assert result.exit_code == 2 and "holds a sweep's results store" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


# --- 8, 12: nothing created by a sweep that fails --------------------------------------------------


@pytest.mark.parametrize(
    "address, message",
    [
        ("not a url", "not an address"),
        ("http://127.0.0.1:8787", "is the scheduler's dashboard"),
        ("tcp://127.0.0.1", "needs a host and a port"),
        ("tcp://127.0.0.1:99999", "port is not a number"),
        ("gopher://host:70", "unknown scheme 'gopher'"),
        ("tcp://host:8786/path", "has a path"),
        ("", "is empty"),
        ("inproc://x", "names a scheduler inside one Python process"),
        ("tls://127.0.0.1:8786", "needs a TLS security configuration"),
        ("ucx://127.0.0.1:8786", "needs Dask's UCX transport"),
        ("tcp://user:pw@127.0.0.1:8786", "a user or password"),
    ],
)
def test_a_bad_scheduler_address_is_refused_before_anything_is_created(
    tmp_path, experiment, address, message
):
    out = tmp_path / "new" / "out"
    result = invoke("sweep", experiment, "--out", out, "--scheduler", address, "--no-progress")
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "new").exists()


def test_good_scheduler_addresses_pass_the_check():
    for address in ("tcp://127.0.0.1:8786", "tcp://scheduler.example.org:8786", "ws://h:8786"):
        check_scheduler_address(address)
    with pytest.raises(InputError):
        check_scheduler_address("127.0.0.1:8786")


def test_a_first_session_that_fails_before_storing_a_run_leaves_nothing(
    tmp_path, experiment, monkeypatch
):
    import sim.experiments.sweep

    def unreachable(*args, **kwargs):
        raise InputError.single("--scheduler", "tcp://x:1", "cannot reach the Dask scheduler")

    monkeypatch.setattr(sim.experiments.sweep, "execute", unreachable)
    out = tmp_path / "a" / "b"
    result = invoke("sweep", experiment, "--out", out, "--workers", 1, "--no-progress")
    assert result.exit_code == 2 and "cannot reach" in result.stderr
    assert not (tmp_path / "a").exists()
    existing = tmp_path / "mine"
    existing.mkdir()
    (existing / ".keep").write_text("")
    assert invoke("sweep", experiment, "--out", existing, "--no-progress").exit_code == 2
    assert sorted(p.name for p in existing.iterdir()) == [".keep"]


def test_a_failing_resume_keeps_the_stored_runs(tmp_path, experiment, monkeypatch):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    keep_runs(out, 4)
    import sim.experiments.sweep

    def broken(*args, **kwargs):
        raise InputError.single("--scheduler", "tcp://x:1", "cannot reach the Dask scheduler")

    monkeypatch.setattr(sim.experiments.sweep, "execute", broken)
    assert sweep(experiment, out).exit_code == 2
    with closing(sqlite3.connect(out / "results.sqlite")) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 4


@pytest.mark.parametrize(
    "damage, message",
    [
        ("{ not json", "is not valid JSON (line 1)"),
        ("[1, 2]", "is not a sweep's manifest"),
        (b"\xff\xfe\x00", "is not UTF-8 text"),
    ],
)
def test_a_damaged_manifest_on_resume_is_a_message_and_the_store_is_kept(
    tmp_path, experiment, damage, message
):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    keep_runs(out, 4)
    manifest = out / "manifest.json"
    manifest.write_bytes(damage if isinstance(damage, bytes) else damage.encode())
    result = sweep(experiment, out)
    assert result.exit_code == 2
    assert message in result.stderr and "move manifest.json away" in result.stderr
    with closing(sqlite3.connect(out / "results.sqlite")) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 4
        assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1
    manifest.unlink()
    assert sweep(experiment, out).exit_code == 0
    assert len(json.loads(manifest.read_text())["sessions"]) == 1


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_store_is_a_message(tmp_path, experiment, damage):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    store = out / "results.sqlite"
    data = store.read_bytes()
    store.write_bytes(b"x" * 4096 if damage == "garbage" else data[: len(data) // 3])
    for args in (("sweep", experiment, "--out", out, "--workers", 1), ("export", out)):
        result = invoke(*args, *(["--no-progress"] if args[0] == "sweep" else []))
        assert result.exit_code == 2, result.stderr
        assert "results.sqlite" in result.stderr


# --- 16: the default folder ---------------------------------------------------------------------


def test_without_out_a_sweep_goes_to_results_and_the_file_name(tmp_path, experiment, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("sweep", experiment, "--workers", 1, "--no-progress")
    assert result.exit_code == 0
    assert (tmp_path / "results" / "experiment" / "results.sqlite").is_file()
    docs = " ".join((ROOT / "docs" / "experiments.md").read_text().split())
    assert "results/<experiment file name without .toml>" in docs
    assert "results/<experiment name>" not in docs


# --- 12: Ctrl-C at any moment ---------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="signals to a child process")
@pytest.mark.parametrize(
    "delay, signum, extra",
    [
        (0.15, signal.SIGINT, ()),  # after the interpreter itself starts
        (0.35, signal.SIGINT, ()),
        (0.6, signal.SIGINT, ()),
        (0.35, signal.SIGTERM, ()),
        (0.6, signal.SIGTERM, ()),
        (1.6, signal.SIGINT, ("--dask-local", "--workers", "2")),  # as the cluster works
    ],
    ids=["int-0.15", "int-0.35", "int-0.6", "term-0.35", "term-0.6", "int-dask"],
)
def test_a_stop_at_any_moment_is_one_line_and_exit_130(tmp_path, delay, signum, extra):
    import time

    experiment = tmp_path / "experiment.toml"
    experiment.write_text(
        f'scenario = "{ROOT / "scenarios" / "wcit2012"}"\nreplicates = 150\n'
        '[factors]\n"process.decision_rule" = ["consensus", "majority"]\n'
    )
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "sweep", str(experiment), "--out", str(out), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    time.sleep(delay)
    process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    if process.returncode == 0:
        pytest.skip("the sweep finished before the signal")
    # 130, or killed by SIGINT when the interpreter re-raises it on the way out: a shell
    # reports both as 130.
    assert process.returncode in (130, -signal.SIGINT), err
    assert "Traceback" not in err and "WARNING" not in err, err
    assert err.strip().splitlines()[-1].startswith("interrupted")
    if out.exists():  # only a store with runs in it is kept
        with closing(sqlite3.connect(out / "results.sqlite")) as db:
            assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] > 0


def test_a_report_of_a_partial_or_mixed_sweep_says_so_first(tmp_path, experiment):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    page = tmp_path / "report.html"
    assert invoke("report", out, "--out", page).exit_code == 0
    assert "Caution." not in page.read_text()
    pretend_older_code(out, keep=5)
    assert invoke("report", out, "--out", page).exit_code == 0
    text = page.read_text()
    assert "The sweep is unfinished: 5 of 8 runs are stored, so this report is partial" in text
    assert "Caution." in text.split("<h2>")[0]  # before the first section
    assert sweep(experiment, out, "--allow-code-change").exit_code == 0
    assert invoke("report", out, "--out", page).exit_code == 0
    assert "The runs were made by 2 versions of the model" in page.read_text()


def test_runs_whose_session_is_gone_count_as_unknown_code(tmp_path, experiment):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    keep_runs(out, 5)
    with closing(sqlite3.connect(out / "results.sqlite")) as db, db:
        db.execute("DROP TABLE run_sessions")
    result = sweep(experiment, out)
    assert result.exit_code == 2
    assert "5 by an earlier treatysim that did not record its version" in result.stderr
    with closing(sqlite3.connect(out / "results.sqlite")) as db, db:
        db.execute("UPDATE run_sessions SET session = 99")  # recreated, empty: no effect
    assert sweep(experiment, out).exit_code == 2


@pytest.mark.parametrize(
    "damage, message",
    [
        ("DROP TABLE decisions", "no decisions table"),
        ("ALTER TABLE runs DROP COLUMN signed", "the runs table's columns"),
        ("INSERT INTO runs (run_index, replicate, seed) VALUES (5000, 0, 0)", "outside the plan"),
        ("DROP TABLE sessions; CREATE TABLE sessions (x)", "the sessions table's columns"),
        ("DROP TABLE runs", "no runs table"),
    ],
)
def test_a_store_whose_layout_is_damaged_is_refused_before_the_sweep_runs(
    tmp_path, experiment, damage, message
):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    keep_runs(out, 4)
    with closing(sqlite3.connect(out / "results.sqlite")) as db, db:
        db.executescript(damage)
    result = sweep(experiment, out)
    assert result.exit_code == 2, result.stderr
    assert "is damaged (" in result.stderr and message in result.stderr
    assert "move it away" in result.stderr


def test_a_manifest_that_cannot_be_written_is_a_message_and_leaves_no_session(
    tmp_path, experiment, monkeypatch
):
    import sim.experiments.sweep

    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    keep_runs(out, 4)

    def refuse(path, text):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sim.experiments.sweep, "write_text_atomically", refuse)
    result = sweep(experiment, out)
    assert result.exit_code == 2
    assert (
        result.stderr.strip() == f"error: {out / 'manifest.json'}: cannot write: Permission denied"
    )
    with closing(sqlite3.connect(out / "results.sqlite")) as db:
        assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1


def test_export_names_must_match_the_format(tmp_path, experiment):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    result = invoke("export", out, "--out", tmp_path / "x.parquet")
    assert result.exit_code == 2 and "a .parquet name for csv output" in result.stderr
    assert not (tmp_path / "x.parquet").exists()
    result = invoke("export", out, "--out", out / "results.sqlite-wal")
    assert result.exit_code == 2 and "the sweep's results store uses" in result.stderr
    assert not (out / "results.sqlite-wal").exists()


def test_export_while_a_sweep_writes_reads_one_moment_and_says_so(tmp_path, experiment):
    from sim.experiments.experiment import load_experiment
    from sim.experiments.store import Store

    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    keep_runs(out, 6)
    _, plan, _ = load_experiment(experiment)
    holder = Store(out, plan)  # holds the folder's lock, as a running sweep does
    try:
        result = invoke("export", out)
    finally:
        holder.close()
    assert result.exit_code == 0
    assert "wrote 6 rows" in result.stderr
    assert "note: a sweep is writing to this folder (pid" in result.stderr
    assert "6 of 8 runs were stored when this table was read" in result.stderr
    assert "again to finish it" not in result.stderr


def test_a_dangling_symlink_as_out_is_named(tmp_path, experiment):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere")
    result = sweep(experiment, link)
    assert result.exit_code == 2 and "is a symbolic link to nothing" in result.stderr
    assert not (tmp_path / "nowhere").exists()


def test_a_missing_decisions_table_the_sweep_asked_for_is_called_damage(tmp_path, experiment):
    out = tmp_path / "out"
    assert sweep(experiment, out).exit_code == 0
    with closing(sqlite3.connect(out / "results.sqlite")) as db, db:
        db.execute("DROP TABLE decisions")
    result = invoke("export", out, "--table", "decisions")
    assert result.exit_code == 2
    assert "the store is damaged: the sweep asked for decisions" in result.stderr


def test_analysing_a_sweep_stopped_before_its_factors_vary_says_to_finish_it(tmp_path):
    path = tmp_path / "experiment.toml"
    path.write_text(
        f'scenario = "{CLASSROOM}"\nreplicates = 20\n'
        '[factors]\n"process.decision_rule" = ["consensus", "majority"]\n'
    )
    out = tmp_path / "out"
    assert sweep(path, out).exit_code == 0
    with closing(sqlite3.connect(out / "results.sqlite")) as db, db:
        db.execute("DELETE FROM runs WHERE run_index >= 20")
    result = invoke("analyze", out, "--method", "importance")
    assert result.exit_code == 2
    assert "in the 20 of 40 runs stored so far: finish the sweep first" in result.stderr
