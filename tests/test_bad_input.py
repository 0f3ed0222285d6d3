"""Bad input: exit code 2, one line per problem naming the file and the field, no traceback."""

import textwrap

import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()

GOOD = """
name = "tiny"
[[provisions]]
id = "x"
title = "X"
[[provisions]]
id = "y"
title = "Y"
[[blocs]]
id = "north"
positions = { x = 10, y = 20 }
[[delegations]]
id = "A"
bloc = "north"
[[delegations]]
id = "B"
positions = { x = 80, y = 70 }
[[stakeholders]]
id = "ngo"
kind = "ngo"
home = "A"
positions = { x = 0 }
"""


def write(tmp_path, text, name="scenario.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.stdout + result.stderr
    return result


def errors(result):
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith("error: ") for line in lines), lines
    return lines


def test_the_good_scenario_is_good(tmp_path):
    assert run("validate", write(tmp_path, GOOD)).exit_code == 0


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ('id = "B"', 'id = "B"\ncapabilty = 3', "delegations[B].capabilty", "unknown key"),
        ('name = "tiny"', 'name = "tiny"\ncolour = "red"', "colour", "unknown key"),
        (
            "positions = { x = 80, y = 70 }",
            "positions = { x = 180, y = 70 }",
            "delegations[B].positions.x",
            "less than or equal to 100",
        ),
        (
            "positions = { x = 80, y = 70 }",
            "positions = { x = 80, y = -1 }",
            "delegations[B].positions.y",
            "greater than or equal to 0",
        ),
        (
            'id = "B"',
            'id = "B"\nsalience = { x = -1, y = 1 }',
            "delegations[B].salience.x",
            "greater than or equal to 0",
        ),
        ('id = "B"', 'id = "B"\ncapability = -2', "delegations[B].capability", "greater than 0"),
        (
            "positions = { x = 80, y = 70 }",
            "positions = { x = 80, y = 70, z = 5 }",
            "delegations[B].positions.z",
            "unknown provision 'z'",
        ),
        (
            'id = "B"',
            'id = "B"\nsalience = { x = 1, y = 1, w = 2 }',
            "delegations[B].salience.w",
            "unknown provision 'w'",
        ),
        ('bloc = "north"', 'bloc = "south"', "delegations[A].bloc", "unknown bloc 'south'"),
        ('home = "A"', 'home = "Z"', "stakeholders[ngo].home", "unknown delegation 'Z'"),
        ('id = "B"', 'id = "A"', "delegations[A]", "duplicate id 'A'"),
        (
            "positions = { x = 80, y = 70 }",
            "positions = { x = 80 }",
            "delegations[B].positions",
            "no position on y",
        ),
        (
            'id = "B"',
            'id = "B"\nsalience = { x = 1 }',
            "delegations[B].salience",
            "salience missing for y",
        ),
        (
            'kind = "ngo"',
            'kind = "church"',
            "stakeholders[ngo].kind",
            "'ngo', 'industry', 'technical' or 'academic'",
        ),
        (
            'name = "tiny"',
            'name = "tiny"\n[process]\ndecision_rule = "plurality"',
            "process.decision_rule",
            "Input should be",
        ),
        (
            'name = "tiny"',
            'name = "tiny"\n[process]\nthreshold = 0.7',
            "process.threshold",
            "has no meaning under consensus",
        ),
        (
            'name = "tiny"',
            'name = "tiny"\n[process]\ndecision_rule = "weighted"\nquota = 99',
            "process.quota",
            "exceeds the 2 votes there are",
        ),
        (
            'name = "tiny"',
            'name = "tiny"\n[process]\nopenness = "wide open"',
            "process.openness",
            "Input should be 'closed'",
        ),
    ],
)
def test_each_problem_names_the_file_and_field(tmp_path, old, new, field, message):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    lines = errors(run("validate", path))
    assert any(f"{path}: {field}: " in line and message in line for line in lines), lines


def test_invalid_toml_names_the_line(tmp_path):
    path = write(tmp_path, GOOD + "\n[[delegations]\n")
    (line,) = errors(run("run", path))
    assert f"{path}: invalid TOML" in line and "line" in line


def test_no_delegations(tmp_path):
    text = GOOD.split("[[delegations]]")[0]
    (line,) = errors(run("validate", write(tmp_path, text)))
    assert "delegations: required field is missing" in line
    text = "delegations = []\n" + GOOD.split("[[delegations]]")[0]
    (line,) = errors(run("validate", write(tmp_path, text)))
    assert "delegations: List should have at least 1 item" in line


def test_all_problems_are_reported_at_once(tmp_path):
    text = GOOD.replace('bloc = "north"', 'bloc = "south"').replace('home = "A"', 'home = "Z"')
    lines = errors(run("validate", write(tmp_path, text)))
    assert len(lines) == 2


def test_missing_file_and_missing_csv(tmp_path):
    (line,) = errors(run("run", tmp_path / "nope.toml"))
    assert "nope.toml: no such file" in line
    path = write(tmp_path, 'delegations_csv = "actors.csv"\n' + GOOD)
    (line,) = errors(run("run", path))
    assert f"{path}: delegations_csv: CSV file not found" in line and "actors.csv" in line


