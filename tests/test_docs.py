"""The documentation stays true: every schema key documented with its default; the README's commands exist."""

import json
import re

from sim.scenario.loader import scenario_json_schema
from tests.conftest import ROOT

FORMAT = (ROOT / "docs" / "scenario-format.md").read_text()
PRESETS = {"closed", "itu_2012", "observer", "consultative", "multistakeholder"}


TABLES: set[str] = set()  # keys that hold a table of further keys


def schema_keys() -> dict[str, object]:
    """Every key of the scenario format, with its default where the schema gives one."""
    schema = scenario_json_schema()
    defs = schema["$defs"]
    found: dict[str, object] = {}

    def resolve(node):
        if "$ref" in node:
            return defs[node["$ref"].split("/")[-1]]
        for option in node.get("anyOf", []):
            if "$ref" in option or option.get("type") in ("object", "array"):
                return resolve(option)
        return node

    def walk(node, path):
        node = resolve(node)
        if node.get("type") == "array" and node.get("items", {}).get("$ref"):
            walk(node["items"], path + "[]")
            return
        for key, child in node.get("properties", {}).items():
            full = f"{path}.{key}" if path else key
            target = resolve(child)
            if "patternProperties" in target:  # a table keyed by provision id
                found[full + ".<provision>"] = "(no default)"
            elif "properties" in target and target.get("type") == "object" and "anyOf" not in child:
                TABLES.add(full)
                walk(child, full)  # a sub-table: document its keys
            else:
                found[full] = child.get("default", "(no default)")
                if "properties" in target or target.get("items", {}).get("$ref"):
                    walk(child, full)

    walk(schema, "")
    return found


def documented() -> dict[str, str]:
    rows = {}
    for line in FORMAT.splitlines():
        match = re.match(r"^\| `([^`]+)` \| [^|]+ \| ([^|]+) \|", line)
        if match:
            rows[match.group(1)] = match.group(2).strip()
    return rows


def test_every_schema_key_is_documented():
    missing = sorted(set(schema_keys()) - set(documented()))
    assert not missing, f"keys missing from docs/scenario-format.md: {missing}"


def test_every_documented_key_exists():
    keys = set(schema_keys()) | TABLES
    extra = sorted(k for k in documented() if k not in keys and k not in PRESETS)
    assert not extra, f"docs/scenario-format.md documents keys the schema does not have: {extra}"


def test_documented_defaults_match_the_schema():
    docs = documented()
    for key, default in schema_keys().items():
        if default == "(no default)" or (isinstance(default, dict | list) and default):
            continue
        cell = docs[key].strip("`")
        expected = "(unset)" if default is None else json.dumps(default)
        assert cell == expected or (default == [] and cell == "[]"), (
            f"{key}: docs say {docs[key]}, schema {expected}"
        )


def test_readme_quickstart_has_exactly_two_commands():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quickstart", 1)[1].split("```", 2)[1]
    commands = [
        line for line in block.splitlines()[1:] if line.strip() and not line.startswith("#")
    ]
    assert len(commands) == 2
    assert "treatysim run" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "Quickstart" in ci  # it reads the command from the README rather than copying it


def test_every_experiment_key_is_documented():
    from sim.experiments.experiment import Experiment

    doc = (ROOT / "docs" / "experiments.md").read_text()
    keys = [k for k in Experiment.model_fields if k != "outputs"]
    keys += [f"outputs.{k}" for k in Experiment.model_fields["outputs"].annotation.model_fields]
    missing = [k for k in keys if f"| `{k}` |" not in doc]
    assert not missing, missing


def test_readme_commands_exist():
    from typer.main import get_command

    from cli import app

    commands = set(get_command(app).commands)
    readme = (ROOT / "README.md").read_text()
    fenced = re.findall(r"```[a-z]*\n(.*?)```", readme, re.S)
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", readme, flags=re.S))
    code = "\n".join(fenced + spans)
    used = set(re.findall(r"treatysim (\w+)", code)) - {"run_conference"}
    assert used <= commands, used - commands
    assert commands <= used, commands - used  # every command is shown in the README


def test_readme_example_output_is_what_the_command_prints():
    from typer.testing import CliRunner

    from cli import app

    readme = (ROOT / "README.md").read_text()
    block = readme.split("$ treatysim run scenarios/classroom_small.toml --seed 1\n", 1)[1].split(
        "```", 1
    )[0]
    shown = [line for line in block.splitlines() if line.strip() and line != "…"]
    printed = (
        CliRunner()
        .invoke(app, ["run", str(ROOT / "scenarios" / "classroom_small.toml"), "--seed", "1"])
        .stdout.splitlines()
    )
    missing = [line for line in shown if line not in printed]
    assert not missing, f"README example lines no longer printed: {missing}"


