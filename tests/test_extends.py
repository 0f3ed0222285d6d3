"""Scenarios that extend another: merge rules, relative paths, provenance."""

import json
import textwrap

from typer.testing import CliRunner

from cli import app
from sim import load_scenario
from sim.scenario.loader import load_with_inputs


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


BASE = """
name = "base"
delegations_csv = "actors.csv"
[[provisions]]
id = "x"
title = "X"
[process]
decision_rule = "consensus"
rounds = 7
openness = "itu_2012"
[process.signing]
bloc_pull = 0.3
"""


def make_base(tmp_path):
    write(tmp_path / "base" / "actors.csv", "id,pos_x\nA,10\nB,90\nC,50\n")
    return write(tmp_path / "base" / "scenario.toml", BASE)


def test_a_child_changes_only_what_it_names(tmp_path):
    make_base(tmp_path)
    child = write(
        tmp_path / "child" / "scenario.toml",
        """
        extends = "../base"
        name = "child"
        [process]
        openness = "multistakeholder"
        [process.signing]
        sign_threshold = 0.01
        """,
    )
    spec, inputs = load_with_inputs(child)
    assert spec.name == "child"
    assert [d.id for d in spec.delegations] == ["A", "B", "C"]  # CSV relative to the base
    assert spec.process.rounds == 7  # kept from the base
    assert spec.process.openness.preset == "multistakeholder"  # replaced
    assert spec.process.signing.bloc_pull == 0.3  # merged table keeps the base's key
    assert spec.process.signing.sign_threshold == 0.01
    assert [p.name for p in inputs] == ["scenario.toml", "actors.csv", "scenario.toml"]


def test_lists_are_replaced_as_a_whole(tmp_path):
    make_base(tmp_path)
    child = write(
        tmp_path / "child.toml",
        """
        extends = "base/scenario.toml"
        [[delegations]]
        id = "Z"
        positions = { x = 40 }
        """,
    )
    assert [d.id for d in load_scenario(child).delegations] == ["Z"]


def test_errors_in_a_base_csv_name_the_base_csv(tmp_path):
    make_base(tmp_path)
    write(tmp_path / "base" / "actors.csv", "id,pos_x\nA,10\nB,190\n")
    child = write(tmp_path / "child.toml", 'extends = "base"\n')
    result = CliRunner().invoke(app, ["validate", str(child)])
    assert result.exit_code == 2
    assert "actors.csv line 3: pos_x:" in result.stderr


def test_the_manifest_lists_every_input(tmp_path):
    make_base(tmp_path)
    child = write(tmp_path / "child.toml", 'extends = "base"\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(child), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    inputs = json.loads((out / "manifest.json").read_text())["inputs"]
    assert [entry["path"].rsplit("/", 1)[-1] for entry in inputs] == [
        "scenario.toml",
        "actors.csv",
        "child.toml",
    ]
