"""A corpus of hostile inputs every command must answer with a message, never a traceback.

Each case is a scenario, an override or a data file that once crashed, hung, ate memory, echoed
a file that was not a scenario, overwrote what it should not, or printed a problem over several
lines. Every command that reads it — ``validate``, ``run``, ``power`` (scenarios), ``import``
(data files), ``sweep`` and ``export`` (addresses and output paths) — must exit with code 2 and
print exactly the expected number of problem lines, each starting with ``error:``, quoting
nothing secret and changing no file. Cases that could hang or fill
memory if they regressed (a FIFO, ``/dev/zero``) run in a child process with a timeout and a
memory cap.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parent.parent
SECRET = "hunter2-SECRET"
runner = CliRunner()

GOOD = textwrap.dedent(
    """
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
)
LONG = "actor,issue,position,salience,capability\nA,tax,2,0.8,30\nB,tax,8,0.5,10\n"
DECIDE = "'#A'\t'A'\n'#A'\t'B'\n'#P'\t'tax'\n'#D'\t'A'\t'tax'\t1\t1\t1\n'#D'\t'B'\t'tax'\t2\t1\t1\n"
FORGED = "x\nerror: forged\r\u2028"


def good(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


def with_key(key: str, value: str) -> str:
    return f"{key} = {json.dumps(value)}\n" + GOOD


def csv_table(text: str) -> str:
    return "delegations_csv = 'actors.csv'\n" + GOOD, text


#: name → (scenario text, or (scenario text, actors.csv text), expected problem lines)
SCENARIOS = {
    "infinite capability": (good('id = "B"', 'id = "B"\ncapability = inf'), 1),
    "nan votes": (good('id = "B"', 'id = "B"\nvotes = nan'), 1),
    "overflowing capabilities": (
        good('id = "B"', 'id = "B"\ncapability = 1e308').replace(
            'id = "A"', 'id = "A"\ncapability = 1e308'
        ),
        2,
    ),
    "rounds = true": (good('name = "tiny"', 'name = "tiny"\n[process]\nrounds = true'), 1),
    "sign threshold -inf": (
        good('name = "tiny"', 'name = "tiny"\n[process.signing]\nsign_threshold = -inf'),
        1,
    ),
    "dotted key bomb": ("a" + ".a" * 30_000 + " = 1\n", 1),
    "deep arrays": (GOOD + "a = " + "[" * 2000 + "]" * 2000 + "\n", 1),
    "deep inline tables": (GOOD + "a = " + "{b=" * 2000 + "1" + "}" * 2000 + "\n", 1),
    "deep table header": (GOOD + "[" + ".".join("t" * 2000) + "]\n", 1),
    "extends itself": (with_key("extends", "scenario.toml"), 1),
    "extends a secret": (with_key("extends", "secret"), 1),
    "csv is a secret": (with_key("delegations_csv", "secret"), 1),
    "csv is the environment": (with_key("delegations_csv", "/proc/self/environ"), 1),
    "csv is a symlink loop": (with_key("delegations_csv", "loop"), 1),
    "extends a symlink loop": (with_key("extends", "loop"), 1),
    "csv path with NUL": (with_key("delegations_csv", "a\0b.csv"), 1),
    "extends path with NUL": (with_key("extends", "a\0b.toml"), 1),
    "csv name too long": (with_key("delegations_csv", "n" * 300 + ".csv"), 1),
    "csv under a file": (with_key("delegations_csv", "secret/actors.csv"), 1),
    "csv is a folder": (with_key("delegations_csv", "."), 1),
    "csv too large": (with_key("delegations_csv", "sparse.csv"), 1),
    "extends too large": (with_key("extends", "sparse.csv"), 1),
    "csv cell over 128 KB": (csv_table("id,name\nC," + "x" * 200_000 + "\n"), 1),
    "csv duplicate header": (csv_table("id,capability,capability\nC,1,2\n"), 1),
    "csv header with newline": (csv_table(f'id,"{FORGED}"\nC,1\n'), 1),
    "csv id with newline": (csv_table(f'id,pos_x,pos_y\n"{FORGED}",1,2\n'), 1),
    "csv infinite cell": (csv_table("id,capability,pos_x,pos_y\nC,inf,1,2\n"), 1),
    "key with newline": (good('name = "tiny"', f'name = "tiny"\n{json.dumps(FORGED)} = 1'), 1),
    "id with newline": (good('id = "B"', f"id = {json.dumps(FORGED)}"), 1),
    "extends path with newline": (with_key("extends", FORGED), 1),
    "typo and unknown bloc at once": (
        good('bloc = "north"', 'bloc = "nort"').replace('id = "B"', 'id = "B"\ncapabilty = 2'),
        2,
    ),
    "invalid TOML": (GOOD + "[[delegations]\n", 1),
    "empty": ("", 3),
}

#: name → (--set value, expected problem lines)
OVERRIDES = {
    "infinite": ("delegations.A.capability=inf", 1),
    "nan": ("delegations.A.votes=nan", 1),
    "overflow": ("delegations.A.capability=1e400", 1),
    "boolean rounds": ("process.rounds=true", 1),
    "deep path": ("process" + ".a" * 2000 + "=1", 1),
    "deep arrays": ("process.a=" + "[" * 2000 + "]" * 2000, 1),
    "deep inline tables": ("process.a=" + "{b=" * 2000 + "1" + "}" * 2000, 1),
    "dotted key bomb": ("process.a={" + ".".join("b" * 30_000) + "=1}", 1),
    "newline in path": (f"process.{FORGED}=1", 1),
    "typo": ("process.rouds=3", 1),
    "no such item": ("delegations.Z.capability=1", 1),
    "no value": ("process.rounds", 1),
    "no path": ("=1", 1),
}

#: name → (file name, text or bytes, --format, extra arguments, expected problem lines)
IMPORTS = {
    "secret as long": ("secret", None, "long", [], 1),
    "secret as decide": ("secret", None, "decide", [], 1),
    "environment": ("/proc/self/environ", None, "long", [], 1),
    "infinite capability": ("eu.csv", LONG.replace("30", "inf"), "long", [], 1),
    "nan power": ("cop.tsv", DECIDE.replace("\t1\n", "\tnan\n", 1), "decide", [], 1),
    "overflow": ("eu.csv", LONG.replace("0.8", "1e999"), "long", [], 1),
    "cell over 128 KB": ("eu.csv", LONG + "C," + "x" * 200_000 + ",1,1,1\n", "long", [], 1),
    "decide read as long": ("cop.tsv", DECIDE, "long", [], 1),
    "long read as decide": ("eu.csv", LONG, "decide", [], 1),
    "header with newline": ("eu.csv", LONG.replace("capability", f'"{FORGED}"'), "long", [], 1),
    "duplicate header": ("eu.csv", LONG.replace("\n", ",actor\n", 1), "long", [], 1),
    "not UTF-8": ("eu.csv", b"actor,issue\n\xff\xfe\n", "long", [], 1),
    "empty": ("eu.csv", "", "long", [], 1),
    "symlink loop": ("loop", None, "long", [], 1),
    "name too long": ("n" * 300, None, "long", [], 1),
    "a folder": (".", None, "long", [], 1),
    "too large": ("sparse.csv", None, "long", [], 1),
    "out is .": ("eu.csv", LONG, "long", ["--out", "."], 1),
    "out is /": ("eu.csv", LONG, "long", ["--out", "/"], 1),
    "out is the source": ("eu.csv", LONG, "long", ["--out", "eu.csv"], 1),
}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A working folder holding a secret, a symlink loop and a sparse 100 MiB file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TREATYSIM_TEST_SECRET", SECRET)
    (tmp_path / "secret").write_text(f"root:$6${SECRET}:19000:0:99999:7:::\n{SECRET}\n")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with open(tmp_path / "sparse.csv", "wb") as handle:
        handle.truncate(100 * 1024**2)
    return tmp_path


def answered(result_code: int, stdout: str, stderr: str, expected: int) -> None:
    """Exit 2, no traceback, exactly ``expected`` one-line problems, nothing secret."""
    assert result_code == 2, (result_code, stderr[-3000:])
    assert "Traceback" not in stdout + stderr
    assert SECRET not in stdout + stderr
    assert "Infinity" not in stdout and "NaN" not in stdout
    lines = stderr.strip().splitlines()
    assert all(line.startswith("error: ") for line in lines), lines
    assert "error: forged" not in lines
    assert len(lines) == expected, lines


def invoke(*args) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", ["validate", "run", "power"])
@pytest.mark.parametrize("case", list(SCENARIOS))
def test_hostile_scenarios(folder, case, command):
    text, expected = SCENARIOS[case]
    if isinstance(text, tuple):
        text, table = text
        (folder / "actors.csv").write_text(table)
    (folder / "scenario.toml").write_text(text)
    answered(*invoke(command, folder / "scenario.toml"), expected)


def test_a_long_extends_chain(folder):
    for i in range(1100):
        (folder / f"{i}.toml").write_text(f'extends = "{i - 1}.toml"\n' if i else GOOD)
    for command in ("validate", "run", "power"):
        answered(*invoke(command, folder / "1099.toml"), 1)


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", list(OVERRIDES))
def test_hostile_overrides(folder, case, command):
    override, expected = OVERRIDES[case]
    (folder / "scenario.toml").write_text(GOOD)
    answered(*invoke(command, folder / "scenario.toml", "--set", override), expected)


@pytest.mark.parametrize("case", list(IMPORTS))
def test_hostile_imports(folder, case):
    name, content, layout, extra, expected = IMPORTS[case]
    if isinstance(content, bytes):
        (folder / name).write_bytes(content)
    elif content is not None:
        (folder / name).write_text(content)
    before = sorted(p.name for p in folder.iterdir())
    answered(*invoke("import", name, "--format", layout, *extra), expected)
    assert sorted(p.name for p in folder.iterdir()) == before
    if content is not None and not isinstance(content, bytes):
        assert (folder / name).read_bytes() == content.encode()


def in_child(folder: Path, *args) -> tuple[int, str, str]:
    """The command line in a child process: 20 s and 2 GB at most, so a regression fails fast."""

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    result = subprocess.run(
        [sys.executable, "-m", "cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=20,
        preexec_fn=cap,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("target", ["fifo", "/dev/zero"])
def test_devices_and_pipes_are_refused_by_every_command(folder, target):
    if target == "fifo":
        os.mkfifo(folder / "fifo")
    for key in ("delegations_csv", "extends"):
        (folder / "scenario.toml").write_text(with_key(key, target))
        for command in ("validate", "run", "power"):
            answered(*in_child(folder, command, "scenario.toml"), 1)
    answered(*in_child(folder, "validate", target), 1)
    for layout in ("long", "decide"):
        answered(*in_child(folder, "import", target, "--format", layout), 1)


#: Hostile arguments to ``sweep`` and ``export``, with the problem lines each must give. ``{sweep}``
#: is a finished sweep's folder; ``{experiment}`` its experiment.
RESULTS = {
    "scheduler not an address": (["sweep", "{experiment}", "--scheduler", "not a url"], 1),
    "scheduler is the dashboard": (["sweep", "{experiment}", "--scheduler", "http://h:8787"], 1),
    "scheduler without a port": (["sweep", "{experiment}", "--scheduler", "tcp://h"], 1),
    "scheduler and a local cluster": (
        ["sweep", "{experiment}", "--scheduler", "tcp://h:1", "--dask-local"],
        1,
    ),
    "export over the store": (["export", "{sweep}", "--out", "{sweep}/results.sqlite"], 1),
    "export over the manifest": (["export", "{sweep}", "--out", "{sweep}/manifest.json"], 1),
    "export over the experiment": (["export", "{sweep}", "--out", "{experiment}"], 1),
    "export to .": (["export", "{sweep}", "--out", "."], 1),
    "export to /": (["export", "{sweep}", "--out", "/"], 1),
    "export parquet to stdout": (["export", "{sweep}", "--format", "parquet", "--out", "-"], 1),
    "export of a folder without a store": (["export", "."], 1),
    "import over the experiment": (
        ["import", "secret", "--format", "long", "--out", "{experiment}"],
        1,
    ),
}


@pytest.mark.parametrize("case", list(RESULTS))
def test_hostile_results_arguments(folder, case):
    experiment = folder / "experiment.toml"
    experiment.write_text(
        f'scenario = "{ROOT / "scenarios" / "classroom_small.toml"}"\nreplicates = 2\n'
    )
    sweep = folder / "sweep"
    assert invoke("sweep", experiment, "--out", sweep, "--workers", 1, "--no-progress")[0] == 0
    before = {
        p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.name != "sparse.csv"
    }
    args, expected = RESULTS[case]
    answered(*invoke(*(a.format(sweep=sweep, experiment=experiment) for a in args)), expected)
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.name != "sparse.csv"}
    assert after == before


def test_a_conference_too_large_to_run_is_refused_before_it_is_read_whole(folder):
    rows = "".join(f"D{i},1\n" for i in range(100_001))
    (folder / "delegations.csv").write_text("id,capability\n" + rows)
    (folder / "scenario.toml").write_text(
        'name = "huge"\ndelegations_csv = "delegations.csv"\n'
        '[[provisions]]\nid = "x"\ntitle = "X"\n'
    )
    for command in ("validate", "run"):
        code, stdout, stderr = invoke(command, folder / "scenario.toml")
        answered(code, stdout, stderr, 1)
        assert "more than 100,000 delegations; treatysim runs at most 100,000" in stderr


def test_too_many_provisions_or_cells_are_named():
    from sim.scenario.problems import size_problems
    from sim.scenario.synth import synthetic_scenario

    raw = synthetic_scenario(20, 3, 2, 2, seed=1)
    assert size_problems(raw, "s") == []
    raw["provisions"] = raw["provisions"] * 400  # 1,200 provisions
    assert [p.field for p in size_problems(raw, "s")] == ["provisions"]
    raw = synthetic_scenario(20, 3, 2, 2, seed=1)
    raw["delegations"] = raw["delegations"] * 1_000  # 20,000 delegations
    raw["provisions"] = raw["provisions"] * 100  # 300 provisions
    (problem,) = size_problems(raw, "s")
    assert "× provisions is 6,000,600, more than the 2,000,000" in problem.message
