"""Comparing process designs with common random numbers."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cli import app
from sim import load_scenario
from sim.compare import bootstrap_interval
from tests.conftest import CLASSROOM

runner = CliRunner()


def compare(*args):
    result = runner.invoke(app, ["compare", str(CLASSROOM), *map(str, args)])
    assert "Traceback" not in result.stdout + result.stderr
    return result


def compare_json(*args):
    result = compare(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_identical_designs_differ_by_nothing_because_seeds_are_shared():
    data = compare_json(
        "--a", "process.noise=0.05", "--b", "process.noise=0.05", "--replicates", 10
    )
    for name, m in data["metrics"].items():
        assert m["difference"] == 0.0 and m["interval"] == [0.0, 0.0], name
    assert data["changes"] == []


def test_a_design_pair_whose_difference_is_known():
    """Everyone signs under A, everyone refuses under B: 12 fewer signatures, in every replicate."""
    data = compare_json(
        "--a",
        "process.signing.sign_threshold=-10",
        "--a",
        "process.signing.refuse_threshold=-10.05",
        "--b",
        "process.signing.sign_threshold=10",
        "--b",
        "process.signing.refuse_threshold=9.95",
        "--replicates",
        20,
    )
    signed = data["metrics"]["signed"]
    assert (signed["a"], signed["b"], signed["difference"], signed["interval"]) == (
        12.0,
        0.0,
        -12.0,
        [-12.0, -12.0],
    )
    assert data["metrics"]["refused"]["difference"] == 12.0
    assert len(data["changes"]) == 12
    assert all(
        c["share_changed"] == 1.0 and c["transitions"] == {"sign → refuse": 1.0}
        for c in data["changes"]
    )


def test_legitimacy_difference_matches_its_formula():
    """With nobody seated, L_i = λ_L · o_i · ((α + τ)/3 − Ω₀) exactly."""
    common = ["process.openness.inclusion=0"]
    args = []
    for item in common:
        args += ["--a", item, "--b", item]
    data = compare_json(
        *args,
        "--a",
        "process.signing.legitimacy_weight=0",
        "--b",
        "process.signing.legitimacy_weight=0.2",
        "--replicates",
        5,
    )
    o = load_scenario(CLASSROOM).arrays.domestic_openness
    expected = 0.2 * float(np.mean(o)) * ((0.25 + 0.5) / 3 - 0.5)
    assert data["metrics"]["legitimacy"]["a"] == 0.0
    assert data["metrics"]["legitimacy"]["difference"] == pytest.approx(expected)


def test_text_report_and_design_files(tmp_path):
    design = tmp_path / "open.toml"
    design.write_text('[process]\nopenness = "multistakeholder"\n')
    result = compare("--b", design, "--replicates", 8)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "design B against design A over 8 paired replicates" in out
    assert "B: process.openness='multistakeholder'" in out
    assert "signed" in out and "95% interval" in out


def test_bad_designs_exit_2(tmp_path):
    result = compare("--b", "process.colour=1")
    assert result.exit_code == 2 and "process.colour: unknown key" in result.stderr
    result = compare("--b", tmp_path / "missing.toml")
    assert result.exit_code == 2 and "no such design file" in result.stderr
    result = compare("--replicates", 5)
    assert result.exit_code == 2 and "give at least one override" in result.stderr
    result = compare("--a", "delegations.ZZZ.capability=3")
    assert result.exit_code == 2 and "no item with id 'ZZZ'" in result.stderr


def test_bootstrap_interval_brackets_the_mean_and_shrinks_with_data():
    rng = np.random.default_rng(0)
    small = rng.normal(1.0, 1.0, 20)
    large = rng.normal(1.0, 1.0, 2000)
    low, high = bootstrap_interval(small, seed=1)
    assert low < small.mean() < high
    low2, high2 = bootstrap_interval(large, seed=1)
    assert high2 - low2 < (high - low) / 5
    assert bootstrap_interval(small, seed=1) == (low, high)  # deterministic
