"""sim.ema: a scenario as an EMA Workbench model, run through EMA's own perform_experiments."""

from __future__ import annotations

import importlib
import importlib.util
import pickle
import re
import sys

import numpy as np
import pytest

if importlib.util.find_spec("ema_workbench") is None:
    pytest.skip(
        "ema-workbench is not installed (pip install 'treatysim[ema]')", allow_module_level=True
    )
# sim.ema first: it imports EMA Workbench without its "ipyparallel not installed" warning
sim_ema = importlib.import_module("sim.ema")

from ema_workbench import (  # noqa: E402  (after the skip: the package is optional)
    BooleanParameter,
    CategoricalParameter,
    IntegerParameter,
    MultiprocessingEvaluator,
    Policy,
    RealParameter,
    ScalarOutcome,
    Scenario,
    SequentialEvaluator,
    perform_experiments,
)
from ema_workbench.util import EMAError  # noqa: E402

from sim import InputError, load_scenario, run_conference  # noqa: E402
from sim.ema import ema_model  # noqa: E402
from sim.results.metrics import METRIC_NAMES  # noqa: E402
from tests.conftest import CLASSROOM, ROOT  # noqa: E402

UNCERTAINTIES = {
    "process.openness.access": (0.0, 1.0),
    "process.signing.sign_threshold": (0.0, 0.3),
    "process.rounds": (3, 8),
}
LEVERS = {"process.decision_rule": ["consensus", "majority"]}


def as_set(path, value) -> str:
    """A --set override as a user would type it."""
    if isinstance(value, float | np.floating):
        return f"{path}={float(value)!r}"
    if isinstance(value, int | np.integer):
        return f"{path}={int(value)}"
    return f"{path}={value}"


def expected_runs(overrides: list[str], seed: int, replicates: int) -> list[dict]:
    """What treatysim itself gives for these overrides, replicate r seeded SeedSequence([seed, r])."""
    scenario = load_scenario(CLASSROOM, overrides)
    seeds = [int(np.random.SeedSequence([seed, r]).generate_state(1)[0]) for r in range(replicates)]
    return [run_conference(scenario, s).metrics for s in seeds]


def test_outcomes_are_the_mean_of_treatysim_runs_on_the_same_values_and_seeds():
    model = ema_model(CLASSROOM, UNCERTAINTIES, LEVERS, replicates=3, seed=7, per_replicate=True)
    experiments, outcomes = perform_experiments(model, scenarios=8, policies=2)
    assert len(experiments) == 16
    paths = [*UNCERTAINTIES, *LEVERS]
    for i, row in experiments.iterrows():
        runs = expected_runs([as_set(p, row[p]) for p in paths], seed=7, replicates=3)
        for metric in METRIC_NAMES:
            values = [float(run[metric]) for run in runs]
            # the mean of the replicates, up to the order numpy sums them in
            assert outcomes[metric][i] == pytest.approx(sum(values) / 3, rel=1e-12), (i, metric)
            assert outcomes[metric + "_by_replicate"][i].tolist() == values, (i, metric)
    # the sampled values reach the model: rounds_used follows process.rounds
    assert len(set(outcomes["rounds_used"])) > 1
    assert (outcomes["rounds_used"] <= experiments["process.rounds"].to_numpy()).all()


def test_every_metric_is_an_outcome_by_default_with_its_better_direction():
    model = ema_model(CLASSROOM, UNCERTAINTIES)
    assert [o.name for o in model.outcomes] == list(METRIC_NAMES)
    kinds = {o.name: o.kind for o in model.outcomes}
    assert kinds["signed"] == ScalarOutcome.MAXIMIZE
    assert kinds["refused"] == ScalarOutcome.MINIMIZE
    assert kinds["n_adopted"] == ScalarOutcome.INFO
    chosen = ema_model(CLASSROOM, UNCERTAINTIES, outcomes=["signed", "welfare"])
    assert [o.name for o in chosen.outcomes] == ["signed", "welfare"]
    assert set(chosen.function(**{"process.rounds": 4})) == {"signed", "welfare"}