def test_every_coefficient_has_a_documented_default_and_range():
    """docs/model.md §6 lists every coefficient with the schema's default and the range of
    sim.analysis.ranges; nothing is missing on either side."""
    from sim.analysis.ranges import FITTED, PLAUSIBLE

    text = (ROOT / "docs" / "model.md").read_text()
    table = text.split("## 6. Input data and coefficients", 1)[1].split("## 7.", 1)[0]
    rows = {}
    for line in table.splitlines():
        match = re.match(r"^\| `([^`]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|", line)
        if match:
            low, high = (float(x) for x in match.group(3).strip().split("–"))
            rows[match.group(1)] = (match.group(2).strip(), (low, high), match.group(4))
    assert set(rows) == set(PLAUSIBLE)
    defaults = schema_keys()
    for key, (default, bounds, reason) in rows.items():
        assert float(default) == float(defaults[key]), key
        assert bounds == PLAUSIBLE[key], key
        low, high = bounds
        assert low <= float(default) <= high, key
        assert ("*fitted*" in reason) == (key in FITTED), key


def test_every_metric_is_documented():
    from sim.results.metrics import METRIC_NAMES

    experiments = (ROOT / "docs" / "experiments.md").read_text()
    line = next(row for row in experiments.splitlines() if row.startswith("| `outputs.metrics`"))
    listed = re.findall(r"`([a-z_]+)`", line.split("Metrics stored per run:", 1)[1])
    assert tuple(listed) == METRIC_NAMES
    model = (ROOT / "docs" / "model.md").read_text().split("### 7.7 Metrics", 1)[1]
    for name in METRIC_NAMES:
        assert f"`{name}`" in model, name


def test_the_validation_page_shows_the_fit_the_scenario_ships():
    """docs/validation.md's fit table names every fitted coefficient with the value in
    scenarios/wcit2012, inside its plausible range."""
    from sim import load_scenario
    from sim.analysis.ranges import FITTED, PLAUSIBLE

    text = (ROOT / "docs" / "validation.md").read_text()
    rows = dict(re.findall(r"^\| `([^`]+)` \| [^|]+ \| \*\*([^*]+)\*\* \|", text, re.M))
    assert set(rows) == set(FITTED)
    process = load_scenario(ROOT / "scenarios" / "wcit2012").process.model_dump()
    for key, shown in rows.items():
        value = process
        for part in key.split(".")[1:]:
            value = value[part]
        assert float(shown) == value, key
        low, high = PLAUSIBLE[key]
        assert low <= value <= high, key


def test_the_readme_gallery_shows_every_figure_kind():
    from sim.figures.make import KINDS

    readme = (ROOT / "README.md").read_text()
    for kinds in KINDS.values():
        for kind in kinds:
            image = ROOT / "docs" / "gallery" / f"{kind}.png"
            assert image.exists() and image.stat().st_size < 250_000, kind
            assert f"(docs/gallery/{kind}.png)" in readme, kind
    reports = (ROOT / "docs" / "reports.md").read_text()
    for kinds in KINDS.values():
        for kind in kinds:
            assert f"**`{kind}`" in reports, kind


def test_the_readme_says_how_to_call_treatysim_before_its_examples_do():
    text = (ROOT / "README.md").read_text()
    after_quickstart = text.split("## Quickstart", 1)[1].split("```", 2)[2]
    first_bare = after_quickstart.index("$ treatysim ")
    activate = after_quickstart.find("source .venv/bin/activate")
    assert 0 <= activate < first_bare
