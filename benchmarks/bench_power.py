"""Time of exact voting-power analysis: 193 equal members, and a 28-member weighted council.

The 193 members are the ITU's Member States under simple and two-thirds majority; the
weighted game is the EU Council of 28 under the Nice Treaty weights (29 … 3, 352 in all) with
the qualified-majority quota of 260. Each analysis computes the exact Shapley–Shubik and
Banzhaf indices, veto players, dummies and the smallest blocking coalitions.

    python benchmarks/bench_power.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.model.mechanisms.decision import RuleSpec
from sim.power.indices import Game, analyse, game_for

NICE = (
    29,
    29,
    29,
    29,
    27,
    27,
    14,
    13,
    12,
    12,
    12,
    12,
    12,
    10,
    10,
    10,
    7,
    7,
    7,
    7,
    7,
    4,
    4,
    4,
    4,
    4,
    4,
    3,
)


def timed(make, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        make()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    members = [f"m{i}" for i in range(193)]
    for label, rule in [
        ("majority", RuleSpec("majority")),
        ("two-thirds", RuleSpec("qualified_majority", threshold=2 / 3)),
    ]:
        ms = timed(lambda rule=rule: analyse(game_for(rule, members, None, None)))
        print(f"193 equal members, {label:<10}: {ms:7.1f} ms (exact)")
    council = Game(tuple(f"s{i}" for i in range(28)), tuple(float(w) for w in NICE), 0, 260)
    ms = timed(lambda: analyse(council))
    print(f"28-member weighted council (Nice weights, quota 260): {ms:7.1f} ms (exact)")
    double = game_for(
        RuleSpec("double_majority", threshold=0.55, weight_threshold=0.65),
        council.names,
        NICE,
        None,
    )
    ms = timed(lambda: analyse(double))
    print(f"28 members, double majority (55% of members, 65% of weight): {ms:7.1f} ms (exact)")


if __name__ == "__main__":
    main()
