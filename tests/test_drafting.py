"""The chair's text: compromise, stakeholders' share of it, accommodation of objectors."""

import numpy as np
import pytest

from sim.model.mechanisms import deliberation as fj
from sim.model.mechanisms import drafting


def test_compromise_weighs_capability_times_salience():
    prefs = np.array([[0.0], [100.0]])
    weight = np.array([[3.0], [1.0]])  # e.g. capability share × salience
    assert drafting.compromise(prefs, weight, np.zeros(1), np.zeros(1))[0] == pytest.approx(25.0)


def test_stakeholders_hold_the_share_of_the_text_they_hold_of_the_floor():
    """Civil society's share is α·v·e, continuous in access: no threshold, no jump."""
    resources = np.array([1.0, 3.0])
    relative = np.array([[1.0], [0.0]])  # only the first takes a position
    positions = np.array([[100.0], [0.0]])
    prefs, weight = np.array([[0.0]]), np.array([[1.0]])
    texts = []
    for access in np.linspace(0, 1, 101):
        share = fj.floor(access, 0.5, resources, relative)
        pull, target = fj.stakeholder_terms(share, positions)
        texts.append(drafting.compromise(prefs, weight, pull, target)[0])
    # engagement e = 1·1/4: at full access the stakeholder holds 0.5 · 0.25 of the text
    assert texts[-1] == pytest.approx(100 * 0.125)
    assert texts[0] == 0.0
    assert np.all(np.diff(texts) > 0)
    assert np.max(np.diff(texts)) == pytest.approx(np.min(np.diff(texts)))  # linear in α


def test_accommodation_moves_toward_capability_weighted_objectors():
    prefs = np.array([[0.0, 0.0], [100.0, 100.0], [60.0, 60.0]])
    objectors = np.array([[False, False], [True, False], [True, False]])
    capability = np.array([1.0, 3.0, 1.0])
    reach = np.zeros_like(prefs)  # objectors accept only their own preference
    state = drafting.accommodate(
        drafting.Accommodation.start(2, 0.5),
        np.array([50.0, 50.0]),
        prefs,
        objectors,
        capability,
        reach,
    )
    # objectors' mean on the first provision: (3·100 + 60) / 4 = 90; half-way from 50
    assert state.offset[0] == pytest.approx(20.0)
    # no objectors on the second provision: the text stays
    assert state.offset[1] == 0.0


def test_the_chair_splits_the_difference_between_alternating_objectors():
    """Objectors on either side of a point x*: the text converges to x*."""
    prefs = np.array([[10.0], [90.0]])
    capability = np.ones(2)
    balance, compromise = 57.0, 30.0
    state = drafting.Accommodation.start(1, 0.3)
    for _ in range(40):
        text = compromise + state.offset
        # whoever the text is far from objects: the left below it, the right above it
        objectors = np.array([[text[0] > balance], [text[0] < balance]])
        state = drafting.accommodate(state, text, prefs, objectors, capability, np.zeros((2, 1)))
    assert compromise + state.offset[0] == pytest.approx(balance, abs=1.0)
    assert state.step[0] < 0.3


def test_the_chair_moves_to_what_objectors_on_both_sides_would_accept():
    """Under a voting fallback at 60, objectors on either side accept only texts at 60."""
    prefs = np.array([[20.0], [100.0], [80.0]])
    fallback = 60.0
    reach = np.abs(fallback - prefs)  # tolerance has grown to the reservation gap
    capability = np.array([5.0, 1.0, 1.0])
    state = drafting.Accommodation.start(1, 0.3)
    text = 45.0
    for _ in range(30):
        # whoever prefers the fallback to the text objects
        objectors = np.abs(text - prefs) > reach
        state = drafting.accommodate(state, np.array([text]), prefs, objectors, capability, reach)
        text = 45.0 + state.offset[0]
    assert text == pytest.approx(fallback, abs=1.0)
