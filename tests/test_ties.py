"""Bloc ties as memberships: the same attention and peer shares as the N × N matrices, in linear memory."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.mechanisms import deliberation, signing
from sim.model.mechanisms import ties as ties_module
from sim.model.mechanisms.ties import Ties


def dense_overlap(memberships, groups):
    """O_ij = |G_i ∩ G_j| / |G_i|, diagonal 1 — written out as a full matrix."""
    n = len(memberships)
    incidence = np.zeros((n, groups))
    for i, member in enumerate(memberships):
        incidence[i, member] = 1.0
    sizes = incidence.sum(axis=1)
    overlap = np.divide(
        incidence @ incidence.T, sizes[:, None], out=np.zeros((n, n)), where=sizes[:, None] > 0
    )
    np.fill_diagonal(overlap, 1.0)
    return overlap


memberships = st.integers(1, 5).flatmap(
    lambda groups: st.tuples(
        st.just(groups),
        st.lists(
            st.lists(st.integers(0, groups - 1), unique=True, max_size=groups),
            min_size=1,
            max_size=12,
        ),
    )
)


@settings(max_examples=200, deadline=None)
@given(memberships, st.floats(0, 1), st.booleans())
def test_operators_equal_the_matrices_they_stand_for(case, bloc_weight, as_matrices):
    """Small conferences keep the matrices; large ones apply the operators. Both are checked."""
    groups, members = case
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ties_module, "SMALL", 1024 if as_matrices else 0)
        check(members, groups, bloc_weight)


def check(members, groups, bloc_weight):
    ties = Ties(members, groups)
    overlap = dense_overlap(members, groups)
    n = len(members)
    assert np.allclose(ties.dense(), overlap)
    weights = (1 - bloc_weight) / n + bloc_weight * overlap / overlap.sum(axis=1, keepdims=True)
    assert np.allclose(deliberation.peer_weights(ties, bloc_weight).dense(), weights)
    others = overlap * (1 - np.eye(n))
    totals = others.sum(axis=1, keepdims=True)
    shares = np.divide(others, totals, out=np.zeros_like(others), where=totals > 0)
    operator = signing.peer_shares(ties)
    assert np.allclose(operator.dense(), shares)
    assert (operator.has_peers == (totals[:, 0] > 0)).all()
    for i in range(n):
        assert ties.peers_of(i).tolist() == [j for j in range(n) if j != i and overlap[i, j] > 0]


def test_a_large_conference_never_forms_an_n_by_n_matrix():
    n, groups = 20_000, 12
    rng = np.random.default_rng(0)
    members = [[int(g)] for g in rng.integers(0, groups, n)]
    tracemalloc.start()
    ties = Ties(members, groups)
    weights = deliberation.peer_weights(ties, 0.5)
    shares = signing.peer_shares(ties)
    p = rng.uniform(0, 100, (n, 9))
    attention = weights @ p
    pull = shares @ (rng.random(n) < 0.5).astype(float)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 30e6  # one N × N float matrix alone would be 3.2 GB
    assert attention.shape == (n, 9) and pull.shape == (n,)
    # the mean attention to a bloc is the bloc's mean position, weighted as the formula says
    bloc = np.array([m[0] for m in members])
    same = bloc == bloc[0]
    expected = 0.5 * p.mean(axis=0) + 0.5 * p[same].mean(axis=0)
    assert attention[0] == pytest.approx(expected)
