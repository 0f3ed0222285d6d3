"""Output never replaces an input, a results store or another command's files."""

import shutil
import textwrap

from typer.testing import CliRunner

from cli import app
from tests.conftest import CLASSROOM, ROOT

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [*map(str, args)])
    assert "Traceback" not in result.stdout + result.stderr
    return result


def snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_run_into_a_scenario_folder_is_refused_and_the_scenario_kept(tmp_path):
    scenario = tmp_path / "wcit"
    shutil.copytree(ROOT / "scenarios" / "wcit2012", scenario)
    before = snapshot(scenario)
    result = invoke("run", scenario, "--out", scenario)
    assert result.exit_code == 2
    assert "holds files this command does not write" in result.stderr
    assert snapshot(scenario) == before
    assert invoke("validate", scenario).exit_code == 0


def test_a_run_into_a_sweep_folder_is_refused_and_the_sweep_kept(tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text(f'scenario = "{CLASSROOM}"\nreplicates = 2\n')
    sweep = tmp_path / "sweep"
    assert (
        invoke("sweep", experiment, "--out", sweep, "--workers", 1, "--no-progress").exit_code == 0
    )
    before = snapshot(sweep)
    for command in (
        ["run", CLASSROOM, "--out", sweep],
        ["compare", CLASSROOM, "--b", "process.openness=closed", "--replicates", 2, "--out", sweep],
    ):
        result = invoke(*command)
        assert result.exit_code == 2 and "holds a sweep's results store" in result.stderr
    assert snapshot(sweep) == before


def test_one_commands_folder_is_not_taken_by_another(tmp_path):
    run = tmp_path / "run"
    assert invoke("run", CLASSROOM, "--out", run).exit_code == 0
    compared = invoke(
        "compare", CLASSROOM, "--b", "process.openness=closed", "--replicates", 2, "--out", run
    )
    assert compared.exit_code == 2 and "holds a run's results" in compared.stderr
    # the same command may replace its own earlier output
    again = invoke("run", CLASSROOM, "--seed", 2, "--out", run)
    assert again.exit_code == 0
    assert '"seed": 2' in (run / "metrics.json").read_text()


def test_an_analysis_never_lands_in_its_sweep(tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text(
        textwrap.dedent(f"""
        scenario = "{CLASSROOM}"
        replicates = 6
        [factors]
        "process.openness.access" = [0.0, 0.5, 1.0]
        """)
    )
    sweep = tmp_path / "sweep"
    invoke("sweep", experiment, "--out", sweep, "--workers", 1, "--no-progress")
    before = snapshot(sweep)
    result = invoke("analyze", sweep, "--method", "importance", "--out", sweep)
    assert result.exit_code == 2 and "holds a sweep's results store" in result.stderr
    assert snapshot(sweep) == before


def test_an_output_under_a_file_is_named_by_every_command(tmp_path):
    """`--out notes.txt/x` can be neither created nor written: the file in the way is named."""
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    experiment = tmp_path / "e.toml"
    experiment.write_text(
        f'scenario = "{CLASSROOM}"\nreplicates = 2\n'
        '[factors]\n"process.decision_rule" = ["consensus", "majority"]\n'
    )
    sweep = tmp_path / "sweep"
    assert (
        invoke("sweep", experiment, "--out", sweep, "--workers", 1, "--no-progress").exit_code == 0
    )
    data = tmp_path / "data.csv"
    data.write_text("actor,issue,position,salience,capability\nA,x,10,0.5,1\nB,x,90,0.5,2\n")
    record = tmp_path / "record.csv"
    record.write_text("id,decision\n")
    under = notes / "x"
    commands = [
        ("run", CLASSROOM, "--out", under),
        ("sweep", experiment, "--out", under, "--no-progress"),
        ("export", sweep, "--out", notes / "runs.csv"),
        ("plot", sweep, "--kind", "response", "--out", notes / "x.png"),
        ("report", sweep, "--out", notes / "x.html"),
        ("import", data, "--format", "long", "--out", notes / "x.toml"),
        ("handouts", CLASSROOM, "--out", under),
        ("compare", CLASSROOM, "--b", "process.openness=multistakeholder", "--out", under),
        ("analyze", sweep, "--method", "importance", "--out", under),
        ("score", CLASSROOM, "--against", record, "--seeds", 2, "--out", under),
    ]
    for command in commands:
        result = invoke(*command)
        assert result.exit_code == 2, (command[0], result.stderr)
        assert result.stderr.strip().endswith(f"{notes} is a file, not a folder"), command[0]
    assert notes.read_text() == "mine\n"


def test_a_new_sweep_never_lands_among_a_runs_or_a_scenarios_files(tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text(f'scenario = "{CLASSROOM}"\nreplicates = 2\n')
    run = tmp_path / "run"
    assert invoke("run", CLASSROOM, "--out", run).exit_code == 0
    scenario = tmp_path / "wcit"
    shutil.copytree(ROOT / "scenarios" / "wcit2012", scenario)
    for folder, message in ((run, "holds a run's results"), (scenario, "holds files this")):
        before = snapshot(folder)
        result = invoke("sweep", experiment, "--out", folder, "--workers", 1, "--no-progress")
        assert result.exit_code == 2 and message in result.stderr
        assert snapshot(folder) == before
        assert not (folder / "results.sqlite").exists()
