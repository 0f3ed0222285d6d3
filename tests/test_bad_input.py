"""Bad input: exit code 2, one line per problem naming the file and the field, no traceback."""

import csv
import json
import os
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

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


# --- every number finite and in range (issue 12, item 3) ---------------------------------------

NUMBER_FIELDS = [
    "delegations.A.capability",
    "delegations.A.votes",
    "delegations.B.salience.x",
    "delegations.B.positions.x",
    "stakeholders.ngo.resources",
    "process.domestic.uncertainty",
    "process.persuasion.susceptibility",
    "process.signing.sign_threshold",
    "process.signing.grievance",
    "process.voting.call_cost",
    "process.concession.style",
]


@pytest.mark.parametrize("field", NUMBER_FIELDS)
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "2e308", "1e300"])
def test_numbers_must_be_finite_and_in_range(tmp_path, field, value):
    path = write(tmp_path, GOOD.replace('id = "B"', 'id = "B"\nsalience = { x = 1, y = 1 }'))
    assert run("validate", path).exit_code == 0
    lines = errors(run("validate", path, "--set", f"{field}={value}"))
    shown = field.replace("delegations.A", "delegations[A]").replace(
        "delegations.B", "delegations[B]"
    )
    shown = shown.replace("stakeholders.ngo", "stakeholders[ngo]")
    assert any(shown in line for line in lines), lines


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('id = "B"', 'id = "B"\ncapability = inf', "delegations[B].capability"),
        ('id = "B"', 'id = "B"\nvotes = nan', "delegations[B].votes"),
        ('name = "tiny"', 'name = "tiny"\n[process]\nrounds = true', "process.rounds"),
        (
            'name = "tiny"',
            'name = "tiny"\n[process.signing]\nbloc_pull = true',
            "process.signing.bloc_pull",
        ),
        (
            'name = "tiny"',
            'name = "tiny"\n[process.mechanisms]\npersuasion = 1',
            "process.mechanisms.persuasion",
        ),
        ('id = "B"', 'id = "B"\ncapability = 1e16', "delegations[B].capability"),
    ],
)
def test_file_numbers_finite_in_range_and_not_booleans(tmp_path, old, new, field):
    path = write(tmp_path, GOOD.replace(old, new, 1))
    lines = errors(run("validate", path))
    assert any(f"{path}: {field}: " in line for line in lines), lines


def test_csv_cells_must_be_finite(tmp_path):
    (tmp_path / "actors.csv").write_text(
        "id,capability,votes,pos_x,pos_y\nC,inf,1,10,10\nD,1,nan,10,10\nE,1,1,10,-inf\n"
    )
    path = write(tmp_path, 'delegations_csv = "actors.csv"\n' + GOOD)
    lines = errors(run("validate", path))
    csv = tmp_path / "actors.csv"
    for where in ("line 2: capability", "line 3: votes", "line 4: pos_y"):
        assert any(f"{csv} {where}: " in line for line in lines), (where, lines)


def test_power_with_huge_weights_is_a_message_not_an_overflow(tmp_path):
    path = write(tmp_path, GOOD.replace('id = "B"', 'id = "B"\ncapability = 1e308', 1))
    text = path.read_text().replace('id = "A"', 'id = "A"\ncapability = 1e308', 1)
    path.write_text(text)
    (line, *_) = errors(run("power", path))
    assert "capability" in line
    for args in (["--threshold", "inf"], ["--quota", "nan"]):
        lines = errors(run("power", write(tmp_path, GOOD), "--rule", "weighted", *args))
        assert any(args[0].lstrip("-") in line for line in lines), lines


def test_json_and_manifest_never_hold_infinity(tmp_path):
    infinite = write(tmp_path, GOOD.replace('id = "B"', 'id = "B"\ncapability = inf', 1))
    out = tmp_path / "results"
    for command in (["run", infinite, "--json", "--out", out], ["power", infinite, "--json"]):
        (line, *_) = errors(run(*command))
        assert "delegations[B].capability" in line and "finite" in line
    assert not out.exists()
    large = write(tmp_path, GOOD.replace('id = "B"', 'id = "B"\ncapability = 1e15', 1), "l.toml")
    for command in (["run", large, "--json", "--out", out], ["power", large, "--json"]):
        result = run(*command)
        assert result.exit_code == 0, result.stderr
        assert "Infinity" not in result.stdout and "NaN" not in result.stdout
    assert "Infinity" not in (out / "manifest.json").read_text()


