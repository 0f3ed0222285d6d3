"""Sampled designs and their analysis: known indices recovered through the sweep machinery.

Test functions with published indices run through the real experiment loader, sampler, runner,
store and `treatysim analyze`; only the model is swapped for the function (read from three
share-valued scenario keys).
"""

import json
import math
import sqlite3
import textwrap
from contextlib import closing
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from sim.analysis.sensitivity import read_sweep
from sim.experiments.design import Range, levels_values
from sim.experiments.experiment import load_experiment
from tests.conftest import CLASSROOM, ROOT

runner = CliRunner()

KEYS = (
    "process.openness.access",
    "process.openness.transparency",
    "process.openness.inclusion",
)


def write(tmp_path, text, name="experiment.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def invoke(*args):
    result = runner.invoke(app, [*map(str, args)])
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def units(scenario):
    o = scenario.process.openness
    return o.access, o.transparency, o.inclusion


def ishigami(scenario, seed, a=7.0, b=0.1):
    """Ishigami & Homma (1990) on [−π, π]³, read from the three openness shares."""
    x1, x2, x3 = (-math.pi + 2 * math.pi * u for u in units(scenario))
    y = math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)
    return SimpleNamespace(metrics={"welfare": y})


def linear(scenario, seed):
    """y = 4 u1 − 2 u2 + 0 u3 + noise: Morris μ* is |coefficient| × step, σ is 0."""
    u1, u2, u3 = units(scenario)
    noise = np.random.default_rng(seed).normal()
    return SimpleNamespace(metrics={"welfare": 4 * u1 - 2 * u2 + 0 * u3 + noise})


def experiment(design, samples, replicates=1, extra=""):
    factors = "\n".join(f'"{k}" = {{ uniform = [0.0, 1.0] }}' for k in KEYS)
    return f"""
    scenario = "{CLASSROOM}"
    design = "{design}"
    samples = {samples}
    replicates = {replicates}
    master_seed = 11
    {extra}
    [factors]
    "process.openness.preset" = ["observer"]
    {factors}
    [outputs]
    metrics = ["welfare"]
    """


@pytest.fixture
def model(monkeypatch):
    def use(function):
        monkeypatch.setattr("sim.experiments.runner.run_conference", function)

    return use


def test_sobol_indices_of_the_ishigami_function_match_the_published_values(tmp_path, model):
    model(ishigami)
    path = write(tmp_path, experiment("sobol", 1024))
    assert (
        invoke("sweep", path, "--workers", 1, "--out", tmp_path / "s", "--no-progress").exit_code
        == 0
    )
    result = invoke("analyze", tmp_path / "s", "--method", "sobol", "--metric", "welfare", "--json")
    assert result.exit_code == 0, result.stderr
    again = invoke("analyze", tmp_path / "s", "--method", "sobol", "--metric", "welfare", "--json")
    assert again.stdout == result.stdout  # the bootstrap intervals are seeded
    rows = {r["factor"]: r for r in json.loads(result.stdout)["metrics"]["welfare"]["indices"]}
    # Published: S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437 (a = 7, b = 0.1).
    published = {KEYS[0]: (0.3139, 0.5576), KEYS[1]: (0.4424, 0.4424), KEYS[2]: (0.0, 0.2437)}
    for key, (s1, st) in published.items():
        assert rows[key]["S1"] == pytest.approx(s1, abs=0.05), key
        assert rows[key]["ST"] == pytest.approx(st, abs=0.05), key
        assert rows[key]["ST_low"] < st < rows[key]["ST_high"] + 0.02


