"""The chair's text: compromise, co-drafting stakeholders, accommodation of objectors."""

import numpy as np
import pytest

from sim.mechanisms import drafting


def test_compromise_weighs_capability_times_salience():
    prefs = np.array([[0.0], [100.0]])
    weight = np.array([[3.0], [1.0]])  # e.g. capability share × salience
    none = np.zeros((0, 1))
    assert drafting.compromise(prefs, weight, none, none)[0] == pytest.approx(25.0)


def test_stakeholders_draft_only_from_the_codrafting_level():
    resources = np.array([1.0])
    salience = np.array([[1.0]])
    below = drafting.codrafting_weight(
        resources, salience, access=0.6, codraft_access=0.75, stakeholder_weight=0.5
    )
    at = drafting.codrafting_weight(
        resources, salience, access=0.8, codraft_access=0.75, stakeholder_weight=0.5
    )
    assert not below.any()
    assert at[0, 0] == pytest.approx(0.8 * 0.5)
    prefs, weight = np.array([[0.0]]), np.array([[1.0]])
    text = drafting.compromise(prefs, weight, np.array([[100.0]]), at)
    assert text[0] == pytest.approx(100 * 0.4 / 1.4)


def test_accommodation_moves_toward_capability_weighted_objectors():
    prefs = np.array([[0.0, 0.0], [100.0, 100.0], [60.0, 60.0]])
    objectors = np.array([[False, False], [True, False], [True, False]])
    capability = np.array([1.0, 3.0, 1.0])
    text = drafting.accommodate(np.array([50.0, 50.0]), prefs, objectors, capability, 0.5)
    # objectors' mean on the first provision: (3·100 + 60) / 4 = 90; half-way from 50
    assert text[0] == pytest.approx(70.0)
    # no objectors on the second provision: the text stays
    assert text[1] == 50.0
