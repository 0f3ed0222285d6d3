"""Comparing process designs with common random numbers."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cli import app
from sim.experiments.compare import bootstrap_interval
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
        "--a",
        "process.domestic.uncertainty=8",
        "--b",
        "process.domestic.uncertainty=8",
        "--replicates",
        10,
    )
    for name, m in data["metrics"].items():
        assert m["difference"] == 0.0 and m["interval"] == [0.0, 0.0], name
    assert data["changes"] == []


def test_a_design_pair_whose_difference_is_known():
    """Everyone signs under A, everyone refuses under B: 12 fewer signatures, in every replicate.

    (B has no package vote: delegations that expect not to sign would vote the package down.)
    """
    data = compare_json(
        "--a",
        "process.signing.sign_threshold=-10",
        "--b",
        "process.signing.sign_threshold=10",
        "--b",
        "process.mechanisms.deferral=false",
        "--b",
        "process.final_rule=none",
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


def test_home_gap_difference_matches_its_formula():
    """With home learning at ψ and everything public, the table–home gap shrinks to (1 − ψ)."""
    common = ["process.openness=multistakeholder", "process.mechanisms.two_level=true"]
    args = []
    for item in common:
        args += ["--a", item, "--b", item]
    data = compare_json(
        *args,
        "--a",
        "process.domestic.learning=0",
        "--b",
        "process.domestic.learning=1",
        "--replicates",
        5,
    )
    gap = data["metrics"]["home_gap"]
    assert gap["a"] > 0.0
    assert gap["b"] == pytest.approx(0.0, abs=1e-12)
    assert gap["difference"] == pytest.approx(-gap["a"])


def test_text_report_and_design_files(tmp_path):
    design = tmp_path / "open.toml"
    design.write_text('[process]\nopenness = "multistakeholder"\n')
    result = compare("--b", design, "--replicates", 8)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "B against A over 8 paired replicates" in out
    assert "B: process.openness='multistakeholder'" in out
    assert "Signed" in out and "95% interval" in out
    # metrics by their human labels, never by internal names
    assert "Capability-weighted defection" in out and "weighted_defection" not in out
    assert "Welfare inequality (Gini)" in out and "welfare_gini" not in out


def test_named_designs_and_per_provision_texts():
    data = compare_json(
        "--a-name",
        "ITU 2012",
        "--b-name",
        "open",
        "--b",
        "process.openness=multistakeholder",
        "--replicates",
        6,
    )
    assert data["baseline"] == "ITU 2012"
    assert [d["name"] for d in data["designs"]] == ["ITU 2012", "open"]
    (contrast,) = data["contrasts"]
    assert contrast["design"] == "open" and contrast["metrics"] == data["metrics"]
    texts = {row["provision"]: row for row in contrast["provisions"]}
    assert set(texts) == {"security", "content", "charging", "access"}
    for row in texts.values():
        assert row["difference"] == pytest.approx(row["b"] - row["a"])
        assert row["interval"][0] <= row["difference"] <= row["interval"][1]
        assert 0.0 <= row["adopted_a"] <= 1.0


def test_several_designs_against_a_baseline_from_a_file(tmp_path):
    designs = tmp_path / "designs.toml"
    designs.write_text(
        'baseline = "closed"\n'
        "[designs.observer]\nprocess.openness = 'observer'\n"
        "[designs.closed]\nprocess.openness = 'closed'\n"
        "[designs.open]\nprocess.openness = 'multistakeholder'\n"
    )
    data = compare_json("--designs", designs, "--replicates", 5)
    assert data["baseline"] == "closed"
    assert [c["design"] for c in data["contrasts"]] == ["observer", "open"]
    assert "metrics" not in data  # more than one contrast: no single top-level one
    # each contrast is paired with the same baseline runs
    base = {c["design"]: c["metrics"]["signed"]["a"] for c in data["contrasts"]}
    assert base["observer"] == base["open"]
    text = compare("--designs", designs, "--replicates", 5).stdout
    assert "observer, open against closed over 5 paired replicates" in text
    assert "open − closed" in text and "observer − closed" in text


def test_bad_designs_files_exit_2(tmp_path):
    one = tmp_path / "one.toml"
    one.write_text("[designs.only]\nprocess.openness = 'observer'\n")
    result = compare("--designs", one)
    assert result.exit_code == 2 and "give at least two designs" in result.stderr
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("baseline = 'x'\n[designs.a]\n[designs.b]\nprocess.openness = 'observer'\n")
    result = compare("--designs", wrong)
    assert result.exit_code == 2 and "'x' is not one of the designs: a, b" in result.stderr
    result = compare("--designs", wrong, "--b", "process.openness=closed")
    assert result.exit_code == 2 and "either in a file or with --a/--b" in result.stderr
    result = compare("--b", "process.openness=closed", "--a-name", "X", "--b-name", "X")
    assert result.exit_code == 2 and "need different names" in result.stderr


def test_out_writes_a_comparison_folder_all_or_nothing(tmp_path):
    out = tmp_path / "cmp"
    result = compare("--b", "process.openness=multistakeholder", "--replicates", 4, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["comparison.json", "metrics.csv", "provisions.csv", "changes.csv", "manifest.json"]
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "comparison" and manifest["baseline"] == "A"
    metrics = (out / "metrics.csv").read_text().splitlines()
    assert metrics[0].startswith("design,baseline,metric,label,unit,better")
    assert any(line.startswith("B,A,signed,Signed,delegations,higher,") for line in metrics)
    # a folder holding other things is refused, and left as it was
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    result = compare("--b", "process.openness=closed", "--replicates", 2, "--out", busy)
    assert (
        result.exit_code == 2
        and "holds files this command does not write (notes.txt)" in result.stderr
    )
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]


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