def test_morris_recovers_a_linear_functions_effects_despite_noise_with_common_seeds(
    tmp_path, model
):
    model(linear)
    path = write(tmp_path, experiment("morris", 20, replicates=3))
    assert (
        invoke("sweep", path, "--workers", 1, "--out", tmp_path / "m", "--no-progress").exit_code
        == 0
    )
    result = invoke(
        "analyze", tmp_path / "m", "--method", "morris", "--metric", "welfare", "--json"
    )
    rows = {r["factor"]: r for r in json.loads(result.stdout)["metrics"]["welfare"]["indices"]}
    # Δ = 2/3 of the range with 4 levels; SALib divides by Δ, so μ* is the coefficient itself.
    # Common random numbers cancel the noise exactly between points of a trajectory.
    assert rows[KEYS[0]]["mu_star"] == pytest.approx(4.0, abs=1e-9)
    assert rows[KEYS[0]]["mu"] == pytest.approx(4.0, abs=1e-9)
    assert rows[KEYS[1]]["mu"] == pytest.approx(-2.0, abs=1e-9)
    assert rows[KEYS[2]]["mu_star"] == pytest.approx(0.0, abs=1e-9)
    assert all(r["sigma"] == pytest.approx(0.0, abs=1e-9) for r in rows.values())


def test_independent_seeds_leave_the_noise_in_the_effects(tmp_path, model):
    model(linear)
    path = write(tmp_path, experiment("morris", 20, replicates=1, extra='seeds = "independent"'))
    invoke("sweep", path, "--workers", 1, "--out", tmp_path / "m", "--no-progress")
    rows = json.loads(
        invoke(
            "analyze", tmp_path / "m", "--method", "morris", "--metric", "welfare", "--json"
        ).stdout
    )["metrics"]["welfare"]["indices"]
    assert min(r["sigma"] for r in rows) > 0.5


# --- designs -------------------------------------------------------------------------------


def test_distributions_map_unit_coordinates_to_values():
    q = np.array([0.0, 0.25, 0.5, 0.999999, 1.0])
    assert Range(uniform=(2, 6)).values(q) == pytest.approx([2, 3, 4, 6, 6], abs=1e-5)
    assert Range(uniform=(4, 12), integer=True).values(q) == [4, 6, 8, 12, 12]
    tri = Range(triangular=(0, 1, 4))
    assert tri.values(np.array([0.25]))[0] == pytest.approx(1.0)  # the mode's quantile is 1/4
    assert tri.values(np.array([0.0, 1.0])) == pytest.approx([0, 4])
    assert levels_values(["a", "b", "c"], q) == ["a", "a", "b", "c", "c"]


def test_a_sampled_plan_is_reproducible_and_keeps_fixed_factors_constant(tmp_path):
    path = write(tmp_path, experiment("lhs", 50, replicates=2))
    _, plan, _ = load_experiment(path)
    _, again, _ = load_experiment(path)
    assert plan.points == again.points and plan.key == again.key
    assert plan.runs == 100 and plan.sampled == KEYS and len(plan.unit) == 50
    assert {p[0] for p in plan.points} == {"observer"}
    column = np.array([p[1] for p in plan.points])
    assert sorted(np.floor(column * 50).astype(int)) == list(range(50))  # one point per stratum
    assert not plan.shared_seeds  # lhs keeps independent seeds by default


def test_sobol_and_morris_default_to_common_random_numbers(tmp_path):
    _, plan, _ = load_experiment(write(tmp_path, experiment("morris", 4, replicates=2)))
    assert plan.shared_seeds and plan.seed(0) == plan.seed(2) != plan.seed(1)
    assert len(plan.points) == 4 * (3 + 1)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ('design = "sobol"\nsamples = 100', "samples", "not a power of two"),
        ('design = "lhs"', "samples", "needs samples"),
        ("samples = 8", "samples", "only sampled designs"),
        ('design = "grid"', "factors.process.openness.access", "grid design lists values"),
        ('design = "lhs"\nsamples = 8\n[options]\nlevels = 4', "options.levels", "only the morris"),
    ],
)
def test_design_mistakes_are_named(tmp_path, change, field, message):
    text = f"""
    scenario = "{CLASSROOM}"
    {change}
    [factors]
    "process.openness.preset" = ["observer"]
    "process.openness.access" = {{ uniform = [0.0, 1.0] }}
    """
    if "[options]" in change:
        head, options = change.split("[options]")
        text = text.replace(change, head) + "[options]" + options
    result = invoke("sweep", write(tmp_path, text), "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert field in result.stderr and message in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("factor", "message"),
    [
        ("{ uniform = [1.0, 0.0] }", "must be below high"),
        ("{ triangular = [0.0, 2.0, 1.0] }", "mode must lie between"),
        ("{ uniform = [0.0, 1.0], triangular = [0, 0.5, 1] }", "exactly one of"),
        ("{ uniform = [0.0, 2.0] }", "= 2.0"),  # the bound is tried on the scenario
        ("{ normal = [0.0, 1.0] }", "normal"),
    ],
)
def test_bad_ranges_are_named(tmp_path, factor, message):
    text = f"""
    scenario = "{CLASSROOM}"
    design = "lhs"
    samples = 8
    [factors]
    "process.openness.preset" = ["observer"]
    "process.openness.access" = {factor}
    """
    result = invoke("sweep", write(tmp_path, text), "--out", tmp_path / "o")
    assert result.exit_code == 2, result.stdout
    assert "process.openness.access" in result.stderr and message in result.stderr


