"""Results from theory the model must reproduce, run through the whole model."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sim import run_conference
from sim.model.conference import ConferenceModel
from sim.model.mechanisms import deliberation as fj
from tests.conftest import build, one_dimension, spatial_process

ideal_points = st.lists(st.integers(0, 100).map(float), min_size=2, max_size=15)
drafting_modes = st.sampled_from(["compromise", "median", "amendment"])


@given(ideals=ideal_points, data=st.data(), drafting=drafting_modes)
def test_unanimity_without_concession_keeps_a_status_quo_inside_the_range_of_ideals(
    ideals, data, drafting
):
    """Every change away from q hurts someone on the other side, who vetoes it."""
    low, high = min(ideals), max(ideals)
    assume(high - low >= 2)
    q = data.draw(st.floats(low + 0.5, high - 0.5))
    raw = one_dimension(
        ideals, status_quo=q, process=spatial_process(decision_rule="unanimity", drafting=drafting)
    )
    outcome = run_conference(build(raw), seed=0)
    assert not outcome.adopted[0]
    assert outcome.package[0] == q


odd = st.integers(0, 49).map(lambda v: float(2 * v + 1))


@given(ideals=st.lists(odd, min_size=3, max_size=20), data=st.data(), drafting=drafting_modes)
def test_qualified_majority_keeps_a_status_quo_inside_the_gridlock_interval(ideals, data, drafting):
    """Krehbiel (1998): no proposal gets two thirds against a status quo between the pivots.

    Ideal points are odd and the status quo even, so nobody sits at a midpoint and abstains.
    """
    ordered = np.sort(ideals)
    n = len(ordered)
    c = int(np.ceil(2 * n / 3))
    low, high = int(ordered[n - c]), int(ordered[c - 1])
    assume(high > low)
    q = 2.0 * data.draw(st.integers((low + 1) // 2, (high - 1) // 2))
    process = spatial_process(
        decision_rule="qualified_majority", threshold=2 / 3, drafting=drafting
    )
    outcome = run_conference(build(one_dimension(ideals, status_quo=q, process=process)), seed=0)
    assert not outcome.adopted[0]
    assert outcome.package[0] == q


@given(
    ideals=st.lists(st.integers(1, 100).map(float), min_size=1, max_size=21).filter(
        lambda v: len(v) % 2
    )
)
def test_amendment_drafting_under_majority_ends_at_the_median_ideal(ideals):
    """Black (1948): the median beats every alternative, the status quo 0 included."""
    process = spatial_process(decision_rule="majority", drafting="amendment")
    outcome = run_conference(build(one_dimension(ideals, status_quo=0.0, process=process)), seed=0)
    assert outcome.adopted[0]
    assert outcome.package[0] == pytest.approx(np.median(ideals), abs=1e-9)
    assert outcome.settled_round[0] == 1


@given(
    ideals=st.lists(st.integers(10, 100).map(float), min_size=3, max_size=21).filter(
        lambda v: len(v) % 2
    )
)
def test_majority_fallback_ends_at_the_median_when_consensus_fails(ideals):
    """At the deadline the floor amends the draft to the median, which beats the status quo 0."""
    process = spatial_process(decision_rule="unanimity", fallback_rule="majority", rounds=3)
    outcome = run_conference(build(one_dimension(ideals, status_quo=0.0, process=process)), seed=0)
    assert outcome.adopted[0]
    assert outcome.package[0] == pytest.approx(np.median(ideals), abs=1e-9)


def test_deliberation_alone_converges_to_the_friedkin_johnsen_closed_form():
    rng = np.random.default_rng(11)
    ideals = rng.uniform(0, 100, 9)
    capability = rng.uniform(1, 10, 9)
    raw = one_dimension(ideals, status_quo=float(np.median(ideals)), capability=capability)
    raw["blocs"] = [{"id": "a"}, {"id": "b"}]
    for i, d in enumerate(raw["delegations"]):
        d["bloc"] = "ab"[i % 2]
    # unanimity on a status quo inside the range never settles, so every round deliberates
    raw["process"] = {
        "decision_rule": "unanimity",
        "rounds": 400,
        "openness": "closed",
        "mechanisms": {"concession": False},
        "domestic": {"uncertainty": 0.0},
        "abstain_band": 0.0,
    }
    model = ConferenceModel(build(raw), seed=0)
    while model.running:
        model.step()
    assert model.round == 400
    # closed, nobody seated: no oversight, and home holds the coded position
    assert np.array_equal(model.home, model.arrays.ideal)
    expected = fj.equilibrium(
        model.arrays.ideal, model.terms.peer_weights, model.terms.base_susceptibility
    )
    assert np.allclose(model.preferences, expected, atol=1e-8)
    # and persuasion moved them: the spread of preferences shrank
    assert model.preferences.std() < model.arrays.ideal.std()