def test_csv_problems_name_the_csv_line_and_column(tmp_path):
    (tmp_path / "actors.csv").write_text(
        "id,name,bloc,capability,pos_x,pos_y\n"
        "C,Cland,north,2,30,40\n"
        "D,Dland,north,two,30,40\n"
        "E,Eland,north,1,130,40\n"
    )
    path = write(tmp_path, 'delegations_csv = "actors.csv"\n' + GOOD)
    lines = errors(run("validate", path))
    csv = tmp_path / "actors.csv"
    assert any(f"{csv} line 3: capability: not a number: 'two'" in line for line in lines), lines
    (tmp_path / "actors.csv").write_text(
        "id,name,bloc,capability,pos_x,pos_y\nE,Eland,north,1,130,40\n"
    )
    lines = errors(run("validate", path))
    assert any(
        f"{csv} line 2: pos_x: " in line and "less than or equal to 100" in line for line in lines
    ), lines


def test_csv_unknown_column(tmp_path):
    (tmp_path / "actors.csv").write_text("id,colour\nC,red\n")
    path = write(tmp_path, 'delegations_csv = "actors.csv"\n' + GOOD)
    (line,) = errors(run("validate", path))
    assert "line 1: colour: unknown column" in line


def test_csv_rows_run_like_toml_rows(tmp_path):
    (tmp_path / "actors.csv").write_text(
        "id,name,bloc,coalitions,capability,seated,pos_x,pos_y,sal_x,sal_y\nC,Cland,north,,2,yes,30,,1,3\n"
    )
    path = write(tmp_path, 'delegations_csv = "actors.csv"\n' + GOOD)
    result = run("validate", path)
    assert result.exit_code == 0, result.stderr
    assert "3 delegations" in result.stdout


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ("process.rounds=abc", "process.rounds", "valid integer"),
        ("process.rounds=0", "process.rounds", "greater than or equal to 1"),
        ("delegations.Z.capability=2", "delegations.Z.capability", "no item with id 'Z'"),
        ("name.first=x", "name.first", "is a value"),
        ("process.colour=1", "process.colour", "unknown key"),
        ("norounds", "norounds", "expected PATH=VALUE"),
    ],
)
def test_bad_overrides(tmp_path, override, field, message):
    path = write(tmp_path, GOOD)
    lines = errors(run("run", path, "--set", override))
    assert any(field in line and message in line for line in lines), lines


def test_nothing_is_written_when_the_run_fails(tmp_path):
    path = write(tmp_path, GOOD.replace('bloc = "north"', 'bloc = "south"'))
    out = tmp_path / "results"
    errors(run("run", path, "--out", out))
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.toml"]


def test_out_that_is_a_file_is_refused(tmp_path):
    path = write(tmp_path, GOOD)
    target = tmp_path / "taken"
    target.write_text("keep me")
    (line,) = errors(run("run", path, "--out", target))
    assert "exists and is not a folder" in line
    assert target.read_text() == "keep me"


def test_bad_numbers_on_the_command_line_exit_2(tmp_path):
    path = write(tmp_path, GOOD)
    for args in (["--seed", "-1"], ["--seed", "abc"]):
        result = run("run", path, *args)
        assert result.exit_code == 2
        assert "--seed" in result.stderr


def test_extends_cycle_and_missing_base(tmp_path):
    a = write(tmp_path, 'extends = "b.toml"\n' + GOOD, "a.toml")
    write(tmp_path, 'extends = "a.toml"\n' + GOOD, "b.toml")
    (line,) = errors(run("validate", a))
    assert "extends: scenarios extend each other in a cycle" in line
    c = write(tmp_path, 'extends = "nowhere"\nname = "c"\n', "c.toml")
    (line,) = errors(run("validate", c))
    assert f"{c}: extends: no such scenario" in line


def test_unreadable_inputs_are_messages_not_tracebacks(tmp_path):
    latin = tmp_path / "latin.toml"
    latin.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    (line,) = errors(run("validate", latin))
    assert f"{latin}: not UTF-8 text" in line
    folder_csv = write(tmp_path, 'delegations_csv = "."\n' + GOOD, "csvdir.toml")
    (line,) = errors(run("validate", folder_csv))
    assert "delegations_csv: cannot read" in line
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_bytes("id,name\nA,Caf\xe9\n".encode("latin-1"))
    path = write(tmp_path, 'delegations_csv = "bad.csv"\n' + GOOD, "badcsv.toml")
    (line,) = errors(run("validate", path))
    assert f"{bad_csv}: not UTF-8 text" in line
    result = run("import", tmp_path, "--format", "long")
    assert result.exit_code == 2 and "cannot read" in result.stderr
    store = tmp_path / "out"
    store.mkdir()
    (store / "results.sqlite").write_text("not a database")
    experiment = write(tmp_path, f'scenario = "{tmp_path / "scenario.toml"}"\n', "e.toml")
    write(tmp_path, GOOD)
    result = run("sweep", experiment, "--out", store, "--workers", "1")
    assert result.exit_code == 2 and "not a treatysim results store" in result.stderr