# --- the store ------------------------------------------------------------------------------


REAL = f"""
scenario = "{CLASSROOM}"
design = "morris"
samples = 6
replicates = 2
master_seed = 5
[factors]
"process.signing.sign_threshold" = {{ uniform = [0.0, 0.3] }}
"process.decision_rule" = ["consensus", "majority"]
"process.domestic.uncertainty" = {{ triangular = [0.0, 12.0, 15.0] }}
[outputs]
decisions = true
"""


def table(folder, name):
    with closing(sqlite3.connect(folder / "results.sqlite")) as db:
        return pd.read_sql_query(f"SELECT * FROM {name} ORDER BY 1", db)


def test_a_sampled_sweep_resumes_and_equals_itself_on_two_workers(tmp_path):
    path = write(tmp_path, REAL)
    reference = tmp_path / "reference"
    assert invoke("sweep", path, "--workers", 1, "--out", reference, "--no-progress").exit_code == 0
    out = tmp_path / "out"
    invoke("sweep", path, "--workers", 1, "--out", out, "--no-progress")
    with closing(sqlite3.connect(out / "results.sqlite")) as db, db:
        db.execute("DELETE FROM runs WHERE run_index % 3 = 0")
        db.execute("DELETE FROM decisions WHERE run_index % 3 = 0")
    resumed = invoke("sweep", path, "--workers", 2, "--out", out, "--no-progress")
    assert resumed.exit_code == 0 and "already stored" in resumed.stderr
    for name in ("runs", "decisions", "points"):
        pd.testing.assert_frame_equal(table(out, name), table(reference, name))
    points = table(reference, "points")
    assert list(points.columns) == [
        "point",
        "process.signing.sign_threshold",
        "process.decision_rule",
        "process.domestic.uncertainty",
    ]
    grid = points.iloc[:, 1:].to_numpy() * 3
    assert len(points) == 6 * 4 and np.allclose(grid, np.round(grid))  # Morris's 4-level grid


def test_a_changed_sample_size_is_refused_on_resume(tmp_path):
    path = write(tmp_path, REAL)
    invoke("sweep", path, "--workers", 1, "--out", tmp_path / "o", "--no-progress")
    path.write_text(textwrap.dedent(REAL).replace("samples = 6", "samples = 7"))
    result = invoke("sweep", path, "--workers", 1, "--out", tmp_path / "o", "--no-progress")
    assert result.exit_code == 2 and "different experiment" in result.stderr


def test_analyses_refuse_what_the_sweep_cannot_support(tmp_path):
    path = write(tmp_path, REAL)
    invoke("sweep", path, "--workers", 1, "--out", tmp_path / "o", "--no-progress")
    sobol = invoke("analyze", tmp_path / "o", "--method", "sobol")
    assert sobol.exit_code == 2 and "design = 'sobol'" in sobol.stderr
    bad = invoke("analyze", tmp_path / "o", "--method", "morris", "--metric", "happiness")
    assert bad.exit_code == 2 and "not a stored metric" in bad.stderr
    with closing(sqlite3.connect(tmp_path / "o" / "results.sqlite")) as db, db:
        db.execute("DELETE FROM runs WHERE run_index > 10")
    partial = invoke("analyze", tmp_path / "o", "--method", "morris")
    assert partial.exit_code == 2 and "unfinished (11 of 48 runs)" in partial.stderr
    # Importance and PRIM read any sweep, and say when it is partial.
    quick = invoke("analyze", tmp_path / "o", "--method", "importance", "--metric", "signed")
    assert quick.exit_code == 0 and "unfinished: 11 of 48 runs" in quick.stdout


