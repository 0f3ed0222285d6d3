"""Friedkin–Johnsen persuasion: attention, the stakeholders' floor, oversight, the closed form."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model.mechanisms import constituency
from sim.model.mechanisms import deliberation as fj
from sim.model.mechanisms.ties import Ties


def ties_of(blocs):
    """Ties of delegations each in one bloc, given by label."""
    labels = sorted(set(blocs))
    return Ties([[labels.index(b)] for b in blocs], len(labels))


def random_setup(rng, n=6, k=3):
    weights = fj.peer_weights(ties_of(rng.integers(0, 2, n).tolist()), 0.5)
    home = rng.uniform(0, 100, (n, k))
    lam = rng.uniform(0.1, 0.9, (n, k))
    return weights, home, lam


def test_every_delegation_speaks_with_one_voice():
    """Attention is row-stochastic, favours bloc peers, and ignores size."""
    ties = ties_of(["a", "a", "b", "b"])
    w = fj.peer_weights(ties, bloc_weight=0.5).dense()
    assert np.allclose(w.sum(axis=1), 1.0)
    assert w[0, 1] > w[0, 3]  # a bloc peer is heard more than an outsider
    assert w[0, 2] == w[0, 3]  # outsiders equally, whatever their size
    assert np.allclose(fj.peer_weights(ties, 0.0).dense(), 0.25)  # the plenary alone: 1/N each


def test_the_stakeholders_floor_grows_with_access_and_engagement():
    resources = np.array([1.0, 3.0])
    relative = np.array([[1.0, 0.0], [1.0, 1.0]])
    assert not fj.floor(0.0, 0.5, resources, relative).any()
    share = fj.floor(1.0, 0.5, resources, relative)
    # provision 0: everyone engaged, e = 1, share v; provision 1: only the second, e = 3/4
    assert share.sum(axis=0) == pytest.approx([0.5, 0.375])
    assert share[1, 0] == pytest.approx(3 * share[0, 0])
    assert fj.floor(0.5, 0.5, resources, relative) == pytest.approx(share / 2)


def test_oversight_holds_the_delegate_to_home():
    rel = np.array([[0.0, 1.0], [0.0, 1.0]])
    lam = fj.susceptibility(
        rel, np.array([0.0, 1.0]), base=0.6, salience_resistance=0.5, oversight_weight=0.5
    )
    assert lam[0, 0] == pytest.approx(0.6)
    assert lam[0, 1] == pytest.approx(0.3)  # salient provision: half as movable
    assert lam[1, 0] == pytest.approx(0.3)  # a fully watching home: half as movable
    assert lam[1, 1] == pytest.approx(0.15)


def test_home_follows_what_is_public_or_what_its_seated_stakeholders_see():
    seated = np.array([True, False])
    assert constituency.information(0.0, seated) == pytest.approx([1.0, 0.0])
    assert constituency.information(0.3, seated) == pytest.approx([1.0, 0.3])
    assert constituency.information(1.0, seated) == pytest.approx([1.0, 1.0])


def test_iteration_converges_to_closed_form_without_stakeholders():
    rng = np.random.default_rng(3)
    weights, home, lam = random_setup(rng)
    p = home.copy()
    zero = np.zeros(home.shape[1])
    for _ in range(500):
        p = fj.deliberate(p, fj.update(home, weights, lam, zero, zero))
    # the textbook form p* = (I − ΛW)^-1 (I − Λ) h, provision by provision
    for c in range(home.shape[1]):
        L = np.diag(lam[:, c])
        expected = np.linalg.solve(
            np.eye(len(home)) - L @ weights.dense(), (np.eye(len(home)) - L) @ home[:, c]
        )
        assert np.allclose(p[:, c], expected, atol=1e-9)
    assert np.allclose(fj.equilibrium(home, weights, lam), p, atol=1e-9)


def test_iteration_converges_to_closed_form_with_stakeholders():
    rng = np.random.default_rng(4)
    weights, home, lam = random_setup(rng)
    relative = np.array([[1.0, 1.0, 0.0], [0.4, 0.6, 1.0]])
    positions = rng.uniform(0, 100, (2, home.shape[1]))
    pull, target = fj.stakeholder_terms(fj.floor(0.8, 0.5, np.ones(2), relative), positions)
    p = home.copy()
    for _ in range(500):
        p = fj.deliberate(p, fj.update(home, weights, lam, pull, target))
    assert np.allclose(fj.equilibrium(home, weights, lam, pull, target), p, atol=1e-9)


@given(st.integers(0, 10_000))
def test_one_step_is_a_convex_combination(seed):
    """Every update is a weighted average of preferences, stakeholder positions and home views."""
    rng = np.random.default_rng(seed)
    weights, home, lam = random_setup(rng)
    k = home.shape[1]
    relative = fj.relative(rng.dirichlet(np.ones(k), 3))
    positions = rng.uniform(0, 100, (3, k))
    share = fj.floor(rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.5, 3, 3), relative)
    pull, target = fj.stakeholder_terms(share, positions)
    p = rng.uniform(0, 100, home.shape)
    nxt = fj.deliberate(p, fj.update(home, weights, lam, pull, target))
    low = min(p.min(), positions.min(), home.min())
    high = max(p.max(), positions.max(), home.max())
    assert (nxt >= low - 1e-9).all() and (nxt <= high + 1e-9).all()


def test_relative_salience_scales_rows_to_a_maximum_of_one():
    rel = fj.relative(np.array([[0.5, 0.25, 0.25], [0.0, 0.0, 0.0]]))
    assert np.allclose(rel, [[1.0, 0.5, 0.5], [0.0, 0.0, 0.0]])