# --- size and depth are bounded up front (issue 12, item 10) -----------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a" + ".a" * 1000 + " = 1\n",
        "a = " + "[" * 1000 + "]" * 1000 + "\n",
        "a = " + "{b = " * 1000 + "1" + "}" * 1000 + "\n",
        "[" + ".".join(["t"] * 1000) + "]\n",
    ],
    ids=["dotted key", "arrays", "inline tables", "table header"],
)
def test_deep_nesting_in_a_file_is_refused(tmp_path, text):
    path = write(tmp_path, GOOD + text)
    (line,) = errors(run("validate", path))
    assert f"{path}: " in line and "nested deeper than" in line


@pytest.mark.parametrize(
    "override",
    [
        "process" + ".a" * 1000 + "=1",
        "process.a=" + "[" * 1000 + "]" * 1000,
        "process.a=" + "{b=" * 1000 + "1" + "}" * 1000,
        "process.a=" + "{" + ".".join(["b"] * 1000) + "=1}",
    ],
    ids=["path", "arrays", "inline tables", "dotted key"],
)
def test_deep_nesting_in_an_override_is_refused(tmp_path, override):
    (line,) = errors(run("validate", write(tmp_path, GOOD), "--set", override))
    assert line.startswith("error: --set: ") and "nested deeper than" in line


def test_a_dotted_key_bomb_is_refused_before_it_is_parsed(tmp_path):
    # 40 KB of one dotted key took tomllib seconds and gigabytes (quadratic in its depth)
    path = write(tmp_path, "a" + ".a" * 20_000 + " = 1\n")
    started = time.perf_counter()
    (line,) = errors(run("validate", path))
    assert time.perf_counter() - started < 2
    assert "nested deeper than" in line


def test_long_extends_chains_are_refused(tmp_path):
    write(tmp_path, GOOD, "base.toml")
    for n in (40, 1100):
        folder = tmp_path / f"chain{n}"
        folder.mkdir()
        (folder / "0.toml").write_text('extends = "../base.toml"\n')
        for i in range(1, n):
            (folder / f"{i}.toml").write_text(f'extends = "{i - 1}.toml"\n')
        (line,) = errors(run("validate", folder / f"{n - 1}.toml"))
        assert "extends: a chain of more than" in line, line


def test_files_over_the_size_limit_are_refused(tmp_path, monkeypatch):
    import sim.errors

    monkeypatch.setattr(sim.errors, "MAX_TOML_BYTES", 1000)
    path = write(tmp_path, GOOD + "#" * 1000)
    (line,) = errors(run("validate", path))
    assert f"{path}: cannot read: larger than 1000 bytes" in line


# --- only regular files of bounded size, content never echoed (issue 12, item 11) --------------


def run_process(*args, limit_memory=True, timeout=30):
    """Run the command line in a child process, memory capped, so a hang or a leak fails fast."""

    def cap():
        if limit_memory:
            resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    return subprocess.run(
        [sys.executable, "-m", "cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap,
        cwd=Path(__file__).resolve().parent.parent,
    )


@pytest.mark.parametrize("key", ["delegations_csv", "extends"])
def test_a_fifo_is_refused_not_waited_for(tmp_path, key):
    os.mkfifo(tmp_path / "pipe")
    path = write(tmp_path, f'{key} = "pipe"\n' + GOOD)
    result = run_process("validate", path, timeout=20)
    assert result.returncode == 2, result.stderr
    assert "not a regular file" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("key", ["delegations_csv", "extends"])
def test_dev_zero_is_refused_not_read(tmp_path, key):
    path = write(tmp_path, f'{key} = "/dev/zero"\n' + GOOD)
    result = run_process("validate", path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "not a regular file" in result.stderr and "Traceback" not in result.stderr


def test_a_file_that_is_not_a_table_is_never_echoed(tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$SECRETHASH:19000:0:99999:7:::\nuser:$6$OTHER:1:2:3\n")
    for key in ("delegations_csv", "stakeholders_csv", "extends"):
        path = write(tmp_path, f'{key} = "shadow"\n' + GOOD)
        lines = errors(run("validate", path))
        assert not any("SECRET" in line or "OTHER" in line for line in lines), lines
    result = run("import", secret, "--format", "long")
    assert result.exit_code == 2 and "SECRET" not in result.stderr, result.stderr
    result = run("import", secret, "--format", "decide")
    assert result.exit_code == 2 and "SECRET" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_environment_is_never_echoed(tmp_path, monkeypatch):
    monkeypatch.setenv("TREATYSIM_TEST_SECRET", "hunter2-do-not-print")
    path = write(tmp_path, 'delegations_csv = "/proc/self/environ"\n' + GOOD)
    result = run("validate", path)
    assert result.exit_code == 2
    assert "hunter2" not in result.stderr, result.stderr


# --- file problems are messages, not tracebacks (issue 12, item 12) ----------------------------


def test_a_csv_cell_over_128_kb(tmp_path):
    (tmp_path / "actors.csv").write_text("id,name\nC," + "x" * 200_000 + "\n")
    path = write(tmp_path, 'delegations_csv = "actors.csv"\n' + GOOD)
    (line,) = errors(run("validate", path))
    assert "actors.csv line 2: " in line and "longer than" in line


@pytest.mark.parametrize("key", [None, "delegations_csv", "extends"])
@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("loop", "symbolic links"),
        ("a" * 300 + ".toml", "file name too long"),
        ("scenario.toml/inside.toml", "not a folder"),
        ("nul\0byte.toml", "NUL"),
    ],
    ids=["symlink loop", "name too long", "file as folder", "NUL"],
)
def test_unreadable_paths_are_messages(tmp_path, key, target, message):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    good = write(tmp_path, GOOD)
    if key is None and "\0" in target:  # Typer refuses it as a usage error, exit 2
        result = run("validate", tmp_path / target)
        # Python's words: "embedded null byte" (3.11, 3.12), "null character" (3.13)
        assert result.exit_code == 2 and "embedded null" in result.stderr
        return
    if key is None:
        path = tmp_path / target
    else:
        path = write(tmp_path, f"{key} = {json.dumps(target)}\n" + GOOD, "outer.toml")
    lines = errors(run("validate", path))
    assert len(lines) == 1 and message in lines[0], lines
    assert good.exists()


def test_permission_denied_is_a_message(tmp_path, monkeypatch):
    # root reads everything, so a folder without permissions cannot be tested directly
    import sim.errors

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    path = write(tmp_path, GOOD)
    monkeypatch.setattr(sim.errors.os, "open", refuse)
    (line,) = errors(run("validate", path))
    assert f"{path}: cannot read: permission denied" in line.lower()


@pytest.mark.parametrize("out", [".", "/", "folder"])
def test_import_out_a_folder_is_refused(tmp_path, monkeypatch, out):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "eu.csv").write_text("actor,issue,position,salience,capability\nA,x,1,1,1\n")
    (line,) = errors(run("import", "eu.csv", "--format", "long", "--out", out))
    assert "--out: is a folder" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eu.csv", "folder"]