def test_a_sampled_sweep_reads_back_its_unit_coordinates(tmp_path):
    path = write(tmp_path, REAL)
    invoke("sweep", path, "--workers", 1, "--out", tmp_path / "o", "--no-progress")
    sweep = read_sweep(tmp_path / "o")
    assert sweep.design == "morris" and sweep.complete and sweep.replicates == 2
    assert sweep.sampled == [
        "process.signing.sign_threshold",
        "process.decision_rule",
        "process.domestic.uncertainty",
    ]
    runs = sweep.runs
    levels = runs["process.decision_rule"].to_numpy()
    unit = sweep.points["process.decision_rule"].to_numpy()[runs["run_index"] // 2]
    assert ((unit < 0.5) == (levels == "consensus")).all()


# --- any sweep: PRIM and importance ------------------------------------------------------------


def planted(scenario, seed):
    """The runs of interest lie in a planted box: access ≥ 0.6 and transparency ≤ 0.3."""
    u1, u2, _ = units(scenario)
    return SimpleNamespace(metrics={"welfare": float(u1 >= 0.6 and u2 <= 0.3)})


def test_prim_finds_the_planted_box(tmp_path, model):
    pytest.importorskip("ema_workbench")
    model(planted)
    path = write(tmp_path, experiment("lhs", 1000))
    invoke("sweep", path, "--workers", 1, "--out", tmp_path / "p", "--no-progress")
    result = invoke(
        "analyze",
        tmp_path / "p",
        "--method",
        "prim",
        "--where",
        "welfare > 0.5",
        "--threshold",
        0.95,
        "--json",
        "--out",
        tmp_path / "a",
    )
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)["prim"]
    assert found["of_interest"] == pytest.approx(120, abs=15)  # 0.4 × 0.3 of 1,000
    box = {r["factor"]: r for r in found["limits"]}
    assert set(box) == {KEYS[0], KEYS[1]}  # inclusion is not restricted
    assert box[KEYS[0]]["low"] == pytest.approx(0.6, abs=0.03) and box[KEYS[0]]["high"] >= 0.99
    assert box[KEYS[1]]["high"] == pytest.approx(0.3, abs=0.03) and box[KEYS[1]]["low"] <= 0.01
    chosen = found["trajectory"][found["chosen"]]
    assert chosen["density"] >= 0.95 and chosen["coverage"] >= 0.95
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == [
        "analysis.json",
        "manifest.json",
        "prim.png",
        "prim_box.csv",
        "prim_trajectory.csv",
        "report.html",
    ]


def test_prim_conditions_are_checked(tmp_path, model):
    pytest.importorskip("ema_workbench")
    model(planted)
    invoke(
        "sweep",
        write(tmp_path, experiment("lhs", 40)),
        "--workers",
        1,
        "--out",
        tmp_path / "p",
        "--no-progress",
    )
    for where, message in [
        ("welfare >> 1", "expected COLUMN OP VALUE"),
        ("happiness > 1", "not a column of the sweep"),
        ("welfare > high", "is not a number"),
        ("welfare > 5", "no run of 40 meets the condition"),
        ("welfare > -1", "every run (40) meets the condition"),
    ]:
        result = invoke("analyze", tmp_path / "p", "--method", "prim", "--where", where)
        assert result.exit_code == 2 and message in result.stderr, (where, result.stderr)
    missing = invoke("analyze", tmp_path / "p", "--method", "prim")
    assert missing.exit_code == 2 and "needs the condition" in missing.stderr


