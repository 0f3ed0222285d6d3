"""The one valuation every choice rests on: quadratic loss, weighted by salience (docs/model.md §7.0).

An actor at position ``x`` values a text ``z`` on provision ``k`` at ``−s_k · ((z_k − x_k) / 100)²``.
The value of a package is its gain over the status quo ``q``,

``V(z; x) = Σ_k s_k · [(q_k − x_k)² − (z_k − x_k)²] / 100²``,

which lies in [−1, 1]. On one provision the loss orders texts by distance, so every vote on one
provision is the same under quadratic and linear loss (the spatial-voting results hold); across
provisions the loss is convex, so how far an actor lies beyond a text matters: an actor at 100
gains more from a move 0 → 50 than one at 60 does, where linear loss would give both the same.

The delegation at the table values texts at its current preferences; its home at the
constituency's view (§7.6). Votes on provisions, calls for a vote, the package vote and the
signing decision all use this function, at one of those two points.

References:
    Enelow & Hinich 1984 (quadratic spatial utility); Putnam 1988 (two levels).
"""

from __future__ import annotations

import numpy as np

SCALE = 100.0 * 100.0


def provision_gain(
    text: np.ndarray, status_quo: np.ndarray, positions: np.ndarray, salience: np.ndarray
) -> np.ndarray:
    """(A, K) each actor's salience-weighted gain from each provision's text over the status quo."""
    return salience * ((status_quo - positions) ** 2 - (text - positions) ** 2) / SCALE


def package_value(
    package: np.ndarray, status_quo: np.ndarray, positions: np.ndarray, salience: np.ndarray
) -> np.ndarray:
    """(A,) value of the package over the status quo for actors at ``positions``."""
    return provision_gain(package, status_quo, positions, salience).sum(axis=1)


def satisfaction(package: np.ndarray, positions: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """(A,) ``1 − Σ_k s_k ((z_k − x_k)/100)²``: 1 when the package is everyone's ideal, ≥ 0."""
    return 1.0 - (salience * (package - positions) ** 2).sum(axis=1) / SCALE