# --- one line per problem; duplicate headers; BOM; booleans (issue 12, item 13) ----------------

FORGED = "x\nerror: forged\rline\u2028"


@pytest.mark.parametrize(
    "case",
    ["toml key", "id", "csv header", "csv id", "override path", "extends path", "csv path"],
)
def test_control_characters_never_split_a_problem_line(tmp_path, case):
    args = []
    text = GOOD
    if case == "toml key":
        text = GOOD.replace('name = "tiny"', f'name = "tiny"\n{json.dumps(FORGED)} = 1')
    elif case == "id":
        text = GOOD.replace('id = "B"', f"id = {json.dumps(FORGED)}")
    elif case in ("csv header", "csv id"):
        header, cell = (FORGED, "C") if case == "csv header" else ("name", FORGED)
        with open(tmp_path / "actors.csv", "w", newline="") as handle:
            csv.writer(handle).writerows([["id", header], [cell, "x"]])
        text = 'delegations_csv = "actors.csv"\n' + GOOD
    elif case == "override path":
        args = ["--set", f"process.{FORGED}=1"]
    else:
        key = "extends" if case == "extends path" else "delegations_csv"
        text = f"{key} = {json.dumps(FORGED)}\n" + GOOD
    path = write(tmp_path, text)
    lines = errors(run("validate", path, *args))  # every line starts with "error: "
    assert "error: forged" not in lines
    assert any("\\n" in line and "\\r" in line for line in lines), lines


def test_duplicate_csv_headers_are_refused(tmp_path):
    (tmp_path / "actors.csv").write_text("id,capability,pos_x,capability\nC,2,10,3\n")
    path = write(tmp_path, 'delegations_csv = "actors.csv"\n' + GOOD)
    (line,) = errors(run("validate", path))
    assert "actors.csv line 1: capability: column given twice" in line


def test_byte_order_marks_are_accepted_in_toml_and_csv(tmp_path):
    (tmp_path / "actors.csv").write_bytes(b"\xef\xbb\xbfid,pos_x,pos_y\nC,10,20\n")
    path = tmp_path / "scenario.toml"
    path.write_bytes(b"\xef\xbb\xbf" + ('delegations_csv = "actors.csv"\n' + GOOD).encode())
    result = run("validate", path)
    assert result.exit_code == 0, result.stderr
    assert "3 delegations" in result.stdout


# --- where a problem came from, what was meant, all at once (issue 12, item 15) ----------------