def test_the_decision_rule_lever_changes_outcomes_on_common_seeds():
    model = ema_model(CLASSROOM, {"process.openness.access": (0.0, 1.0)}, LEVERS, replicates=2)
    rules = LEVERS["process.decision_rule"]
    policies = [Policy(rule, **{"process.decision_rule": rule}) for rule in rules]
    scenarios = [Scenario(f"s{i}", **{"process.openness.access": i / 5}) for i in range(6)]
    experiments, outcomes = perform_experiments(model, scenarios=scenarios, policies=policies)
    by_rule = {
        rule: outcomes["votes_called"][(experiments["policy"] == rule).to_numpy()] for rule in rules
    }
    # consensus practice calls votes at the deadline; under majority rule nothing is left to force
    assert (by_rule["consensus"] > by_rule["majority"]).all()
    # an experiment replayed alone gives the same outcome: the seeds do not depend on the design
    _, again = perform_experiments(model, scenarios=scenarios[::-1], policies=policies[:1])
    assert again["votes_called"][::-1].tolist() == by_rule["consensus"].tolist()


def test_ema_parameter_objects_name_their_scenario_path():
    uncertainties = [
        RealParameter("access", 0.0, 1.0, variable_name="process.openness.access"),
        IntegerParameter("process.rounds", 3, 8),
        BooleanParameter("process.mechanisms.persuasion"),
    ]
    levers = [
        CategoricalParameter(
            "rule", ["consensus", "majority"], variable_name="process.decision_rule"
        )
    ]
    model = ema_model(
        CLASSROOM, uncertainties, levers, constants={"process.openness.transparency": 1.0}
    )
    scenario = Scenario(
        "s", access=0.25, **{"process.rounds": 4, "process.mechanisms.persuasion": False}
    )
    policy = Policy("p", rule="majority")
    _, outcomes = perform_experiments(model, scenarios=[scenario], policies=[policy])
    overrides = [
        "process.openness.access=0.25",
        "process.rounds=4",
        "process.mechanisms.persuasion=false",
        "process.decision_rule=majority",
        "process.openness.transparency=1.0",
    ]
    (run,) = expected_runs(overrides, seed=0, replicates=1)
    assert [outcomes[m][0] for m in METRIC_NAMES] == [float(run[m]) for m in METRIC_NAMES]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"uncertainties": {"process.openness.acess": (0.0, 1.0)}},
            ["uncertainties", "process.openness.acess", "unknown key"],
        ),
        (
            {"uncertainties": {"process.openness.access": (0.0, 1.5)}},
            ["process.openness.access = 1.5", "less than or equal to 1"],
        ),
        ({"uncertainties": {"process.rounds": (3.0, 8.0)}}, ["process.rounds", "IntegerParameter"]),
        (
            {"levers": {"process.decision_rule": ["consensus", "bogus"]}},
            ["levers", "process.decision_rule = 'bogus'"],
        ),
        (
            {"levers": {"delegations.XYZ.capability": (1.0, 5.0)}},
            ["delegations.XYZ.capability", "no item with id 'XYZ'"],
        ),
        (
            {"levers": {"process.decision_rule": ["consensus"]}},
            ["process.decision_rule", "at least two categories"],
        ),
        (
            {"levers": {"process.decision_rule": "consensus"}},
            ["process.decision_rule", "a range (low, high) or a list"],
        ),
        (
            {"uncertainties": {"process.signing.sign_threshold": (0.3, 0.1)}},
            ["process.signing.sign_threshold", "must be below"],
        ),
        (
            {
                "uncertainties": {"process.openness": ["closed", "observer"]},
                "levers": {"process.openness.access": (0.0, 1.0)},
            },
            ["process.openness.access", "overlaps process.openness"],
        ),
        (
            {
                "uncertainties": {"delegations.ALD.capability": (1.0, 2.0)},
                "levers": {"delegations.0.capability": (1.0, 2.0)},
            },
            ["delegations.0.capability", "same key as delegations.ALD.capability"],
        ),
        (
            {"constants": {"process.rounds": 0}},
            ["constants", "process.rounds", "greater than or equal to 1"],
        ),
        ({"outcomes": ["signed", "signatures"]}, ["outcomes", "signatures", "not a metric"]),
        ({"outcomes": ["signed", "signed"]}, ["signed", "more than once"]),
        ({"replicates": 0}, ["replicates"]),
        ({"seed": -1}, ["seed"]),
        ({"name": "treaty sim"}, ["name", "letters and digits"]),
        (
            {
                "uncertainties": [
                    RealParameter("name", 0, 1, variable_name="process.openness.access")
                ]
            },
            ["name", "attribute of EMA's model"],
        ),
        (
            {
                "uncertainties": [RealParameter("process.rounds", 3, 8)],
                "levers": [IntegerParameter("process.rounds", 3, 8)],
            },
            ["levers", "process.rounds", "also named among the uncertainties"],
        ),
    ],
)
def test_bad_parameters_are_input_errors_naming_the_path_when_the_model_is_built(kwargs, expected):
    with pytest.raises(InputError) as caught:
        ema_model(CLASSROOM, **kwargs)
    message = str(caught.value)
    for text in expected:
        assert text in message, message


