"""Tolerance over time (Faratin et al. 1998) with a salience hold-out (red lines)."""

import numpy as np
import pytest

from sim.model.mechanisms.concession import hold, tolerance


def theta(round_, style=1.0, rel=0.0, base=2.0, holdout=0.5, stake=40.0):
    return tolerance(
        np.array([[stake]]),
        round_,
        10,
        np.array([style]),
        hold(np.array([[rel]]), holdout),
        base,
    )[0, 0]


def test_tolerance_grows_to_the_whole_range_at_the_deadline():
    values = [theta(t) for t in range(1, 11)]
    assert values == sorted(values)
    assert values[-1] == pytest.approx(40.0)
    assert values[0] == pytest.approx(4.0)  # 40 · 1/10


def test_base_tolerance_is_a_floor():
    assert theta(1, stake=5.0) == pytest.approx(2.0)


def test_boulware_holds_out_and_conceder_gives_way_early():
    assert theta(5, style=0.5) < theta(5, style=1.0) < theta(5, style=2.0)
    assert theta(10, style=0.5) == pytest.approx(theta(10, style=2.0))


def test_salient_provisions_have_red_lines():
    """On its most salient provision a delegation never concedes more than 1 − κ of its range."""
    assert theta(10, rel=1.0) == pytest.approx(20.0)  # (1 − 0.5 · 1) · 40
    assert theta(10, rel=1.0, holdout=0.0) == pytest.approx(40.0)
