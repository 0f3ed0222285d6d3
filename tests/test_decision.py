"""Decision rules: a contract every rule satisfies, then each rule's own semantics."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model.mechanisms.decision import DEFAULT_THRESHOLD, RuleSpec, classify, tally

RULES = [
    RuleSpec("unanimity"),
    RuleSpec("consensus", capability_share=0.1, count_share=0.1),
    RuleSpec("majority"),
    RuleSpec("qualified_majority", threshold=2 / 3),
    RuleSpec("weighted", threshold=0.5),
    RuleSpec("weighted", quota=6.0),
    RuleSpec("double_majority", threshold=0.55, weight_threshold=0.65),
]
ids = [r.describe() for r in RULES]


def decide(rule, yes, no, votes=None, capability=None):
    yes = np.asarray(yes, bool)[:, None]
    no = np.asarray(no, bool)[:, None]
    n = len(yes)
    votes = np.ones(n) if votes is None else np.asarray(votes, float)
    capability = np.ones(n) if capability is None else np.asarray(capability, float)
    return tally(rule, yes, no, votes, capability)


# --- the contract --------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=ids)
def test_everyone_in_favour_passes(rule):
    assert decide(rule, [1] * 10, [0] * 10, votes=[1] * 10).passed[0]


@pytest.mark.parametrize("rule", RULES, ids=ids)
def test_everyone_against_fails(rule):
    assert not decide(rule, [0] * 10, [1] * 10).passed[0]


@pytest.mark.parametrize("rule", RULES, ids=ids)
@given(data=st.data())
def test_more_support_never_hurts(rule, data):
    """Monotonicity: turning an objector into a supporter never turns a pass into a fail."""
    n = data.draw(st.integers(1, 12))
    stance = np.array(data.draw(st.lists(st.sampled_from([-1, 0, 1]), min_size=n, max_size=n)))
    votes = np.array(data.draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)), float)
    before = decide(rule, stance == 1, stance == -1, votes, votes).passed[0]
    objectors = np.flatnonzero(stance == -1)
    if before and objectors.size:
        stance[objectors[0]] = 1
        assert decide(rule, stance == 1, stance == -1, votes, votes).passed[0]


@pytest.mark.parametrize("rule", RULES, ids=ids)
@given(data=st.data())
def test_counts_add_up(rule, data):
    n = data.draw(st.integers(1, 12))
    stance = np.array(data.draw(st.lists(st.sampled_from([-1, 0, 1]), min_size=n, max_size=n)))
    result = decide(rule, stance == 1, stance == -1)
    assert result.yes[0] + result.no[0] + result.abstain[0] == n
    assert 0.0 <= result.objector_capability[0] <= 1.0


# --- each rule -----------------------------------------------------------------------------


def test_unanimity_gives_every_delegation_a_veto():
    assert not decide(RuleSpec("unanimity"), [1] * 9 + [0], [0] * 9 + [1]).passed[0]
    # abstaining (indifferent) is not a veto
    assert decide(RuleSpec("unanimity"), [1] * 9 + [0], [0] * 10).passed[0]


def test_consensus_overrules_small_objectors_only():
    rule = RuleSpec("consensus", capability_share=0.1, count_share=0.25)
    capability = [10, 1, 1, 1, 1, 1, 1, 1]
    # one small objector (1/17 of capability, 1 of 8): adopted
    assert decide(rule, [1] * 7 + [0], [0] * 7 + [1], capability=capability).passed[0]
    # the large delegation objects alone: 10/17 of capability blocks
    assert not decide(rule, [0] + [1] * 7, [1] + [0] * 7, capability=capability).passed[0]
    # three small objectors: count share 3/8 > 0.25 blocks although capability is 3/17
    assert not decide(rule, [1] * 5 + [0] * 3, [0] * 5 + [1] * 3, capability=capability).passed[0]


def test_majority_counts_present_and_voting_and_ties_fail():
    rule = RuleSpec("majority")
    assert decide(rule, [1, 1, 0, 0, 0], [0, 0, 1, 0, 0]).passed[0]  # 2 yes, 1 no, 2 abstain
    assert not decide(rule, [1, 1, 0, 0], [0, 0, 1, 1]).passed[0]  # tie


def test_qualified_majority_threshold_is_inclusive():
    rule = RuleSpec("qualified_majority", threshold=2 / 3)
    assert decide(rule, [1, 1, 0], [0, 0, 1]).passed[0]  # exactly two thirds
    assert not decide(rule, [1, 1, 1, 0, 0], [0, 0, 0, 1, 1]).passed[0]  # 60%


def test_weighted_rule_uses_votes_and_quota():
    votes = [4, 1, 1, 1]
    share = RuleSpec("weighted", threshold=0.5)
    assert decide(share, [1, 0, 0, 0], [0, 1, 1, 1], votes=votes).passed[0]  # 4 votes against 3
    quota = RuleSpec("weighted", quota=6.0)
    assert not decide(quota, [1, 1, 0, 0], [0, 0, 1, 1], votes=votes).passed[0]  # 5 < 6
    assert decide(quota, [1, 1, 1, 0], [0, 0, 0, 1], votes=votes).passed[0]  # 6 ≥ 6


def test_double_majority_needs_both_count_and_weight():
    rule = RuleSpec("double_majority", threshold=0.55, weight_threshold=0.65)
    votes = [10, 1, 1, 1, 1]
    # four small states (80% of states, 4/14 of weight) are not enough
    assert not decide(rule, [0, 1, 1, 1, 1], [1, 0, 0, 0, 0], votes=votes).passed[0]
    # the big one with two small (60% of states, 12/14 of weight) is
    assert decide(rule, [1, 1, 1, 0, 0], [0, 0, 0, 1, 1], votes=votes).passed[0]


def test_default_thresholds():
    assert DEFAULT_THRESHOLD["majority"] == 0.5
    assert DEFAULT_THRESHOLD["qualified_majority"] == pytest.approx(2 / 3)


# --- who supports a draft ------------------------------------------------------------------


def test_classify_needs_tolerance_and_a_gain_over_the_reservation():
    prefs = np.array([[10.0], [40.0], [50.0], [90.0]])
    draft = np.array([50.0])
    reservation = np.array([0.0])
    tolerance = np.full((4, 1), 15.0)
    yes, no = classify(draft, prefs, reservation, tolerance, band=0.0)
    # 10: prefers the status quo; 40: within 15 and better than 0; 50: at its ideal; 90: too far yet
    assert yes[:, 0].tolist() == [False, True, True, False]
    assert no[:, 0].tolist() == [True, False, False, True]
    # with unlimited tolerance (a sincere vote) 90 supports: 50 is nearer to it than 0
    yes, _ = classify(draft, prefs, reservation, np.inf, band=0.0)
    assert yes[:, 0].tolist() == [False, True, True, True]


def test_classify_indifferent_delegations_abstain():
    prefs = np.array([[25.0], [26.0]])
    yes, no = classify(np.array([50.0]), prefs, np.array([0.0]), np.inf, band=1.0)
    # 25 is equidistant; 26 gains 2 > 1
    assert not yes[0, 0] and not no[0, 0]
    assert yes[1, 0]


@pytest.mark.parametrize("rule", RULES, ids=ids)
def test_a_text_that_changes_nothing_is_never_adopted(rule):
    yes = np.ones((10, 2), bool)
    result = tally(rule, yes, ~yes, np.ones(10), np.ones(10), change=np.array([True, False]))
    assert result.passed.tolist() == [True, False]