def test_override_problems_say_they_came_from_set_and_suggest_a_key(tmp_path):
    path = write(tmp_path, GOOD)
    (line,) = errors(run("validate", path, "--set", "process.rules=majority"))
    assert line == (
        "error: --set: process.rules: unknown key; did you mean 'decision_rule'? "
        "(not part of the scenario format; see docs/scenario-format.md)"
    )
    (line,) = errors(run("validate", path, "--set", "process.rouds=12"))
    assert line.startswith("error: --set: process.rouds: unknown key; did you mean 'rounds'?")
    (line,) = errors(run("validate", path, "--set", "delegations.B.capability=-1"))
    assert line.startswith("error: --set: delegations[B].capability: ")
    (line,) = errors(run("validate", path, "--set", "delegations.b.capability=1"))
    assert line.startswith("error: --set: delegations.b.capability: no item with id 'b'")
    assert "did you mean 'B'?" in line


def test_power_options_are_named_in_their_problems(tmp_path):
    path = write(tmp_path, GOOD)
    (line,) = errors(run("power", path, "--rule", "weighted", "--threshold", "0.3"))
    assert line.startswith("error: --threshold: process.threshold: must be at least 0.5")


@pytest.mark.parametrize(
    ("old", "new", "field", "suggestion"),
    [
        ('id = "B"', 'id = "B"\ncapabilty = 3', "delegations[B].capabilty", "'capability'"),
        ('name = "tiny"', 'name = "tiny"\ndelegation_csv = "x.csv"', "delegation_csv", None),
        ('name = "tiny"', 'name = "tiny"\n[process]\nround = 3', "process.round", "'rounds'"),
        ('bloc = "north"', 'bloc = "nort"', "delegations[A].bloc", "'north'"),
        ('home = "A"', 'home = "a"', "stakeholders[ngo].home", "'A'"),
        (
            "positions = { x = 0 }",
            "positions = { xx = 0 }",
            "stakeholders[ngo].positions.xx",
            "'x'",
        ),
    ],
)
def test_unknown_keys_and_ids_in_files_suggest_the_nearest(tmp_path, old, new, field, suggestion):
    path = write(tmp_path, GOOD.replace(old, new, 1))
    lines = errors(run("validate", path))
    (line,) = [line for line in lines if f"{path}: {field}: " in line]
    if suggestion is None:
        suggestion = "'delegations_csv'"
    assert f"did you mean {suggestion}?" in line, line


def test_csv_unknown_column_suggests_the_nearest(tmp_path):
    (tmp_path / "actors.csv").write_text("id,capabilty\nC,2\n")
    path = write(tmp_path, 'delegations_csv = "actors.csv"\n' + GOOD)
    (line,) = errors(run("validate", path))
    assert "capabilty: unknown column; did you mean 'capability'?" in line


def test_reference_problems_are_reported_with_field_problems(tmp_path):
    text = (
        GOOD.replace('bloc = "north"', 'bloc = "south"')
        .replace('id = "B"', 'id = "B"\ncapability = -2')
        .replace('name = "tiny"', 'name = "tiny"\n[process]\nrounds = 0')
        .replace('home = "A"', 'home = "Z"')
    )
    path = write(tmp_path, text)
    lines = errors(run("validate", path))
    for expected in (
        "delegations[B].capability: ",
        "process.rounds: ",
        "delegations[A].bloc: unknown bloc 'south'",
        "stakeholders[ngo].home: unknown delegation 'Z'",
    ):
        assert any(expected in line for line in lines), (expected, lines)
    assert len(lines) == 4, lines


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('bloc = "north"', 'bloc = "south"'),
        ('bloc = "north"', 'bloc = "north"\ncoalitions = ["north", "east"]'),
        ('id = "north"', 'id = "north"\nparent = "west"'),
        ('home = "A"', 'home = "Z"'),
        ("positions = { x = 80, y = 70 }", "positions = { x = 80, y = 70, z = 1 }"),
        ("positions = { x = 10, y = 20 }", "positions = { x = 10, y = 20 }\nsalience = { w = 1 }"),
        ("positions = { x = 0 }", "positions = { x = 0 }\nsalience = { x = 1, y = 2 }"),
        ('id = "B"', 'id = "A"'),
    ],
)
def test_raw_reference_checks_say_what_the_compiled_checks_say(old, new):
    """The raw checks (used when fields fail) and compile_scenario's agree, word for word."""
    import tomllib

    from pydantic import ValidationError

    from sim.scenario.problems import reference_problems
    from sim.scenario.schema import Scenario

    raw = tomllib.loads(GOOD.replace(old, new, 1))
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate(raw)
    (item,) = caught.value.errors()
    assert item["loc"] == ()
    assert sorted(reference_problems(raw)) == sorted(item["ctx"]["error"].problems)
