"""The command line, through Typer's test runner."""

import json
import tomllib

from typer.testing import CliRunner

from cli import app
from sim.results.files import RUN_FILES
from tests.conftest import CLASSROOM

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_run_prints_a_readable_summary():
    result = invoke("run", CLASSROOM, "--seed", 1)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("Classroom: a small treaty on international networks — seed 1")
    for provision in ("security", "content", "charging", "access"):
        assert provision in out
    assert "By bloc" in out and "north" in out
    assert "Signatures:" in out


def test_run_json_has_the_documented_keys_and_is_byte_identical_per_seed():
    first = invoke("run", CLASSROOM, "--seed", 4, "--json")
    again = invoke("run", CLASSROOM, "--seed", 4, "--json")
    other = invoke("run", CLASSROOM, "--seed", 5, "--json")
    assert first.exit_code == 0
    assert first.stdout == again.stdout
    assert first.stdout != other.stdout  # seating and home views are drawn in this scenario
    data = json.loads(first.stdout)
    assert {"metrics", "provisions", "delegations", "seed"} <= set(data)
    assert data["seed"] == 4
    provision = data["provisions"][0]
    assert {"id", "adopted", "value", "round", "tally"} <= set(provision)
    assert {"yes", "no", "abstain"} <= set(provision["tally"])
    delegation = data["delegations"][0]
    assert {
        "id",
        "bloc",
        "decision",
        "score",
        "expected",
        "table_value",
        "home_value",
        "grievance",
        "bloc_pull",
        "overruled",
    } <= set(delegation)
    assert {d["decision"] for d in data["delegations"]} <= {"sign", "refuse", "defer"}


def test_value_is_the_package_value():
    data = json.loads(
        invoke("run", CLASSROOM, "--json", "--set", "process.fallback_rule=none").stdout
    )
    status_quo = {
        p["id"]: p["status_quo"] for p in tomllib.loads(CLASSROOM.read_text())["provisions"]
    }
    for provision in data["provisions"]:
        if not provision["adopted"]:
            assert provision["value"] == status_quo[provision["id"]]
            assert provision["round"] is None


def test_set_overrides_change_the_run():
    base = json.loads(invoke("run", CLASSROOM, "--json").stdout)
    changed = json.loads(
        invoke(
            "run",
            CLASSROOM,
            "--json",
            "--set",
            "process.decision_rule=unanimity",
            "--set",
            "process.fallback_rule=none",
        ).stdout
    )
    assert base["process"]["rules"]["decision"] == "consensus"
    assert changed["process"]["rules"]["decision"] == "unanimity"
    assert changed["process"]["rules"]["fallback"] is None


def test_set_addresses_list_items_by_id():
    result = invoke("run", CLASSROOM, "--json", "--set", "delegations.ALD.bloc=sovereign")
    data = json.loads(result.stdout)
    assert next(d for d in data["delegations"] if d["id"] == "ALD")["bloc"] == "sovereign"


def test_out_writes_all_files_and_a_manifest(tmp_path):
    out = tmp_path / "run1"
    result = invoke("run", CLASSROOM, "--seed", 2, "--out", out, "--set", "process.rounds=6")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 2
    assert manifest["overrides"] == ["process.rounds=6"]
    assert manifest["scenario"]["process"]["rounds"] == 6
    assert manifest["versions"]["mesa"]
    assert [entry["path"] for entry in manifest["inputs"]] == [str(CLASSROOM)]
    assert len(manifest["inputs"][0]["sha256"]) == 64
    assert "commit" in manifest["git"]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["seed"] == 2
    events = (out / "events.csv").read_text().splitlines()
    assert events[0].startswith("round,stage,provision")
    delegations = (out / "delegations.csv").read_text().splitlines()
    assert len(delegations) == 13
    # no staging folders are left beside the results
    assert [p.name for p in tmp_path.iterdir()] == ["run1"]


def test_validate_reports_each_file():
    result = invoke("validate", CLASSROOM)
    assert result.exit_code == 0
    assert (
        "ok:" in result.stdout and "12 delegations, 4 stakeholders, 4 provisions" in result.stdout
    )


def test_schema_is_json_schema_of_the_format():
    schema = json.loads(invoke("schema").stdout)
    assert schema["title"] == "Scenario"
    assert {"provisions", "delegations", "stakeholders", "process", "delegations_csv"} <= set(
        schema["properties"]
    )


SYNTH = (
    "synth",
    "--delegations",
    20,
    "--provisions",
    3,
    "--stakeholders",
    5,
    "--blocs",
    3,
    "--seed",
    9,
)


def test_synth_writes_a_valid_scenario_that_runs(tmp_path):
    path = tmp_path / "synthetic.toml"
    result = invoke(*SYNTH, "--out", path)
    assert result.exit_code == 0, result.stderr
    raw = tomllib.loads(path.read_text())
    counts = [len(raw[table]) for table in ("delegations", "provisions", "stakeholders", "blocs")]
    assert counts == [20, 3, 5, 3]
    assert invoke("run", path).exit_code == 0
    # the same seed writes the same file
    assert invoke(*SYNTH).stdout == path.read_text()


def test_the_command_line_loads_mesa_and_pandas_only_when_a_command_needs_them():
    """`treatysim --help` stays fast: importing the CLI imports neither (benchmarks/bench_startup.py)."""
    import subprocess
    import sys

    code = "import sys, cli; print(sorted({'mesa', 'pandas', 'matplotlib'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
