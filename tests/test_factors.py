"""Factors of an experiment that would overwrite each other are refused before anything runs."""

import textwrap

import pytest
from typer.testing import CliRunner

from cli import app
from tests.conftest import CLASSROOM

runner = CliRunner()


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (
            '"process.openness.access" = [0.0, 1.0]',
            '"process.openness" = ["closed"]',
            "factors.process.openness: overlaps factors.process.openness.access",
        ),
        (
            '"delegations.0.capability" = [1.0, 2.0]',
            '"delegations.ALD.capability" = [3.0]',
            "factors.delegations.ALD.capability: is the same key as factors.delegations.0.capability",
        ),
        (
            '"delegations.ALD" = [{ id = "ALD", bloc = "north" }]',
            '"delegations.0.capability" = [3.0]',
            "overlaps factors.delegations.ALD",
        ),
    ],
)
def test_overlapping_or_aliased_factor_paths_are_refused(tmp_path, first, second, message):
    path = tmp_path / "experiment.toml"
    path.write_text(
        textwrap.dedent(f"""
        scenario = "{CLASSROOM}"
        [factors]
        {first}
        {second}
        """)
    )
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr and "overwrite" in result.stderr
    assert not (tmp_path / "out").exists()


def test_distinct_keys_of_one_item_are_not_an_overlap(tmp_path):
    path = tmp_path / "experiment.toml"
    path.write_text(
        textwrap.dedent(f"""
        scenario = "{CLASSROOM}"
        [factors]
        "delegations.ALD.capability" = [1.0, 2.0]
        "delegations.0.votes" = [1.0]
        "process.openness.preset" = ["observer"]
        "process.openness.access" = [0.0, 1.0]
        """)
    )
    result = runner.invoke(
        app, ["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]
    )
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            '[factors]\n"delegations.ALD.capability" = [1.0, 2.0]\n[outputs]\n'
            'metrics = ["signed", "refused", "signed"]',
            "outputs.metrics",
            "signed listed more than once",
        ),
        (
            '[factors]\n"delegations.ALD.capability" = [1.0, 2.0]\n'
            '"delegations.ALD.CAPABILITY" = [3.0]',
            "factors.delegations.ALD.CAPABILITY",
            "same results column",
        ),
        (
            '[factors]\n"delegations.ALD.capability" = [1, 9223372036854775808]',
            "factors.delegations.ALD.capability",
            "too large to store",
        ),
    ],
)
def test_factors_that_cannot_be_stored_are_refused_up_front(tmp_path, body, field, message):
    path = tmp_path / "experiment.toml"
    path.write_text(f'scenario = "{CLASSROOM}"\n{body}\n')
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.stdout
    assert field in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_unknown_experiment_key_suggests_the_nearest_and_names_the_experiment_format(tmp_path):
    path = tmp_path / "experiment.toml"
    path.write_text(f'scenario = "{CLASSROOM}"\nreplicate = 2\n[outputs]\nmetric = ["signed"]\n')
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: {path}: outputs.metric: unknown key; did you mean 'metrics'? "
        "(not part of the experiment format; see docs/experiments.md)",
        f"error: {path}: replicate: unknown key; did you mean 'replicates'? "
        "(not part of the experiment format; see docs/experiments.md)",
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("factors", "message"),
    [
        ("process.rounds = [3, 4]", 'a dotted path must be quoted, as in "process.rounds" = [...]'),
        ('"process.rounds" = []', "factors.process.rounds: needs at least one value"),
        ('"process.rounds" = [3, 3.0]', "lists 3.0 twice; each value makes a design point"),
        (
            '"process.openness" = [{ access = 1.0 }, { access = 1.0 }]',
            "lists {'access': 1.0} twice",
        ),
    ],
)
def test_factor_lists_that_would_mislead_are_named_in_one_line(tmp_path, factors, message):
    path = tmp_path / "experiment.toml"
    path.write_text(f'scenario = "{CLASSROOM}"\n[factors]\n{factors}\n')
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert not (tmp_path / "out").exists()
