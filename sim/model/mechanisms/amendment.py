"""Positions the floor can impose by voting: the weighted median and the amendment procedure.

The amendment procedure replaces the text on the table by a floor amendment (a delegation's
current preference) whenever the required majority, voting sincerely, prefers it. Among the
amendments that would pass, the one nearest the floor median is taken first — the floor median
holds the agenda, as in Krehbiel's pivotal-politics model — and the procedure repeats until no
amendment passes (or, where a weighted quota below half the votes lets two texts beat each
other, until a text comes back). Under simple majority it ends at the median preference
(Black 1948); under a qualified majority a text inside the gridlock interval cannot be moved
(Krehbiel 1998).

Everything is vectorised over provisions: supports are counted with one ``searchsorted`` over
the sorted preferences of all provisions at once.

References:
    Black 1948; Krehbiel 1998; Romer & Rosenthal 1978 (closed rule).
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms.decision import RuleSpec, vote_passes

_SPAN = 1000.0  # separates provisions in the flattened sorted array (positions lie in 0..100)
_SAME = 1e-9  # positions closer than this are the same text (no amendment of rounding noise)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Lower weighted median of each column of ``values`` (N, K) with weights (N,)."""
    order = np.argsort(values, axis=0, kind="stable")
    ordered = np.take_along_axis(values, order, axis=0)
    cumulative = np.cumsum(weights[order], axis=0)
    half = cumulative[-1] / 2.0
    index = (cumulative < half - 1e-12).sum(axis=0)
    return ordered[index, np.arange(values.shape[1])]


