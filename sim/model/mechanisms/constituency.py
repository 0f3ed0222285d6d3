"""The home constituency: whose view judges the package, and how much it sees (docs/model.md §7.6).

Every delegation answers to a constituency at home. Its view of provision ``k`` is the
delegation's mandate ``u_ik`` (the coded position), moved toward the delegation's organised
home stakeholders and by an unobserved departure of the wider public, both in proportion to how
far the government answers to its public, ``o_i``:

``h_ik = clip(u_ik + o_i · [w · e_ik · (ȳ_ik − u_ik) + σ · ε_ik], 0, 100)``

with ``ȳ_ik`` the home stakeholders' resource- and salience-weighted position, ``e_ik`` ∈ [0, 1]
how engaged they are on ``k`` (0 where none takes a position), ``w`` their weight
(``domestic.stakeholder_weight``), ``σ`` the uncertainty (``domestic.uncertainty``, points) and
``ε_ik`` standard normal draws from the run's generator. Without data on home stakeholders the
constituency holds the mandate, up to that uncertainty: every delegation has a constituency.

What home learns during the conference is ``π_i = 1 − (1 − τ)(1 − seated_i)``: drafts made public
reach it, and stakeholders seated in the delegation carry it into the room. Oversight
``ω_i = o_i · π_i`` is how far an accountable home watches its delegate (§7.1); ``π_i`` is also how
well the delegation knows home's verdict at signing (§7.6), and how far home has been through the
deliberation itself: by the end it has moved a share ``ψ·π_i`` of the way toward its delegation's
view (``learn``). What home did not follow, the delegation must persuade it of afterwards.

References:
    Putnam 1988 (two-level games, win-sets); Stasavage 2004 (transparency and accountability);
    Lind & Tyler 1988 (voice and the acceptance of outcomes).
"""

from __future__ import annotations

import numpy as np


def home_stakeholders(
    n: int,
    home: np.ndarray,
    resources: np.ndarray,
    relative_salience: np.ndarray,
    positions: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Home stakeholders' engagement ``e`` (N, K) and weighted position ``ȳ`` (N, K).

    ``e_ik = Σ_j r_j ŝ_jk / Σ_j r_j`` over ``i``'s home stakeholders; ``ȳ_ik`` is their mean position
    weighted by ``r_j ŝ_jk`` (zero where none takes a position).
    """
    k = positions.shape[1]
    engagement, centre = np.zeros((n, k)), np.zeros((n, k))
    homed = np.flatnonzero(home >= 0)
    if homed.size == 0:
        return engagement, centre
    owners = home[homed]
    effort = resources[homed, None] * relative_salience[homed]
    np.add.at(engagement, owners, effort)
    np.add.at(centre, owners, effort * positions[homed])
    total = np.bincount(owners, weights=resources[homed], minlength=n)[:, None]
    centre = np.divide(centre, engagement, out=np.zeros_like(centre), where=engagement > 0)
    engagement = np.divide(engagement, total, out=np.zeros_like(engagement), where=total > 0)
    return engagement, centre


def home_view(
    mandate: np.ndarray,
    domestic_openness: np.ndarray,
    engagement: np.ndarray,
    centre: np.ndarray,
    stakeholder_weight: float,
    uncertainty: float,
    draws: np.ndarray,
) -> np.ndarray:
    """(N, K) the constituency's view ``h``."""
    shift = stakeholder_weight * engagement * (centre - mandate) + uncertainty * draws
    return np.clip(mandate + domestic_openness[:, None] * shift, 0.0, 100.0)


def information(transparency: float, seated: np.ndarray) -> np.ndarray:
    """(N,) ``π_i``: how much of the negotiation home followed (public drafts, or seated stakeholders)."""
    return 1.0 - (1.0 - transparency) * (1.0 - seated.astype(float))


def learn(home: np.ndarray, table: np.ndarray, informed: np.ndarray, rate: float) -> np.ndarray:
    """(N, K) home's view at the end: ``h + ψ·π_i·(p_i − h_i)``, what it learned by following along."""
    return home + (rate * informed)[:, None] * (table - home)
