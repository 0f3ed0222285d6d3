"""The home constituency: every delegation has one; it moves with its stakeholders and learns."""

import numpy as np
import pytest

from sim.model.mechanisms import constituency as home


def test_home_stakeholders_engagement_and_position():
    # delegation 0 hosts two stakeholders, delegation 1 none; a third is transnational
    resources = np.array([3.0, 1.0, 5.0])
    relative = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    positions = np.array([[10.0, 0.0], [50.0, 80.0], [100.0, 100.0]])
    engagement, centre = home.home_stakeholders(
        2, np.array([0, 0, -1]), resources, relative, positions
    )
    assert engagement[0] == pytest.approx([1.0, 0.25])
    assert centre[0] == pytest.approx([(3 * 10 + 50) / 4, 80.0])
    assert not engagement[1].any() and not centre[1].any()


def test_without_data_the_constituency_holds_the_mandate_up_to_its_uncertainty():
    mandate = np.array([[20.0, 70.0], [20.0, 70.0]])
    o = np.array([0.8, 0.2])
    zero = np.zeros((2, 2))
    assert home.home_view(mandate, o, zero, zero, 0.5, 0.0, np.ones((2, 2))) == pytest.approx(
        mandate
    )
    drawn = home.home_view(mandate, o, zero, zero, 0.5, 10.0, np.ones((2, 2)))
    # the departure scales with accountability: 0.8 · 10 and 0.2 · 10 points
    assert drawn == pytest.approx(mandate + np.array([[8.0], [2.0]]))


def test_organised_home_stakeholders_move_an_accountable_constituency():
    mandate = np.array([[30.0]])
    view = home.home_view(
        mandate, np.array([0.8]), np.array([[1.0]]), np.array([[5.0]]), 0.5, 0.0, np.zeros((1, 1))
    )
    assert view[0, 0] == pytest.approx(30 + 0.8 * 0.5 * (5 - 30))


def test_views_stay_on_the_scale():
    mandate = np.array([[95.0, 3.0]])
    view = home.home_view(
        mandate, np.ones(1), np.zeros((1, 2)), np.zeros((1, 2)), 0.5, 10.0, np.array([[2.0, -2.0]])
    )
    assert view.tolist() == [[100.0, 0.0]]


def test_home_learns_only_what_it_followed():
    start = np.array([[10.0], [10.0], [10.0]])
    table = np.array([[30.0], [30.0], [30.0]])
    learned = home.learn(start, table, np.array([0.0, 0.5, 1.0]), 0.5)
    assert learned[:, 0] == pytest.approx([10.0, 15.0, 20.0])