class Floor:
    """The floor's sorted preferences on every provision, for counting sincere votes fast.

    Internally provisions are rows: ``sorted`` is (K, N), each row ascending.

    Args:
        preferences: (N, K) current preferences.
        votes: (N,) formal votes; vote weights are counted only when ``with_votes``.
        with_votes: whether any rule used on this floor weighs formal votes.
    """

    def __init__(self, preferences: np.ndarray, votes: np.ndarray, with_votes: bool = True):
        n, k = preferences.shape
        self.n, self.k = n, k
        self.preferences = preferences
        self.votes = votes
        rows = preferences.T
        self._offset = (_SPAN * np.arange(k))[:, None]
        self._base = (n * np.arange(k))[:, None]
        if with_votes:
            order = np.argsort(rows, axis=1, kind="stable")
            self.sorted = np.take_along_axis(rows, order, axis=1)
            cum = np.cumsum(votes[order], axis=1)
            self._cum_votes = np.hstack([np.zeros((k, 1)), cum]).ravel()
            self._total_votes = cum[:, -1:]
            self._cum_base = ((n + 1) * np.arange(k))[:, None]
        else:
            self.sorted = np.sort(rows, axis=1)
            self._cum_votes = None
        self._flat = (self.sorted + self._offset).ravel()

    def median(self, rule: RuleSpec) -> np.ndarray:
        """(K, 1) the floor median: by formal votes under the weighted rule, else by count."""
        if rule.uses_votes:
            return weighted_median(self.preferences, self.votes)[:, None]
        return self.sorted[:, (self.n + 1) // 2 - 1 : (self.n + 1) // 2]

    def beyond(
        self, text: np.ndarray, step: float, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The nearest floor positions more than ``step`` above and below each text.

        Args:
            text: (R,) texts on the provisions ``rows``.
            step: the smallest move that counts as an amendment.
            rows: (R,) provision indices.

        Returns:
            (above, below), each (R,); NaN where there is no such position.
        """
        offset, base = self._offset[rows, 0], self._base[rows, 0]
        up = np.searchsorted(self._flat, text + step + offset, "right") - base
        down = np.searchsorted(self._flat, text - step + offset, "left") - base - 1
        above = np.where(up < self.n, self.sorted[rows, np.minimum(up, self.n - 1)], np.nan)
        below = np.where(down >= 0, self.sorted[rows, np.maximum(down, 0)], np.nan)
        return above, below

    def prefer(
        self,
        candidate: np.ndarray,
        text: np.ndarray,
        band: float,
        rule: RuleSpec,
        rows: np.ndarray | None = None,
    ):
        """Sincere votes for each ``candidate`` (R, C) over ``text`` (R, 1).

        A delegation votes for the point it is nearer to unless the two distances differ by at
        most ``band``; a candidate within ``band`` (or 1e-9) of the text is no amendment. ``rows`` names the provisions the R rows stand for (default: all K).
        Returns (yes_count, no_count, yes_votes, no_votes), each (R, C); the vote weights are
        None unless the rule weighs formal votes.
        """
        offset, base = (
            (self._offset, self._base) if rows is None else (self._offset[rows], self._base[rows])
        )
        shape = candidate.shape
        mid = (candidate + text) * 0.5 + offset
        half = band * 0.5
        below = np.searchsorted(self._flat, (mid - half).ravel(), "left").reshape(shape) - base
        upto = np.searchsorted(self._flat, (mid + half).ravel(), "right").reshape(shape) - base
        above = self.n - upto
        step = max(band, _SAME)
        up = candidate > text + step
        down = candidate < text - step
        yes = np.where(up, above, np.where(down, below, 0))
        no = np.where(up, below, np.where(down, above, 0))
        if self._cum_votes is None or not rule.weighs_votes:
            return yes, no, None, None
        cum_base = self._cum_base if rows is None else self._cum_base[rows]
        below_v = self._cum_votes[below + cum_base]
        total = self._total_votes if rows is None else self._total_votes[rows]
        above_v = total - self._cum_votes[upto + cum_base]
        yes_v = np.where(up, above_v, np.where(down, below_v, 0.0))
        no_v = np.where(up, below_v, np.where(down, above_v, 0.0))
        return yes, no, yes_v, no_v


def amend(
    text: np.ndarray,
    floor: Floor,
    rule: RuleSpec,
    band: float,
    only: np.ndarray | None = None,
) -> np.ndarray:
    """Run the amendment procedure from ``text`` (K,) until no floor amendment passes.

    Args:
        text: the text on the table on each provision.
        floor: the delegations' preferences (candidates and voters).
        rule: the required majority (a voting rule).
        band: abstention band of the sincere votes.
        only: (K,) boolean, the provisions to amend (default all); the others keep ``text``.

    Returns:
        (K,) the text after amendment.
    """
    active = np.arange(floor.k) if only is None else np.flatnonzero(only)
    return _amend(text, floor, rule, band, active)[0]


def _amend(text, floor: Floor, rule: RuleSpec, band: float, active: np.ndarray, status_quo=None):
    """The amendment procedure on the ``active`` provisions.

    Support for an amendment only falls as it moves further from the text, so on each side
    the amendments that pass are those from the nearest one outward. Each step therefore
    first counts a few candidates per provision: the floor median and, for a text within the
    band of the median, the nearest position beyond the band on either side. The median, when
    it passes and the rule makes it stable, ends the procedure; a text near the median can only
    move to one of its two neighbours. Only a text far from a median that does not pass (a
    qualified majority's gridlock) needs every position counted. With ``status_quo`` given, the same count puts the text and the
    median against the status quo, so the final vote usually needs no count of its own.

    Returns:
        (result, counted, beats): the amended texts; the provisions whose final vote against
        the status quo was already counted; and its result there.
    """
    result = np.array(text, dtype=float)
    counted = np.zeros(floor.k, dtype=bool)
    beats_status_quo = np.zeros(floor.k, dtype=bool)
    median = floor.median(rule)[:, 0]
    stable = median_is_stable(rule)
    step = max(band, _SAME)
    visited: list[np.ndarray] = []
    for _ in range(floor.n + 2):
        if active.size == 0:
            break
        current = result[active]
        centre = median[active]
        near = np.abs(current - centre) <= step
        any_near = near.any()
        if any_near:
            above, below = floor.beyond(current, step, active)
        else:
            above = below = np.full(len(active), np.nan)
        # candidates against texts: the median, the two neighbours, then the final vote's pairs
        width = 3 if status_quo is None else 5
        candidates = np.empty((len(active), width))
        texts = np.empty_like(candidates)
        candidates[:, 0], candidates[:, 1], candidates[:, 2] = centre, above, below
        texts[:, :3] = current[:, None]
        if status_quo is not None:
            candidates[:, 3], candidates[:, 4] = current, centre
            texts[:, 3:] = status_quo[active, None]
        passes = vote_passes(rule, *floor.prefer(candidates, texts, band, rule, active))
        if status_quo is not None:
            counted[active] = True
            beats_status_quo[active] = passes[:, 3]
        to_median = passes[:, 0]
        moves_near = np.zeros(len(active), dtype=bool)
        neighbour = current
        if any_near:
            # near the median: the passing neighbour nearest the median, ties to the smaller move
            gap_above = np.where(
                passes[:, 1], np.abs(above - centre) + 1e-9 * np.abs(above - current), np.inf
            )
            gap_below = np.where(
                passes[:, 2], np.abs(below - centre) + 1e-9 * np.abs(below - current), np.inf
            )
            neighbour = np.where(gap_above <= gap_below, above, below)
            moves_near = near & np.isfinite(np.minimum(gap_above, gap_below))
        # far from a median that does not pass: count every position
        search = ~near & ~to_median
        chosen = np.where(to_median, centre, np.where(moves_near, neighbour, current))
        if search.any():
            chosen[search] = _search(
                floor, rule, band, active[search], current[search], centre[search]
            )
        moved = chosen != current
        # a weighted quota below half the votes can let two texts beat each other: the
        # procedure stops when a text comes back
        recurs = np.zeros(len(active), dtype=bool)
        for earlier in visited:
            recurs |= chosen == earlier[active]
        visited.append(result.copy())
        result[active] = chosen
        if status_quo is not None:
            at_median = moved & to_median
            beats_status_quo[active[at_median]] = passes[at_median, 4]
            counted[active[moved & ~to_median]] = False
        # rows that stood still are done; so are rows at the median of a stable rule
        active = active[moved & ~(stable & to_median) & ~recurs]
    return result, counted, beats_status_quo


def _search(floor: Floor, rule: RuleSpec, band: float, rows, current, centre) -> np.ndarray:
    """Among all floor positions that beat the texts, the one nearest the median (per row)."""
    candidates = floor.sorted[rows]
    beats = vote_passes(rule, *floor.prefer(candidates, current[:, None], band, rule, rows))
    closeness = np.abs(candidates - centre[:, None]) + 1e-9 * np.abs(candidates - current[:, None])
    best = np.argmin(np.where(beats, closeness, np.inf), axis=1)
    chosen = candidates[np.arange(len(rows)), best]
    return np.where(beats.any(axis=1), chosen, current)


def median_is_stable(rule: RuleSpec) -> bool:
    """Whether no amendment can beat the floor median under ``rule``.

    Every rule that needs more yes than no has this property: for a candidate beyond the
    (lower, weighted) median by more than the band, everyone at or on the near side of the
    median votes against it, and they are at least as many (or weigh at least as much) as
    those beyond. Only a weighted quota below half the votes lacks it.
    """
    return rule.kind != "weighted" or rule.quota is None


def fallback_outcome(
    text: np.ndarray,
    status_quo: np.ndarray,
    floor: Floor,
    rule: RuleSpec,
    band: float,
    only: np.ndarray | None = None,
    procedure: str = "amendment",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a fallback vote would do on each provision.

    Under ``amendment`` the floor first amends the text (:func:`amend`), then votes the amended
    text against the status quo; under ``closed`` it votes the text as tabled, yes or no
    (Romer & Rosenthal 1978: the agenda setter's text).

    Args:
        text: (K,) the text on the table.
        status_quo: (K,) the reversion point.
        floor: the delegations' preferences.
        rule: the fallback rule (a voting rule).
        band: abstention band of the sincere votes.
        only: (K,) boolean, the provisions to consider (default all); the others report the
            status quo and not passed.
        procedure: ``amendment`` or ``closed``.

    Returns:
        (voted, passed, outcome): the text put to the final vote; whether it carried; and the
        result, the voted text where it carried, else the status quo.
    """
    active = np.arange(floor.k) if only is None else np.flatnonzero(only)
    if procedure == "closed":
        voted = np.array(text, dtype=float)
        passed = np.zeros(floor.k, dtype=bool)
        if active.size:
            final = floor.prefer(voted[active, None], status_quo[active, None], band, rule, active)
            passed[active] = vote_passes(rule, *final)[:, 0]
    else:
        voted, counted, passed = _amend(text, floor, rule, band, active, status_quo)
        todo = active[~counted[active]]
        if todo.size:
            final = floor.prefer(voted[todo, None], status_quo[todo, None], band, rule, todo)
            passed[todo] = vote_passes(rule, *final)[:, 0]
    return voted, passed, np.where(passed, voted, status_quo)
