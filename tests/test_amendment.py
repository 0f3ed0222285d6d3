"""Floor votes: the weighted median, sincere vote counts, and the amendment procedure."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model.mechanisms.amendment import Floor, amend, fallback_outcome, weighted_median
from sim.model.mechanisms.decision import RuleSpec, vote_passes

MAJORITY = RuleSpec("majority")
TWO_THIRDS = RuleSpec("qualified_majority", threshold=2 / 3)

positions = st.lists(st.integers(0, 100).map(float), min_size=1, max_size=25)


def brute_force_votes(prefs, votes, candidate, text, band):
    gain = np.abs(text - prefs) - np.abs(candidate - prefs)
    yes, no = gain > band, gain < -band
    return yes.sum(), no.sum(), votes[yes].sum(), votes[no].sum()


@given(
    prefs=positions,
    data=st.data(),
    band=st.sampled_from([0.0, 0.5, 1.0, 3.0]),
)
def test_floor_counts_match_brute_force(prefs, data, band):
    p = np.array(prefs)[:, None]
    votes = np.array(
        data.draw(st.lists(st.integers(0, 5), min_size=len(prefs), max_size=len(prefs))), float
    )
    text = float(data.draw(st.integers(0, 100)))
    floor = Floor(p, votes, with_votes=True)
    rule = RuleSpec("double_majority")
    yes, no, yes_v, no_v = floor.prefer(floor.sorted, np.array([[text]]), band, rule)
    for j, x in enumerate(floor.sorted[0]):
        assert (yes[0, j], no[0, j], yes_v[0, j], no_v[0, j]) == pytest.approx(
            brute_force_votes(p[:, 0], votes, x, text, band)
        )


def test_weighted_median():
    values = np.array([[10.0, 1.0], [20.0, 2.0], [90.0, 3.0]])
    assert np.allclose(weighted_median(values, np.ones(3)), [20.0, 2.0])
    assert np.allclose(weighted_median(values, np.array([1.0, 1.0, 5.0])), [90.0, 3.0])


@given(
    prefs=st.lists(st.integers(0, 100).map(float), min_size=1, max_size=31).filter(
        lambda v: len(v) % 2 == 1
    ),
    text=st.integers(0, 100).map(float),
)
def test_majority_amendment_ends_at_the_median(prefs, text):
    """Black (1948): with an odd number of single-peaked voters the median beats every position."""
    p = np.array(prefs)[:, None]
    floor = Floor(p, np.ones(len(prefs)), with_votes=False)
    result = amend(np.array([text]), floor, MAJORITY, band=0.0)
    assert result[0] == np.median(prefs)


odd = st.integers(0, 49).map(lambda v: float(2 * v + 1))
even = st.integers(0, 50).map(lambda v: float(2 * v))


@given(prefs=st.lists(odd, min_size=3, max_size=30), text=even)
def test_qualified_majority_cannot_move_a_text_inside_the_gridlock_interval(prefs, text):
    """Krehbiel (1998): with threshold q, a text between the pivots cannot be beaten.

    Ideal points are odd and texts even, so no voter sits at a midpoint and nobody abstains.
    A text is inside the interval when fewer than q·n voters lie strictly on either side of it,
    i.e. between the (n − c + 1)-th and the c-th smallest ideal, c = ⌈q·n⌉.
    """
    ordered = np.sort(prefs)
    n = len(ordered)
    c = int(np.ceil(2 * n / 3))
    floor = Floor(np.array(prefs)[:, None], np.ones(n), with_votes=False)
    result = amend(np.array([text]), floor, TWO_THIRDS, band=0.0)[0]
    if ordered[n - c] <= text <= ordered[c - 1]:
        assert result == text
    else:
        assert result != text  # outside the interval a q-majority can always move it


@given(
    prefs=positions,
    text=st.integers(0, 100).map(float),
    rule=st.sampled_from([MAJORITY, TWO_THIRDS, RuleSpec("weighted"), RuleSpec("double_majority")]),
)
def test_nothing_beats_the_result_of_the_amendment_procedure(prefs, text, rule):
    p = np.array(prefs)[:, None]
    votes = np.arange(1, len(prefs) + 1, dtype=float)
    floor = Floor(p, votes)
    result = amend(np.array([text]), floor, rule, band=1.0)
    beats = vote_passes(rule, *floor.prefer(floor.sorted, result[:, None], 1.0, rule))
    assert not beats.any()
    assert result[0] == text or result[0] in prefs


def test_amend_only_touches_the_requested_provisions():
    p = np.array([[10.0, 10.0], [50.0, 50.0], [90.0, 90.0]])
    floor = Floor(p, np.ones(3), with_votes=False)
    out = amend(np.array([0.0, 0.0]), floor, MAJORITY, band=0.0, only=np.array([True, False]))
    assert out.tolist() == [50.0, 0.0]


def test_fallback_outcome_keeps_status_quo_when_the_amended_text_loses():
    # two of three prefer the status quo 0 to anything the floor can propose... except the median 5
    p = np.array([[0.0], [5.0], [100.0]])
    floor = Floor(p, np.ones(3), with_votes=False)
    voted, passed, outcome = fallback_outcome(
        np.array([60.0]), np.array([0.0]), floor, MAJORITY, band=1.0
    )
    assert passed[0] and outcome[0] == voted[0] == 5.0
    # under a closed rule the chair's 60 is voted as tabled, and loses to the status quo
    voted, passed, outcome = fallback_outcome(
        np.array([60.0]), np.array([0.0]), floor, MAJORITY, band=1.0, procedure="closed"
    )
    assert voted[0] == 60.0 and not passed[0] and outcome[0] == 0.0
    # a qualified majority can move nothing away from a status quo between its pivots
    p = np.array([[0.0], [10.0], [90.0], [100.0]])
    floor = Floor(p, np.ones(4), with_votes=False)
    _, passed, outcome = fallback_outcome(
        np.array([50.0]), np.array([50.0]), floor, TWO_THIRDS, band=0.0
    )
    assert not passed[0] and outcome[0] == 50.0


def test_a_low_quota_cycle_stops_when_a_text_comes_back():
    # with quota 4 of 10 votes, 0 and 2 each beat the other
    floor = Floor(np.array([[0.0], [0.0], [0.0], [2.0]]), np.array([1.0, 2.0, 3.0, 4.0]))
    rule = RuleSpec("weighted", quota=4.0)
    for text in (0.0, 2.0):
        assert vote_passes(
            rule, *floor.prefer(np.array([[2.0 - text]]), np.array([[text]]), 1.0, rule)
        )[0, 0]
    assert amend(np.array([0.0]), floor, rule, band=1.0)[0] in (0.0, 2.0)
