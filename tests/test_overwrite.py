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
