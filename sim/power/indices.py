"""A priori voting power under each decision rule: Shapley–Shubik, Banzhaf, veto players, blocking.

Every rule the model runs is a simple game in which a coalition of supporters wins when it has
at least ``count_quota`` members and at least ``weight_quota`` weight (everyone votes; the
a priori game has no abstentions):

- ``majority``: more than half the members; ``qualified_majority``: at least the threshold
  share and more than half;
- ``weighted``: formal votes ``v_i``, at least the threshold share of them and more than half,
  or at least the quota;
- ``double_majority``: both a count and a vote-weight condition;
- ``unanimity``: everyone (every member a veto player);
- ``consensus``: the objectors, everyone outside the coalition, hold at most the capability
  share and are at most the count share — a high double quota on members and capability.

Indices are exact (``fractions.Fraction``) for integer weights, computed from the numbers of
coalitions of each size and weight (a generating function built by dynamic programming; one
player is taken out again by polynomial division), so 193 equal members or a weighted council
of 28 take milliseconds. Weights with decimals are scaled to integers when the table stays small;
otherwise the indices are Monte Carlo estimates with their standard errors.

References:
    Shapley & Shubik 1954; Banzhaf 1965; Felsenthal & Machover 1998 (The Measurement of Voting
    Power); Straffin 1983.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from sim.model.mechanisms.decision import RuleSpec

EXACT_CELLS = 5_000_000  # largest (members × weight) table computed exactly
SAMPLES = 20_000  # Monte Carlo samples when weights cannot be made integer cheaply
_EPS = 1e-9


@dataclass(frozen=True)
class Game:
    """A simple game with a member quota and a weight quota.

    A coalition wins when it has at least ``count_quota`` members, at least ``weight_quota``
    weight and, if ``weight_majority``, more than half of all weight.

    Attributes:
        names: the players.
        weights: each player's weight in the rule's own units (zeros when only members count).
        count_quota: members a winning coalition needs.
        weight_quota: weight a winning coalition needs.
        weight_majority: whether it also needs more than half of the weight.
    """

    names: tuple[str, ...]
    weights: tuple[float, ...]
    count_quota: int
    weight_quota: float = 0.0
    weight_majority: bool = False

    @property
    def n(self) -> int:
        """Number of players."""
        return len(self.names)

    @property
    def total(self) -> float:
        """Total weight."""
        return float(sum(self.weights))

    def wins(self, members, weight):
        """Whether coalitions of these sizes and weights win (elementwise on arrays)."""
        weight = np.asarray(weight, dtype=float)
        enough = (np.asarray(members) >= self.count_quota) & (weight >= self.weight_quota - _EPS)
        if self.weight_majority:
            enough &= weight > self.total / 2 + _EPS
        return enough

    def integral(self) -> Game | None:
        """The same game on integer weights (scaled by a power of ten up to 10⁴), or None."""
        values = np.asarray(self.weights, dtype=float)
        for decimals in range(5):
            scale = 10.0**decimals
            scaled = values * scale
            if np.allclose(scaled, np.round(scaled), atol=1e-6):
                integers = tuple(int(v) for v in np.round(scaled))
                quota = math.ceil(self.weight_quota * scale - 1e-6)
                if self.weight_majority:
                    quota = max(quota, sum(integers) // 2 + 1)
                return Game(self.names, integers, self.count_quota, quota, False)
        return None


@dataclass
class Power:
    """Voting power in a game.

    ``shapley_shubik`` and ``banzhaf`` (normalised) sum to 1; ``banzhaf_absolute`` is the
    probability of being decisive when every other player votes yes or no with probability ½.
    ``standard_error`` is empty for exact results; ``dummies`` is None when not determined.
    """

    game: Game
    method: str
    shapley_shubik: dict[str, float]
    banzhaf: dict[str, float]
    banzhaf_absolute: dict[str, float]
    veto: list[str]
    dummies: list[str] | None
    smallest_blocking: dict
    exact: dict[str, dict[str, Fraction]] = field(default_factory=dict)
    standard_error: dict[str, dict[str, float]] = field(default_factory=dict)


# --- from rules to games -----------------------------------------------------------------------


def game_for(rule: RuleSpec, names, votes, capability) -> Game:
    """The simple game of a decision rule over these delegations.

    Raises:
        ValueError: when weights are negative or a quota exceeds the total weight.
    """
    names = tuple(names)
    n = len(names)
    majority = n // 2 + 1
    if rule.kind in ("majority", "qualified_majority", "unanimity"):
        count = {"majority": majority, "unanimity": n}.get(rule.kind)
        if count is None:
            count = max(math.ceil(rule.threshold * n - _EPS), majority)
        return Game(names, (0.0,) * n, count)
    weights = np.asarray(capability if rule.kind == "consensus" else votes, dtype=float)
    if (weights < 0).any():
        raise ValueError("weights must not be negative")
    total = float(weights.sum())
    as_tuple = tuple(float(w) for w in weights)
    if rule.kind == "consensus":
        count = n - math.floor(rule.count_share * n + _EPS)
        return Game(names, as_tuple, count, (1 - rule.capability_share) * total)
    if rule.kind == "weighted" and rule.quota is not None:
        if rule.quota > total + _EPS:
            raise ValueError(f"quota {rule.quota:g} exceeds the total weight {total:g}")
        return Game(names, as_tuple, 0, rule.quota)
    if rule.kind == "weighted":
        return Game(names, as_tuple, 0, rule.threshold * total, True)
    count = max(math.ceil(rule.threshold * n - _EPS), majority)  # double majority
    return Game(names, as_tuple, count, rule.weight_threshold * total, True)


# --- exact computation -------------------------------------------------------------------------


def _coalition_table(weights: list[int], total: int) -> np.ndarray:
    """T[s, w]: number of coalitions with s members and weight w (exact integers)."""
    n = len(weights)
    table = np.zeros((n + 1, total + 1), dtype=object)
    table[0, 0] = 1
    for weight in weights:
        shifted = np.zeros_like(table)
        shifted[1:, weight:] = table[:-1, : total + 1 - weight]
        table = table + shifted
    return table


def _without(table: np.ndarray, weight: int) -> np.ndarray:
    """The table of the same players less one of the given weight (polynomial division)."""
    rest = np.zeros_like(table)
    rest[0] = table[0]
    for s in range(1, table.shape[0]):
        rest[s] = table[s]
        if weight < table.shape[1]:
            rest[s, weight:] = table[s, weight:] - rest[s - 1, : table.shape[1] - weight]
    return rest


def exact_power(game: Game) -> dict[str, dict[str, Fraction]]:
    """Exact Shapley–Shubik, normalised and absolute Banzhaf indices of an integer game.

    Players of equal weight have equal power, so each distinct weight is computed once.
    """
    n, total = game.n, int(game.total)
    weights_int = [int(w) for w in game.weights]
    table = _coalition_table(weights_int, total)
    sizes = np.arange(n)[:, None]
    weights = np.arange(total + 1)[None, :]
    factorial_n = math.factorial(n)
    order_weight = [
        Fraction(math.factorial(s) * math.factorial(n - 1 - s), factorial_n) for s in range(n)
    ]
    by_weight = {}
    for weight in sorted(set(weights_int)):
        others = _without(table, weight)[:n]  # coalitions of the other n − 1 players
        swing = game.wins(sizes + 1, weights + weight) & ~game.wins(sizes, weights)
        counts = (others * swing).sum(axis=1)
        swings = int(counts.sum())
        shapley = sum((int(c) * w for c, w in zip(counts, order_weight, strict=True)), Fraction(0))
        by_weight[weight] = (shapley, swings)
    total_swings = sum(by_weight[w][1] for w in weights_int)
    result: dict[str, dict[str, Fraction]] = {
        "shapley_shubik": {},
        "banzhaf": {},
        "banzhaf_absolute": {},
    }
    for name, weight in zip(game.names, weights_int, strict=True):
        shapley, swings = by_weight[weight]
        result["shapley_shubik"][name] = shapley
        result["banzhaf"][name] = Fraction(swings, total_swings) if total_swings else Fraction(0)
        result["banzhaf_absolute"][name] = Fraction(swings, 2 ** (n - 1))
    return result


def brute_force_power(game: Game) -> dict[str, dict[str, Fraction]]:
    """The same indices by enumerating every ordering and coalition (tiny games, for checking)."""
    n = game.n
    w = list(game.weights)

    def wins(members) -> bool:
        return bool(game.wins(len(members), sum(w[i] for i in members)))

    pivots = [0] * n
    for order in itertools.permutations(range(n)) if not wins(()) else ():
        for k in range(n):
            if wins(order[: k + 1]):
                pivots[order[k]] += 1
                break
    swings = [0] * n
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            for coalition in itertools.combinations(others, size):
                if wins((*coalition, i)) and not wins(coalition):
                    swings[i] += 1
    total = sum(swings)
    return {
        "shapley_shubik": {game.names[i]: Fraction(pivots[i], math.factorial(n)) for i in range(n)},
        "banzhaf": {
            game.names[i]: Fraction(swings[i], total) if total else Fraction(0) for i in range(n)
        },
        "banzhaf_absolute": {game.names[i]: Fraction(swings[i], 2 ** (n - 1)) for i in range(n)},
    }


# --- Monte Carlo -------------------------------------------------------------------------------


def monte_carlo_power(game: Game, samples: int, seed: int) -> tuple[dict, dict]:
    """Estimates from random orderings (Shapley–Shubik) and random coalitions (Banzhaf).

    Returns:
        (estimates, standard errors), keyed like :func:`exact_power`.
    """
    rng = np.random.default_rng(seed)
    n = game.n
    weights = np.asarray(game.weights, dtype=float)
    pivots = np.zeros(n)
    swings = np.zeros(n)
    members = np.arange(1, n + 1)[None, :]
    for start in range(0, samples, 2000):
        batch = min(2000, samples - start)
        order = np.argsort(rng.random((batch, n)), axis=1)
        first = np.argmax(game.wins(members, np.cumsum(weights[order], axis=1)), axis=1)
        np.add.at(pivots, order[np.arange(batch), first], 1)
        inside = rng.random((batch, n)) < 0.5
        size = inside.sum(axis=1, keepdims=True) - inside
        weight = (inside * weights).sum(axis=1, keepdims=True) - inside * weights
        swings += (game.wins(size + 1, weight + weights) & ~game.wins(size, weight)).sum(axis=0)
    ss, absolute = pivots / samples, swings / samples
    # with no decisive coalition in the sample (a high quota among many players) the normalised
    # index cannot be estimated: NaN, shown as such, rather than a false zero
    normalised = absolute / absolute.sum() if absolute.sum() else np.full(n, np.nan)

    def keyed(values):
        return dict(
            zip(game.names, (None if np.isnan(v) else float(v) for v in values), strict=True)
        )

    estimates = {
        "shapley_shubik": keyed(ss),
        "banzhaf": keyed(normalised),
        "banzhaf_absolute": keyed(absolute),
    }
    errors = {
        "shapley_shubik": keyed(np.sqrt(ss * (1 - ss) / samples)),
        "banzhaf_absolute": keyed(np.sqrt(absolute * (1 - absolute) / samples)),
    }
    return estimates, errors


# --- veto, blocking, the whole analysis ------------------------------------------------------------


def _blocks(game: Game, members: list[int]) -> bool:
    """Whether these players, by voting no, keep everyone else from winning."""
    rest = game.n - len(members)
    weight = game.total - sum(game.weights[i] for i in members)
    return not bool(game.wins(rest, weight))


def analyse(game: Game, samples: int = SAMPLES, seed: int = 0) -> Power:
    """Indices, veto players, dummies and the smallest blocking coalitions of a game."""
    n = game.n
    veto = [game.names[i] for i in range(n) if _blocks(game, [i])]
    order = list(np.argsort(-np.asarray(game.weights, dtype=float), kind="stable"))
    smallest = next((k for k in range(1, n + 1) if _blocks(game, order[:k])), None)
    blocking: dict = {
        "size": smallest,
        "example": [game.names[i] for i in order[:smallest]] if smallest else [],
    }
    integral = game.integral()
    if integral is not None and (n + 1) * (integral.total + 1) <= EXACT_CELLS:
        exact = exact_power(integral)
        if smallest:
            table = _coalition_table([int(w) for w in integral.weights], int(integral.total))
            total = int(integral.total)
            blocking["count"] = int(
                sum(
                    table[smallest, w]
                    for w in range(total + 1)
                    if not integral.wins(n - smallest, total - w)
                )
            )
        floats = {kind: {k: float(v) for k, v in values.items()} for kind, values in exact.items()}
        return Power(
            game=game,
            method="exact",
            veto=veto,
            dummies=[k for k, v in exact["banzhaf_absolute"].items() if v == 0],
            smallest_blocking=blocking,
            exact=exact,
            **floats,
        )
    estimates, errors = monte_carlo_power(game, samples, seed)
    return Power(
        game=game,
        method=f"monte carlo, {samples} samples",
        veto=veto,
        dummies=None,
        smallest_blocking=blocking,
        standard_error=errors,
        **estimates,
    )


def blocking_groups(game: Game, groups: dict[str, list[int]], limit: int = 16) -> list[list[str]]:
    """Minimal sets of groups (blocs) whose members together can block, fewest groups first.

    Returns an empty list when there are more than ``limit`` groups (too many sets to try).
    """
    names = list(groups)
    if len(names) > limit:
        return []
    minimal: list[frozenset] = []
    for size in range(1, len(names) + 1):
        for combo in itertools.combinations(names, size):
            chosen = frozenset(combo)
            if any(found <= chosen for found in minimal):
                continue
            if _blocks(game, [i for g in combo for i in groups[g]]):
                minimal.append(chosen)
    return [sorted(found) for found in minimal]
