"""Bloc ties among delegations, kept as memberships: memory linear in the number of delegations.

Delegation ``i`` belongs to a set of blocs ``G_i`` (its primary bloc and coalitions, each with the
blocs it nests in). Its overlap with ``j`` is ``O_ij = |G_i ∩ G_j| / |G_i|`` (``O_ii = 1``, and 0 to
everyone else for a delegation in no bloc). Attention at the table (docs/model.md §7.1) and the
pull of bloc peers at signing (§7.6) are both built from ``O``, but only ever applied to vectors,
and ``O x = B (Bᵀ x) / |G_i|`` with ``B`` the N × G incidence of delegations in blocs — one entry
per membership. So no N × N matrix is ever formed: 20,000 delegations in a dozen blocs take
about 2 MB of ties rather than 3.2 GB.
"""

from __future__ import annotations

import numpy as np

#: Above this many incidence cells, the incidence is kept sparse (one entry per membership).
DENSE_CELLS = 1 << 22
#: Up to this many delegations the operators are also kept as matrices (at most 8 MB each),
#: which is faster for the small conferences most runs are of.
SMALL = 1024


def _frozen(matrix: np.ndarray) -> np.ndarray:
    matrix.setflags(write=False)
    return matrix


class Ties:
    """The overlap operator ``O`` of N delegations' bloc memberships.

    Args:
        memberships: for each delegation, the indices (0 … groups − 1) of the blocs it is in.
        groups: number of blocs.
    """

    def __init__(self, memberships: list[list[int]], groups: int):
        n = len(memberships)
        self.n = n
        rows = np.repeat(np.arange(n), [len(m) for m in memberships])
        cols = np.fromiter((g for m in memberships for g in m), dtype=np.intp, count=len(rows))
        if n * groups <= DENSE_CELLS:
            incidence = np.zeros((n, groups))
            incidence[rows, cols] = 1.0
        else:
            from scipy.sparse import csr_matrix

            incidence = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, groups))
        self.incidence = incidence
        sizes = np.bincount(rows, minlength=n).astype(float)
        self.alone = (sizes == 0).astype(float)  # in no bloc: tied to itself only
        self.inverse = np.where(sizes > 0, 1.0 / np.maximum(sizes, 1.0), 0.0)
        self.degree = self.overlap(np.ones(n))  # row sums of O, self included

    def overlap(self, x: np.ndarray) -> np.ndarray:
        """``O @ x`` for ``x`` of shape (N,) or (N, K)."""
        shared = np.asarray(self.incidence @ (self.incidence.T @ x))
        if x.ndim == 1:
            return shared * self.inverse + x * self.alone
        return shared * self.inverse[:, None] + x * self.alone[:, None]

    def peers_of(self, i: int) -> np.ndarray:
        """Indices of the delegations sharing a bloc with ``i`` (``i`` excluded)."""
        row = np.zeros(self.n)
        row[i] = 1.0
        tied = np.asarray(self.incidence @ (self.incidence.T @ row)).ravel()
        tied[i] = 0.0
        return np.flatnonzero(tied > 0)

    def dense(self) -> np.ndarray:
        """``O`` as an (N, N) array — for small scenarios, tests and analysis only."""
        return self.overlap(np.eye(self.n))


class PeerWeights:
    """Row-stochastic attention among delegations: ``(1 − b)/N`` to everyone, ``b`` to bloc peers.

    ``W = (1 − b) 𝟙𝟙ᵀ/N + b · diag(1/d) O`` with ``d`` the row sums of ``O``; applied as an
    operator, ``W @ p``, without forming ``W``.
    """

    def __init__(self, ties: Ties, bloc_weight: float):
        self.ties = ties
        self.plenary = 1.0 - bloc_weight
        self.scale = bloc_weight / ties.degree
        self.matrix = _frozen(self._apply(np.eye(ties.n))) if ties.n <= SMALL else None

    def _apply(self, p: np.ndarray) -> np.ndarray:
        scale = self.scale if p.ndim == 1 else self.scale[:, None]
        return self.plenary * p.mean(axis=0) + scale * self.ties.overlap(p)

    def __matmul__(self, p: np.ndarray) -> np.ndarray:
        return self.matrix @ p if self.matrix is not None else self._apply(p)

    def dense(self) -> np.ndarray:
        """``W`` as an (N, N) array — for small scenarios, tests and analysis only."""
        return self.matrix if self.matrix is not None else self._apply(np.eye(self.ties.n))


class PeerShares:
    """Each bloc peer's share of a delegation's ties, self excluded: ``(O − I)`` row-normalised.

    A delegation with no bloc peer has a zero row. ``S @ s`` is the tie-weighted share of its
    peers with ``s`` (e.g. signing).
    """

    def __init__(self, ties: Ties):
        self.ties = ties
        others = ties.degree - 1.0
        self.has_peers = others > 1e-12
        self._scale = np.where(self.has_peers, 1.0 / np.where(self.has_peers, others, 1.0), 0.0)
        self.matrix = _frozen(self._apply(np.eye(ties.n))) if ties.n <= SMALL else None

    def _apply(self, s: np.ndarray) -> np.ndarray:
        scale = self._scale if s.ndim == 1 else self._scale[:, None]
        return scale * (self.ties.overlap(s) - s)

    def __matmul__(self, s: np.ndarray) -> np.ndarray:
        return self.matrix @ s if self.matrix is not None else self._apply(s)

    def dense(self) -> np.ndarray:
        """``S`` as an (N, N) array — for small scenarios, tests and analysis only."""
        return self.matrix if self.matrix is not None else self._apply(np.eye(self.ties.n))