def test_importance_ranks_the_factors_that_drive_a_metric(tmp_path, model):
    model(linear)
    invoke(
        "sweep",
        write(tmp_path, experiment("lhs", 400)),
        "--workers",
        1,
        "--out",
        tmp_path / "i",
        "--no-progress",
    )
    result = invoke(
        "analyze", tmp_path / "i", "--method", "importance", "--metric", "welfare", "--json"
    )
    found = json.loads(result.stdout)["metrics"]["welfare"]
    order = [r["factor"] for r in found["indices"]]
    assert order == [KEYS[0], KEYS[1], KEYS[2]]
    scores = {r["factor"]: r["importance"] for r in found["indices"]}
    assert sum(scores.values()) == pytest.approx(1.0)
    assert scores[KEYS[0]] > 0.4 and scores[KEYS[2]] < 0.2
    # The signal's variance is 4²/12 + 2²/12 ≈ 1.67 against noise of 1: R² about 0.6.
    assert 0.4 < found["r2_oob"] < 0.75


# --- the shipped experiments and what docs/sensitivity.md says of them -------------------------


def doc_rows(title):
    """Rows of the table under a bold title in docs/sensitivity.md: factor → cells."""
    text = (ROOT / "docs" / "sensitivity.md").read_text()
    block = text.split(title, 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in block.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows["process." + cells[0].strip("`")] = cells[1:]
    return rows


def test_the_sensitivity_page_shows_the_shipped_morris_screen(tmp_path):
    experiment = ROOT / "experiments" / "wcit_morris.toml"
    out = tmp_path / "morris"
    assert invoke("sweep", experiment, "--workers", 1, "--out", out, "--no-progress").exit_code == 0
    result = invoke(
        "analyze", out, "--method", "morris", "--metric", "signed", "--metric", "refused", "--json"
    )
    found = json.loads(result.stdout)["metrics"]
    rows = doc_rows("**Morris screen**")
    signed = {r["factor"]: r for r in found["signed"]["indices"]}
    refused = {r["factor"]: r for r in found["refused"]["indices"]}
    assert set(rows) == set(signed)
    shown = lambda r, k: f"{r[k]:.1f} [{r[k + '_low']:.1f}, {r[k + '_high']:.1f}]".replace("-", "−")  # noqa: E731
    for factor, cells in rows.items():
        assert cells[0] == shown(signed[factor], "mu_star"), factor
        assert cells[1] == f"{signed[factor]['mu']:.1f}".replace("-", "−"), factor
        assert cells[2] == f"{signed[factor]['sigma']:.1f}", factor
        assert cells[3] == shown(refused[factor], "mu_star"), factor
    ranked = sorted(signed, key=lambda f: -signed[f]["mu_star"])
    assert list(rows) == ranked  # the table is in the order of influence


def test_the_shipped_sobol_experiment_is_what_the_page_describes():
    experiment, plan, _ = load_experiment(ROOT / "experiments" / "wcit_sobol.toml")
    rows = doc_rows("**Sobol' analysis**")
    assert set(rows) == set(plan.sampled)
    assert plan.runs == 10_240 and experiment.samples == 512 and experiment.replicates == 2


def test_export_writes_a_sampled_designs_unit_coordinates_with_their_meaning(tmp_path):
    path = write(tmp_path, REAL)
    invoke("sweep", path, "--workers", 1, "--out", tmp_path / "o", "--no-progress")
    result = invoke("export", tmp_path / "o", "--table", "points", "--out", tmp_path / "p.csv")
    assert result.exit_code == 0, result.stderr
    points = pd.read_csv(tmp_path / "p.csv")
    assert len(points) == 24 and points["point"].tolist() == list(range(24))
    docs = pd.read_csv(tmp_path / "p.columns.csv").set_index("column")
    assert docs.loc["process.decision_rule", "unit"] == "quantile"
    grid = invoke("export", tmp_path / "o", "--table", "points")
    assert grid.exit_code == 0
    (tmp_path / "g.toml").write_text(f'scenario = "{CLASSROOM}"\n')
    invoke("sweep", tmp_path / "g.toml", "--workers", 1, "--out", tmp_path / "g", "--no-progress")
    refused = invoke("export", tmp_path / "g", "--table", "points")
    assert refused.exit_code == 2 and "only sampled designs have points" in refused.stderr
