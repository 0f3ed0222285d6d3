"""Figures: each data preparation checked by numbers, each figure drawn from real folders."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from typer.testing import CliRunner

from cli import app
from sim import load_scenario, run_conference
from sim.figures import prepare
from sim.figures.make import KINDS, figure
from sim.figures.sources import load_source
from sim.figures.style import save
from tests.conftest import CLASSROOM

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [*map(str, args)])
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("sources")
    assert invoke("run", CLASSROOM, "--seed", 3, "--out", root / "run").exit_code == 0
    experiment = root / "sweep.toml"
    experiment.write_text(
        f'name = "small"\nscenario = "{CLASSROOM}"\nreplicates = 4\nmaster_seed = 7\n'
        "[factors]\n"
        '"process.openness.access" = [0.0, 0.5, 1.0]\n'
        '"process.decision_rule" = ["consensus", "majority"]\n'
    )
    assert invoke("sweep", experiment, "--out", root / "sweep", "--no-progress").exit_code == 0
    result = invoke(
        "compare",
        CLASSROOM,
        "--b",
        "process.openness=multistakeholder",
        "--b-name",
        "open",
        "--replicates",
        6,
        "--out",
        root / "comparison",
    )
    assert result.exit_code == 0, result.stderr
    return root


# --- data preparation, by numbers ---------------------------------------------------------------


def test_signatures_by_bloc_counts_every_delegation_once():
    table = pd.DataFrame(
        {
            "bloc": ["x", "x", "y", None, "y", "y"],
            "decision": ["sign", "refuse", "sign", "defer", "sign", "refuse"],
        }
    )
    counts = prepare.signatures_by_bloc(table)
    assert list(counts.columns) == ["sign", "defer", "refuse"]
    assert list(counts.index) == ["y", "x", "no bloc"]  # largest first
    assert counts.loc["y"].tolist() == [2, 0, 1]
    assert counts.loc["no bloc"].tolist() == [0, 1, 0]
    assert counts.to_numpy().sum() == len(table)


def test_the_waterfall_adds_up_to_the_score_and_recovers_the_threshold(folders):
    source = load_source(folders / "run")
    threshold = load_scenario(CLASSROOM).process.signing.sign_threshold
    for delegation in source.delegations["delegation"]:
        data = prepare.signing_waterfall(source.delegations, delegation)
        steps = data["steps"]
        assert steps["end"].iloc[-1] == pytest.approx(data["score"])
        assert np.allclose(steps["start"].iloc[1:].to_numpy(), steps["end"].iloc[:-1].to_numpy())
        assert data["threshold"] == pytest.approx(threshold, abs=1e-9)
        assert (data["score"] >= 0) == (data["decision"] == "sign")
    with pytest.raises(KeyError):
        prepare.signing_waterfall(source.delegations, "ZZZ")


def test_response_means_and_intervals():
    runs = pd.DataFrame(
        {"x": [0, 0, 0, 1, 1, 1], "by": ["a"] * 6, "m": [1.0, 2.0, 3.0, 5.0, 5.0, 5.0]}
    )
    frame = prepare.response(runs, "m", "x", "by")
    first, second = frame.iloc[0], frame.iloc[1]
    assert (first["mean"], first["runs"]) == (2.0, 3)
    assert 1.0 <= first["low"] < 2.0 < first["high"] <= 3.0
    assert (second["mean"], second["low"], second["high"]) == (5.0, 5.0, 5.0)


def test_design_map_is_the_table_of_means():
    runs = pd.DataFrame({"a": [0, 0, 1, 1], "b": ["p", "q", "p", "q"], "m": [1, 2, 3, 4]})
    table = prepare.design_map(runs, "m", "a", "b")
    assert table.loc["p", 0] == 1 and table.loc["q", 1] == 4
    assert list(table.columns) == [0, 1]


def test_factor_effects_flag_a_factor_that_changes_nothing():
    rows = []
    for replicate in range(5):
        for a in (0, 1):
            for rule in ("consensus", "majority"):
                rows.append(
                    {
                        "replicate": replicate,
                        "a": a,
                        "rule": rule,
                        "m": 10 + 3 * a + 0.1 * replicate,
                    }
                )
    effects = prepare.factor_effects(pd.DataFrame(rows), "m", ["a", "rule"]).set_index("factor")
    assert effects.loc["a", "difference"] == pytest.approx(3.0)
    assert not effects.loc["a", "flat"] and not effects.loc["a", "identical"]
    assert effects.loc["rule", "difference"] == 0.0
    assert effects.loc["rule", "flat"] and effects.loc["rule", "identical"]


def test_the_trajectory_starts_at_the_mandates_and_has_a_draft_per_tabled_round(folders):
    source = load_source(folders / "run")
    frame = prepare.trajectory(source.events, source.trajectory)
    scenario = load_scenario(CLASSROOM)
    a = scenario.arrays
    bloc = a.delegation_blocs[0]
    members = [i for i, b in enumerate(a.delegation_blocs) if b == bloc]
    start = frame[(frame["series"] == bloc) & (frame["round"] == 0)].set_index("provision")
    mandates = run_conference(scenario, 3).preference_history[0]  # the run's round 0
    home = mandates[members].mean(axis=0)
    assert np.allclose(start.loc[list(a.provision_ids), "value"].to_numpy(), home)
    last = frame[frame["series"] == bloc]["round"].max()
    assert last == load_source(folders / "run").metrics["rounds_used"]
    decisions = source.events[source.events["stage"] == "decision"]
    assert (frame["series"] == "draft").sum() == len(decisions.dropna(subset=["draft"]))


def test_power_table_is_ordered_and_sums_to_one():
    result = {
        "shapley_shubik": {"a": 0.2, "b": 0.5, "c": 0.3},
        "banzhaf": {"a": 0.25, "b": 0.5, "c": 0.25},
    }
    table = prepare.power_table(result)
    assert list(table.index) == ["b", "c", "a"]
    assert table.sum().tolist() == pytest.approx([1.0, 1.0])


# --- figures from real folders --------------------------------------------------------------


@pytest.mark.parametrize(("folder", "kind"), [(f, k) for f, kinds in KINDS.items() for k in kinds])
def test_every_figure_is_drawn_with_a_title_and_labelled_axes(folders, folder, kind):
    drawn = figure(load_source(folders / folder), kind)
    assert isinstance(drawn, Figure)
    visible = [ax for ax in drawn.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    assert visible
    assert drawn.get_suptitle() or all(ax.get_title(loc="left") for ax in visible)
    for ax in visible:
        assert ax.get_xlabel() or ax.get_ylabel() or ax.get_yticklabels(), kind


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_figures_are_written_in_each_format(folders, tmp_path, suffix):
    path = save(figure(load_source(folders / "run"), "signatures"), tmp_path / f"f{suffix}")
    head = path.read_bytes()[:8]
    assert {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix] in head
    with pytest.raises(ValueError, match="unknown figure format"):
        save(figure(load_source(folders / "run"), "signatures"), tmp_path / "f.gif")


def test_plot_command_writes_a_figure_and_explains_mistakes(folders, tmp_path):
    out = tmp_path / "map.png"
    result = invoke("plot", folders / "sweep", "--kind", "map", "--metric", "refused", "--out", out)
    assert result.exit_code == 0, result.stderr and out.stat().st_size > 1000
    result = invoke("plot", folders / "comparison", "--kind", "trajectory", "--out", out)
    assert result.exit_code == 2
    assert (
        "a comparison folder gives forest, texts, changes; it needs a run folder" in result.stderr
    )
    result = invoke("plot", tmp_path, "--kind", "forest", "--out", out)
    assert result.exit_code == 2 and "not a run, sweep or comparison folder" in result.stderr
    result = invoke(
        "plot", folders / "sweep", "--kind", "response", "--metric", "nope", "--out", out
    )
    assert result.exit_code == 2 and "--metric: nope: not in this sweep" in result.stderr
    result = invoke("plot", folders / "run", "--kind", "why", "--delegation", "ZZZ", "--out", out)
    assert result.exit_code == 2 and "no such delegation in this run" in result.stderr
    result = invoke("plot", folders / "run", "--kind", "why", "--out", tmp_path / "f.gif")
    assert result.exit_code == 2 and "use a .png, .svg, .pdf file" in result.stderr
    assert not list(tmp_path.glob("*.partial*"))


def test_provision_outcomes_forest_and_changes_keep_the_numbers(folders):
    run = load_source(folders / "run")
    outcomes = prepare.provision_outcomes(run.provisions)
    assert list(outcomes.index) == list(run.provisions["provision"])
    assert outcomes["value"].tolist() == run.provisions["value"].tolist()
    comparison = load_source(folders / "comparison")
    forest = prepare.forest(comparison.metrics)
    signed = forest.set_index("metric").loc["signed"]
    assert signed["label"] == "Signed" and signed["unit"] == "delegations"
    assert signed["difference"] == pytest.approx(
        comparison.result["metrics"]["signed"]["difference"]
    )
    changes = pd.DataFrame(
        {
            "design": ["b"] * 3 + ["c"],
            "delegation": ["X", "Y", "Z", "X"],
            "share_changed": [0.2, 0.5, 0.5, 0.1],
        }
    )
    top = prepare.changed_delegations(changes, limit=2)
    assert top[["design", "delegation"]].values.tolist() == [["b", "Y"], ["b", "Z"], ["c", "X"]]


def test_a_banzhaf_index_that_could_not_be_estimated_is_not_drawn_as_zero():
    result = {"shapley_shubik": {"a": 0.6, "b": 0.4}, "banzhaf": {"a": None, "b": None}}
    table = prepare.power_table(result)
    assert table["banzhaf"].isna().all()
    from sim.figures.aggregate import power_figure

    drawn = power_figure(table, "consensus")
    assert "not estimated" in " ".join(t.get_text() for t in drawn.axes[0].get_legend().get_texts())
