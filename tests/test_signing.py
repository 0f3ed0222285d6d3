"""The signing stage: one valuation at two levels, grievance, deferral and the bloc cascade."""

import numpy as np
import pytest

from sim.model.mechanisms import signing as sg
from sim.model.mechanisms import valuation
from sim.model.mechanisms.ties import Ties


def test_package_value_is_the_salience_weighted_quadratic_gain_over_the_status_quo():
    value = valuation.package_value(
        package=np.array([50.0, 0.0]),
        status_quo=np.array([0.0, 0.0]),
        positions=np.array([[60.0, 10.0], [0.0, 0.0]]),
        salience=np.array([[0.5, 0.5], [1.0, 0.0]]),
    )
    # first actor: (60² − 10²)·0.5/100² on the first provision, nothing on the second
    assert value == pytest.approx([0.175, -0.25])


def test_intensity_beyond_the_package_matters():
    """Linear loss gives every actor beyond the text the same gain; quadratic loss does not."""
    positions = np.array([[60.0], [80.0], [100.0]])
    value = valuation.package_value(np.array([50.0]), np.zeros(1), positions, np.ones((3, 1)))
    assert value[0] < value[1] < value[2]
    linear = np.abs(0 - positions) - np.abs(50 - positions)
    assert np.all(linear == 50.0)


def test_grievance_counts_the_salience_a_delegation_was_overruled_on():
    overruled = np.array([[True, False, True], [False, False, False]])
    salience = np.array([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
    assert sg.grievance(overruled, salience, 0.1) == pytest.approx([-0.07, 0.0])


def test_home_signs_a_surprised_delegation_defers_the_rest_refuse():
    verdict = np.array([0.1, -0.2, -0.01, -0.01])
    belief = np.array([0.1, -0.1, 0.02, -0.02])
    codes = sg.classify(verdict, belief, deferral=True)
    assert [sg.DECISIONS[c] for c in codes] == ["sign", "refuse", "defer", "refuse"]
    without = sg.classify(verdict, belief, deferral=False)
    assert [sg.DECISIONS[c] for c in without] == ["sign", "refuse", "refuse", "refuse"]


def test_the_delegation_knows_home_only_as_far_as_home_followed():
    verdict = np.array([-0.05, -0.05, -0.05])
    table, home = np.array([0.1, 0.1, 0.1]), np.array([-0.05, -0.05, -0.05])
    informed = np.array([0.0, 0.5, 1.0])
    belief = sg.expectation(verdict, table, home, informed)
    assert belief == pytest.approx([0.1, 0.025, -0.05])
    # so the uninformed defer and the informed refuse
    codes = sg.classify(verdict, belief, deferral=True)
    assert [sg.DECISIONS[c] for c in codes] == ["defer", "defer", "refuse"]


def test_cascade_pulls_a_wavering_member_along_with_its_bloc():
    peers = Ties([[0]] * 3, 1)
    base = np.array([0.2, 0.2, -0.06])  # the third would refuse alone
    alone = sg.cascade(base, base, sg.peer_shares(peers), 0.0, True)
    assert alone.decisions.tolist() == [sg.SIGN, sg.SIGN, sg.REFUSE]
    pulled = sg.cascade(base, base, sg.peer_shares(peers), 0.2, True)
    # both peers sign: pull = 0.2 · (1 − ½) = 0.1 lifts −0.06 over zero
    assert pulled.decisions.tolist() == [sg.SIGN] * 3
    assert pulled.pull[2] == pytest.approx(0.1)
    assert [step for step, _, _ in pulled.steps] == [0]


def test_refusals_cascade_through_a_bloc():
    peers = Ties([[0]] * 3, 1)
    # the first refuses whatever; without it the second's pull drops from +0.1 to 0
    base = np.array([-0.5, -0.03, 0.5])
    result = sg.cascade(base, base, sg.peer_shares(peers), 0.2, True)
    assert result.decisions.tolist() == [sg.REFUSE, sg.REFUSE, sg.SIGN]
    assert [(step, changed.tolist()) for step, changed, _ in result.steps] == [
        (0, [0, 1, 2]),
        (1, [1]),
    ]


def test_cascade_reaches_a_fixed_point():
    rng = np.random.default_rng(0)
    n = 40
    blocs = rng.integers(0, 4, n)
    peers = (blocs[:, None] == blocs[None, :]).astype(float)
    verdict = rng.normal(0, 0.05, n)
    belief = verdict + rng.normal(0, 0.05, n)
    ties = Ties([[int(b)] for b in blocs], 4)
    assert np.array_equal(ties.dense(), peers)
    result = sg.cascade(verdict, belief, sg.peer_shares(ties), 0.1, True)
    # decisions are consistent with the pull they produce, and the pull with the decisions
    again = sg.classify(verdict + result.pull, belief + result.pull, True)
    assert (again == result.decisions).all()
    weights = peers * (1 - np.eye(n))
    weights /= weights.sum(axis=1, keepdims=True)
    assert np.allclose(0.1 * (weights @ (result.decisions == sg.SIGN) - 0.5), result.pull)
