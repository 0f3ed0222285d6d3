"""Friedkin–Johnsen persuasion: weights, lobbying channels, convergence to the closed form."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.mechanisms import deliberation as fj


def random_setup(rng, n=6, k=3, m=0):
    capability = rng.uniform(0.5, 5, n)
    peers = np.eye(n)
    blocs = rng.integers(0, 2, n)
    peers = (blocs[:, None] == blocs[None, :]).astype(float)
    weights = fj.peer_weights(capability, peers, 0.5)
    ideal = rng.uniform(0, 100, (n, k))
    lam = rng.uniform(0.1, 0.9, (n, k))
    return weights, ideal, lam


def test_peer_weights_are_row_stochastic_and_favour_bloc_and_capability():
    capability = np.array([1.0, 1.0, 4.0, 1.0])
    peers = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]], dtype=float)
    w = fj.peer_weights(capability, peers, bloc_weight=0.5)
    assert np.allclose(w.sum(axis=1), 1.0)
    # delegation 0 listens more to its bloc peer 1 than to equally capable outsider 3
    assert w[0, 1] > w[0, 3]
    # and more to the capable outsider 2 than to the small outsider 3
    assert w[0, 2] > w[0, 3]
    # with bloc_weight 0 everyone hears the plenary, in proportion to capability
    plenary = fj.peer_weights(capability, peers, 0.0)
    assert np.allclose(plenary, np.tile(capability / capability.sum(), (4, 1)))


def test_iteration_converges_to_closed_form_without_stakeholders():
    rng = np.random.default_rng(3)
    weights, ideal, lam = random_setup(rng)
    p = ideal.copy()
    zero = np.zeros_like(ideal)
    for _ in range(500):
        p = fj.deliberate(p, fj.update(ideal, weights, lam, zero, zero))
    # the textbook form p* = (I − ΛW)^-1 (I − Λ) u, provision by provision
    for c in range(ideal.shape[1]):
        L = np.diag(lam[:, c])
        expected = np.linalg.solve(
            np.eye(len(ideal)) - L @ weights, (np.eye(len(ideal)) - L) @ ideal[:, c]
        )
        assert np.allclose(p[:, c], expected, atol=1e-9)
    assert np.allclose(fj.equilibrium(ideal, weights, lam), p, atol=1e-9)


def test_iteration_converges_to_closed_form_with_stakeholders():
    rng = np.random.default_rng(4)
    weights, ideal, lam = random_setup(rng)
    n, k = ideal.shape
    lobbying = rng.uniform(0, 0.3, (n, 2))
    salience = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    positions = rng.uniform(0, 100, (2, k))
    pull, target = fj.stakeholder_pull(lobbying, salience, positions)
    p = ideal.copy()
    for _ in range(500):
        p = fj.deliberate(p, fj.update(ideal, weights, lam, pull, target))
    assert np.allclose(fj.equilibrium(ideal, weights, lam, pull, target), p, atol=1e-9)


@given(st.integers(0, 10_000))
def test_one_step_is_a_convex_combination(seed):
    """Every update is a weighted average of preferences, stakeholder positions and ideals."""
    rng = np.random.default_rng(seed)
    weights, ideal, lam = random_setup(rng)
    n, k = ideal.shape
    lobbying = rng.uniform(0, 1, (n, 3))
    salience = rng.dirichlet(np.ones(k), 3)
    positions = rng.uniform(0, 100, (3, k))
    pull, target = fj.stakeholder_pull(lobbying, salience, positions)
    p = rng.uniform(0, 100, (n, k))
    nxt = fj.deliberate(p, fj.update(ideal, weights, lam, pull, target))
    low = np.minimum(np.minimum(p.min(), positions.min()), ideal.min())
    high = np.maximum(np.maximum(p.max(), positions.max()), ideal.max())
    assert (nxt >= low - 1e-9).all() and (nxt <= high + 1e-9).all()


def test_lobbying_needs_access_and_domestic_channel_needs_seating():
    resources = np.array([1.0, 3.0])
    home = np.array([-1, 0])
    openness = np.array([0.8, 0.8])
    seated = np.array([False, False])
    args = dict(lobby_weight=0.4, domestic_weight=0.4, aim_floor=0.5)
    closed = fj.lobbying_weights(resources, home, openness, seated, 0.0, 0.0, **args)
    assert not closed.any()
    open_room = fj.lobbying_weights(resources, home, openness, seated, 1.0, 1.0, **args)
    # access channel: weight ∝ resource share, same for every delegation
    assert open_room[0, 1] == pytest.approx(3 * open_room[0, 0])
    assert np.allclose(open_room[0], open_room[1])
    seated_home = fj.lobbying_weights(
        resources, home, openness, np.array([True, False]), 0.0, 0.0, **args
    )
    # only the home delegation that seats its stakeholder hears it, with weight ∝ o_i
    assert seated_home[0, 1] == pytest.approx(0.4 * 0.8)
    assert seated_home[1, 1] == 0 and seated_home[0, 0] == 0


def test_transparency_sharpens_lobbying():
    resources, home = np.array([1.0]), np.array([-1])
    o, seated = np.array([0.5]), np.array([False])
    dark = fj.lobbying_weights(resources, home, o, seated, 0.6, 0.0, 0.4, 0.4, 0.5)
    lit = fj.lobbying_weights(resources, home, o, seated, 0.6, 1.0, 0.4, 0.4, 0.5)
    assert lit[0, 0] == pytest.approx(2 * dark[0, 0])


def test_susceptibility_falls_with_salience_and_audience_costs():
    rel = np.array([[0.0, 1.0], [0.0, 1.0]])
    o = np.array([0.0, 1.0])
    lam = fj.susceptibility(
        rel, o, transparency=1.0, base=0.6, salience_resistance=0.5, audience_resistance=0.5
    )
    assert lam[0, 0] == pytest.approx(0.6)
    assert lam[0, 1] == pytest.approx(0.3)  # salient provision: half as movable
    assert lam[1, 0] == pytest.approx(0.3)  # accountable delegation in public: half as movable
    assert lam[1, 1] == pytest.approx(0.15)


def test_relative_salience_scales_rows_to_a_maximum_of_one():
    rel = fj.relative(np.array([[0.5, 0.25, 0.25], [0.0, 0.0, 0.0]]))
    assert np.allclose(rel, [[1.0, 0.5, 0.5], [0.0, 0.0, 0.0]])