def test_a_bad_scenario_file_is_an_input_error():
    with pytest.raises(InputError, match="no such file"):
        ema_model(ROOT / "scenarios" / "no_such_scenario.toml")


def test_parameters_valid_alone_but_not_together_are_refused(tmp_path):
    scenario = tmp_path / "qualified.toml"
    scenario.write_text(
        f'extends = "{CLASSROOM.as_posix()}"\n[process]\ndecision_rule = "qualified_majority"\n'
    )
    ema_model(scenario, {"process.threshold": (0.6, 0.9)})  # fine alone
    ema_model(scenario, levers={"process.decision_rule": ["qualified_majority", "majority"]})
    with pytest.raises(InputError) as caught:
        ema_model(
            scenario,
            {"process.threshold": (0.6, 0.9)},
            {"process.decision_rule": ["qualified_majority", "majority"]},
        )
    message = str(caught.value)
    assert "process.threshold = 0.6, process.decision_rule = 'majority'" in message, message
    assert "use qualified_majority for a threshold" in message


def test_values_not_declared_as_parameters_are_checked_when_run():
    model = ema_model(CLASSROOM, {"process.openness.access": (0.0, 1.0)})
    with pytest.raises(InputError, match=r"process\.decision_rule"):
        model.function(**{"process.decision_rule": "bogus"})
    # without levers EMA passes a policy's keys straight through, so the check happens in the run
    with pytest.raises(EMAError, match=r"InputError.*process\.decision_rule"):
        perform_experiments(
            model, scenarios=1, policies=[Policy("bad", **{"process.decision_rule": "bogus"})]
        )


# EMA's pool forks after starting its log reader thread; Python 3.12+ warns about that
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_the_model_pickles_and_a_process_pool_gives_the_sequential_results():
    model = ema_model(CLASSROOM, {"process.openness.access": (0.0, 1.0)}, LEVERS, replicates=2)
    copy = pickle.loads(pickle.dumps(model))
    values = {"process.openness.access": 0.4, "process.decision_rule": "majority"}
    assert copy.function(**values) == model.function(**values)
    scenarios = [Scenario(f"s{i}", **{"process.openness.access": i / 5}) for i in range(6)]
    policies = [
        Policy(rule, **{"process.decision_rule": rule}) for rule in LEVERS["process.decision_rule"]
    ]
    with SequentialEvaluator(model) as evaluator:
        serial = evaluator.perform_experiments(scenarios=scenarios, policies=policies)
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        parallel = evaluator.perform_experiments(scenarios=scenarios, policies=policies)
    assert serial[0].equals(parallel[0])
    assert all(np.array_equal(serial[1][m], parallel[1][m]) for m in METRIC_NAMES)


def test_importing_without_ema_workbench_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "sim.ema")
    with pytest.raises(ImportError, match=re.escape("pip install 'treatysim[ema]'")):
        importlib.import_module("sim.ema")


def test_the_example_in_docs_ema_runs(monkeypatch, capsys):
    text = (ROOT / "docs" / "ema.md").read_text()
    (example,) = re.findall(r"```python\n(.*?)```", text, re.S)
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(example, "docs/ema.md", "exec"), namespace)
    experiments, outcomes = namespace["experiments"], namespace["outcomes"]
    assert len(experiments) == len(outcomes["signed"]) > 0
