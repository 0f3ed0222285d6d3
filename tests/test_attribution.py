"""Attribution of a design difference to mechanisms: Shapley values over the switches."""

import itertools
import json
from math import factorial

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli import app
from sim.analysis.attribution import MECHANISMS, shapley_weights
from tests.conftest import CLASSROOM

runner = CliRunner()


def shapley_by_definition(v, m):
    """φ_j from the textbook sum over coalitions, for a game v on bit masks."""
    phi = np.zeros(m)
    for j in range(m):
        others = [i for i in range(m) if i != j]
        for size in range(m):
            for coalition in itertools.combinations(others, size):
                mask = sum(1 << i for i in coalition)
                weight = factorial(size) * factorial(m - size - 1) / factorial(m)
                phi[j] += weight * (v[mask | 1 << j] - v[mask])
    return phi


@given(st.integers(1, 6), st.integers(0, 10_000))
def test_weights_give_the_textbook_shapley_values_and_add_up(m, seed):
    v = np.random.default_rng(seed).normal(size=2**m)
    phi = v @ shapley_weights(m)
    assert phi == pytest.approx(shapley_by_definition(v, m))
    assert phi.sum() == pytest.approx(v[-1] - v[0])  # efficiency


def test_a_null_mechanism_gets_nothing_and_symmetric_ones_share_equally():
    # v counts mechanisms 0 and 1 (symmetric, +1 each, +1 more together); 2 is null
    v = np.array([bin(mask & 3).count("1") + (mask & 3 == 3) for mask in range(8)], float)
    phi = v @ shapley_weights(3)
    assert phi == pytest.approx([1.5, 1.5, 0.0])


def compare_json(*args):
    result = runner.invoke(app, ["compare", str(CLASSROOM), *map(str, args), "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_attribution_accounts_for_the_whole_difference():
    data = compare_json(
        "--b",
        "process.openness=multistakeholder",
        "--attribute",
        "--mechanisms",
        "persuasion,oversight,home_learning",
        "--replicates",
        6,
    )
    attribution = data["attribution"]
    assert attribution["mechanisms"] == ["persuasion", "oversight", "home_learning"]
    assert attribution["runs"] == 2**3 * 2 * 6
    for name, entry in attribution["metrics"].items():
        # the all-on mask is the comparison itself (same seeds)
        assert entry["total"]["value"] == pytest.approx(data["metrics"][name]["difference"])
        shares = sum(s["value"] for s in entry["mechanisms"].values())
        assert entry["without"]["value"] + shares == pytest.approx(entry["total"]["value"])
    gap = attribution["metrics"]["home_gap"]
    assert gap["total"]["value"] < 0
    assert all(gap["mechanisms"][m]["value"] < 0 for m in ("persuasion", "home_learning"))


def test_an_effect_only_one_mechanism_carries_is_all_its_own():
    """A grievance weight matters only through the grievance mechanism; lobbying is null when
    nobody has access, so it gets exactly nothing."""
    common = ["process.openness=closed", "process.final_rule=none"]
    args = [x for item in common for x in ("--a", item, "--b", item)]
    data = compare_json(
        *args,
        "--a",
        "process.signing.grievance=0",
        "--b",
        "process.signing.grievance=2",
        "--attribute",
        "--mechanisms",
        "grievance,lobbying",
        "--replicates",
        5,
    )
    refused = data["attribution"]["metrics"]["refused"]
    assert refused["total"]["value"] > 0
    assert refused["without"]["value"] == 0.0
    assert refused["mechanisms"]["lobbying"]["value"] == 0.0
    assert refused["mechanisms"]["grievance"]["value"] == pytest.approx(refused["total"]["value"])


def test_text_output_names_each_mechanism_and_the_remainder():
    result = runner.invoke(
        app,
        [
            "compare",
            str(CLASSROOM),
            "--b",
            "process.openness=multistakeholder",
            "--attribute",
            "--mechanisms",
            "oversight,home_learning",
            "--replicates",
            "4",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "Attribution of B − A to 2 mechanisms" in result.stdout
    assert "with all of them off" in result.stdout and "home_learning" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--b", "process.openness=closed", "--mechanisms", "oversight"], "needs --attribute"),
        (
            ["--b", "process.openness=closed", "--attribute", "--mechanisms", "telepathy"],
            "unknown mechanism",
        ),
        (
            [
                "--b",
                "process.mechanisms.oversight=false",
                "--attribute",
                "--mechanisms",
                "oversight",
            ],
            "a design may not set a mechanism it is attributed over",
        ),
    ],
)
def test_bad_attribution_requests_exit_2(args, message):
    result = runner.invoke(app, ["compare", str(CLASSROOM), *args, "--replicates", "2"])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_every_mechanism_switch_can_be_attributed():
    assert set(MECHANISMS) == {
        "persuasion",
        "lobbying",
        "oversight",
        "home_learning",
        "redrafting",
        "concession",
        "vote_calling",
        "two_level",
        "grievance",
        "deferral",
        "bloc_cascade",
    }
