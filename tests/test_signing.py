"""The signing stage: values, legitimacy, deferral and the bloc cascade."""

import numpy as np
import pytest

from sim.mechanisms import signing as sg


def test_package_value_is_salience_weighted_gain_over_status_quo():
    value = sg.package_value(
        package=np.array([50.0, 0.0]),
        status_quo=np.array([0.0, 0.0]),
        positions=np.array([[60.0, 10.0], [0.0, 0.0]]),
        salience=np.array([[0.5, 0.5], [1.0, 0.0]]),
    )
    # first actor: gains 50 points on the first provision, (60 − 10)·0.5/100
    assert value == pytest.approx([0.25, -0.5])


def test_domestic_value_is_resource_weighted_and_falls_back_to_own_value():
    st_value = np.array([0.2, -0.4, 1.0])
    resources = np.array([3.0, 1.0, 5.0])
    home = np.array([0, 0, -1])
    own = np.array([0.7, 0.3])
    domestic = sg.domestic_value(st_value, resources, home, own)
    assert domestic[0] == pytest.approx((3 * 0.2 - 0.4) / 4)
    assert domestic[1] == pytest.approx(0.3)  # no home stakeholders: its own value


def test_legitimacy_helps_open_processes_and_costs_closed_ones_for_accountable_governments():
    o = np.array([1.0, 1.0, 0.0])
    seated = np.array([True, False, False])
    open_ = sg.experienced_openness(1.0, 1.0, seated)
    assert open_.tolist() == pytest.approx([1.0, 2 / 3, 2 / 3])
    legit = sg.legitimacy(o, open_, weight=0.2, reference=0.5)
    assert legit == pytest.approx([0.1, 0.2 / 6, 0.0])
    closed = sg.legitimacy(o, sg.experienced_openness(0.0, 0.0, np.zeros(3, bool)), 0.2, 0.5)
    assert closed == pytest.approx([-0.1, -0.1, 0.0])


def test_classify_thresholds_and_deferral():
    score = np.array([0.1, -0.2, -0.01, -0.01, -0.04])
    may_defer = np.array([True, True, True, False, False])
    codes = sg.classify(score, 0.0, -0.05, may_defer)
    assert [sg.DECISIONS[c] for c in codes] == ["sign", "refuse", "defer", "sign", "refuse"]


def test_cascade_pulls_a_wavering_member_along_with_its_bloc():
    peers = np.ones((3, 3))
    base = np.array([0.2, 0.2, -0.06])  # the third would refuse alone
    alone = sg.cascade(base, peers, 0.0, 0.0, -0.05, np.zeros(3, bool))
    assert alone.decisions.tolist() == [sg.SIGN, sg.SIGN, sg.REFUSE]
    pulled = sg.cascade(base, peers, 0.2, 0.0, -0.05, np.zeros(3, bool))
    # both peers sign: pull = 0.2 · (1 − ½) = 0.1 lifts −0.06 over the sign threshold
    assert pulled.decisions.tolist() == [sg.SIGN] * 3
    assert pulled.pull[2] == pytest.approx(0.1)
    assert [step for step, _, _ in pulled.steps] == [0]


def test_refusals_cascade_through_a_bloc():
    peers = np.ones((3, 3))
    # the first refuses whatever; without it the second's pull drops from +0.1 to 0
    base = np.array([-0.5, -0.03, 0.5])
    result = sg.cascade(base, peers, 0.2, 0.0, -0.05, np.zeros(3, bool))
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
    base = rng.normal(0, 0.05, n)
    may_defer = rng.random(n) < 0.3
    result = sg.cascade(base, peers, 0.1, 0.0, -0.05, may_defer)
    # decisions are consistent with the pull they produce, and the pull with the decisions
    assert (sg.classify(base + result.pull, 0.0, -0.05, may_defer) == result.decisions).all()
    weights = peers * (1 - np.eye(n))
    weights /= weights.sum(axis=1, keepdims=True)
    assert np.allclose(0.1 * (weights @ (result.decisions == sg.SIGN) - 0.5), result.pull)
