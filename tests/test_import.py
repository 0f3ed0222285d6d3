"""Importing decision-model data: both layouts, rescaling, round trips, malformed input."""

import textwrap
import tomllib

import numpy as np
import pytest
from typer.testing import CliRunner

from cli import app
from sim.scenario.exporters import write_decide, write_long
from sim.scenario.importers import read_table, to_scenario
from sim.scenario.loader import validate

runner = CliRunner()

LONG = """\
actor,issue,position,salience,capability,bloc
North,tax,2,0.8,30,rich
North,aid,1,0.2,30,rich
South,tax,8,0.5,10,poor
South,aid,9,0.9,10,poor
East,tax,5,1.0,5,poor
status_quo,tax,0,,,
status_quo,aid,3,,,
"""

DECIDE = """\
'#0'\t'a comment'
'#A'\t'EU'\t'European Union'\t''
'#A'\t'US'\t'United States'\t''
'#A'\t'CN'\t'China (incl. HK)'\t''
'#P'\t'legal'\t'Legal form'\t'binding or not'
'#M'\t'legal'\t0\t'political declaration'
'#M'\t'legal'\t1\t'binding treaty'
'#P'\t'finance'\t'Finance'\t''
'#M'\t'finance'\t0
'#M'\t'finance'\t10
'#D'\t'EU'\t'legal'\t1.0\t0.9\t0.3
'#D'\t'EU'\t'finance'\t6\t0.4\t0.3
'#D'\t'US'\t'legal'\t0.2\t0.8\t0.4
'#D'\t'US'\t'finance'\t3\t0.6\t0.2
'#D'\t'CN'\t'legal'\t0.0\t0.7\t0.3
'#D'\t'CN'\t'finance'\t1\t0.5\t0.3
'#/'
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def scenario_of(path, layout):
    return validate(to_scenario(read_table(path, layout)), str(path))


def test_long_import_rescales_fills_gaps_and_keeps_blocs(tmp_path):
    spec = scenario_of(write(tmp_path, "eu.csv", LONG), "long")
    a = spec.arrays
    assert a.provision_ids == ("tax", "aid")
    assert a.delegation_ids == ("North", "South", "East")
    # positions on 0–10 (the smallest standard range holding them) become 0–100
    assert a.ideal[0].tolist() == [20.0, 10.0]
    assert a.status_quo.tolist() == [0.0, 30.0]
    assert a.capability.tolist() == [30.0, 10.0, 5.0]
    assert a.delegation_blocs == ("rich", "poor", "poor")
    # East had no position on aid: the capability-weighted mean, with zero salience
    assert a.ideal[2, 1] == pytest.approx((1 * 30 + 9 * 10) / 40 * 10)
    assert a.salience[2].tolist() == [1.0, 0.0]
    assert "1 actor-issue pair had no position" in spec.description
    assert "Source scale 0–10" in spec.provisions[0].description


def test_decide_import_uses_the_meanings_scale_and_averages_power(tmp_path):
    spec = scenario_of(write(tmp_path, "cop.tsv", DECIDE), "decide")
    a = spec.arrays
    assert a.provision_ids == ("legal", "finance")
    assert [d.name for d in spec.delegations] == [
        "European Union",
        "United States",
        "China (incl. HK)",
    ]
    assert a.ideal[:, 0].tolist() == [100.0, 20.0, 0.0]  # #M 0..1
    assert a.ideal[:, 1].tolist() == [60.0, 30.0, 10.0]  # #M 0..10
    assert a.capability[1] == pytest.approx(0.3)  # power 0.4 and 0.2
    assert "Power varied by issue for 1 actor; capability is its mean" in spec.description
    assert spec.provisions[0].title == "Legal form"


@pytest.mark.parametrize(
    ("layout", "text", "writer"), [("long", LONG, write_long), ("decide", DECIDE, write_decide)]
)
def test_import_round_trips(tmp_path, layout, text, writer):
    first = scenario_of(write(tmp_path, "source", text), layout)
    again = scenario_of(write(tmp_path, "written", writer(first)), layout)
    for name in ("ideal", "salience", "capability", "status_quo"):
        assert np.allclose(getattr(first.arrays, name), getattr(again.arrays, name)), name
    assert first.arrays.delegation_ids == again.arrays.delegation_ids
    assert first.arrays.provision_ids == again.arrays.provision_ids


def test_import_command_writes_a_scenario_that_runs(tmp_path):
    source = write(tmp_path, "cop.tsv", DECIDE)
    out = tmp_path / "cop.toml"
    result = runner.invoke(app, ["import", str(source), "--format", "decide", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert tomllib.loads(out.read_text())["name"] == "Imported from cop.tsv"
    assert runner.invoke(app, ["run", str(out)]).exit_code == 0


def test_explicit_scale(tmp_path):
    source = write(tmp_path, "eu.csv", LONG)
    result = runner.invoke(app, ["import", str(source), "--format", "long", "--scale", "0:20"])
    assert result.exit_code == 0, result.stderr
    raw = tomllib.loads(result.stdout)
    assert raw["delegations"][0]["positions"]["tax"] == 10.0


@pytest.mark.parametrize(
    ("layout", "text", "expected"),
    [
        ("long", "actor,issue,position\nA,x,1\n", "line 1: header: missing salience, capability"),
        (
            "long",
            LONG.replace("South,tax,8,", "South,tax,eight,"),
            "line 4: position: not a number: 'eight'",
        ),
        (
            "long",
            LONG.replace("South,tax,8,0.5,10", "South,tax,8,-0.5,10"),
            "line 4: salience: must be ≥ 0",
        ),
        (
            "long",
            LONG.replace("East,tax,5,1.0,5", "East,tax,5,1.0,0"),
            "line 6: capability: must be > 0",
        ),
        (
            "long",
            LONG.replace("East,tax,5,1.0,5", "East,tax,5,1.0,inf"),
            "line 6: capability: must be a finite number",
        ),
        (
            "long",
            LONG.replace("South,tax,8,0.5,10", "South,tax,8,1e999,10"),
            "line 4: salience: must be a finite number",
        ),
        (
            "long",
            LONG.replace("South,tax,8,", "South,tax,-inf,"),
            "line 4: position: must be a finite number",
        ),
        (
            "decide",
            DECIDE.replace("\t0.2\t0.8\t0.4", "\t0.2\t0.8\tnan"),
            "line 13: power: must be a finite number",
        ),
        (
            "long",
            LONG + "North,tax,3,0.1,30,rich\n",
            "line 9: a second row for actor 'North' on issue 'tax' (first at line 2)",
        ),
        (
            "long",
            LONG.replace("South,aid,9,0.9,10,poor", "South,aid,9,0.9,10,rich"),
            "line 5: bloc: actor 'South' was in bloc 'poor'",
        ),
        (
            "decide",
            DECIDE.replace("'#D'\t'CN'\t'legal'", "'#D'\t'RU'\t'legal'"),
            "line 15: #D: actor 'RU' has no #A row",
        ),
        ("decide", DECIDE.replace("'#/'", "'#X'\t'what'"), "line 17: unknown row type '#X'"),
        (
            "decide",
            DECIDE.replace("\t0.2\t0.8\t0.4", "\t0.2\t0.8"),
            "line 13: #D: needs actor, issue, position, salience, power",
        ),
        (
            "decide",
            DECIDE.replace("'#D'\t'EU'\t'legal'\t1.0", "'#D'\t'EU'\t'legal'\t1.5"),
            "EU / legal: position 1.5 outside the scale 0–1 (#M meanings)",
        ),
    ],
)
def test_malformed_input_exits_2_naming_the_line_and_writes_nothing(
    tmp_path, layout, text, expected
):
    source = write(tmp_path, "data", text)
    out = tmp_path / "out.toml"
    result = runner.invoke(app, ["import", str(source), "--format", layout, "--out", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert any(expected in line for line in result.stderr.splitlines()), result.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_bad_format_and_scale_options(tmp_path):
    source = write(tmp_path, "eu.csv", LONG)
    assert runner.invoke(app, ["import", str(source), "--format", "xml"]).exit_code == 2
    result = runner.invoke(app, ["import", str(source), "--format", "long", "--scale", "10:0"])
    assert result.exit_code == 2 and "HIGH must exceed LOW" in result.stderr


def test_import_names_and_describes_the_scenario_in_sentences(tmp_path):
    one_issue = "actor,issue,position,salience,capability\nA,tax,1,1,1\nB,tax,9,1,2\n"
    source = write(tmp_path, "long.csv", one_issue)
    result = runner.invoke(app, ["import", str(source), "--format", "long"])
    assert result.exit_code == 0, result.stderr
    raw = tomllib.loads(result.stdout)
    assert raw["name"] == "Imported from long.csv"
    assert "2 actors, 1 issue." in raw["description"]
    named = runner.invoke(app, ["import", str(source), "--format", "long", "--name", "Tax talks"])
    assert tomllib.loads(named.stdout)["name"] == "Tax talks"
    cop = runner.invoke(
        app, ["import", str(write(tmp_path, "cop.tsv", DECIDE)), "--format", "decide"]
    )
    legal = tomllib.loads(cop.stdout)["provisions"][0]["description"]
    assert legal.startswith("binding or not. Source scale 0–1")


@pytest.mark.parametrize(
    ("name", "text", "layout", "hint"),
    [("cop.tsv", DECIDE, "long", "--format decide"), ("eu.csv", LONG, "decide", "--format long")],
)
def test_the_wrong_format_is_one_problem_with_a_hint(tmp_path, name, text, layout, hint):
    source = write(tmp_path, name, text)
    result = runner.invoke(app, ["import", str(source), "--format", layout])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {source}") and hint in line, line


def test_import_never_overwrites_its_source(tmp_path):
    source = write(tmp_path, "eu.csv", LONG)
    result = runner.invoke(app, ["import", str(source), "--format", "long", "--out", str(source)])
    assert result.exit_code == 2 and "--out: is the file being imported" in result.stderr
    assert source.read_text() == textwrap.dedent(LONG)
