"""Fit WCIT-12's free coefficients jointly to several patterns of its record (docs/validation.md).

The free coefficients are the cost of calling a vote and the abstention band (they shape which
provisions go to a vote and its tally), and the signing stage's threshold, grievance and bloc
pull. The patterns are those of scenarios/wcit2012/record.toml: the share of the roster that
signed, the forced preamble vote (taken, its share for, its share abstaining), roaming and
accessibility settled by consensus before the deadline, and the contested provisions decided
late by a vote. The fit minimises the sum of each pattern's squared error on its tolerance
(sim.analysis.patterns.discrepancy) over a grid:

1. for each (call_cost, abstain_band), the conference runs on seeds 0..R-1;
2. for each (sign_threshold, grievance, bloc_pull), the signing stage is re-solved on those
   runs with the model's own functions (the negotiation does not depend on them), and the
   result is checked against full runs at the optimum.

Then it reports, with the fitted values, the openness effect (the open design of
scenarios/wcit2012_open against the 2012 design, on paired seeds) at both ends of every
coefficient's plausible range (sim.analysis.ranges), one at a time.

    python scripts/calibrate_wcit2012.py [--replicates 40] [--quick]

No per-country signing fact is used: only aggregate patterns.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np

from sim import load_scenario, run_conference
from sim.analysis.patterns import discrepancy, patterns, read_record, summarise
from sim.analysis.ranges import PLAUSIBLE
from sim.model.mechanisms import signing
from sim.model.terms import terms
from sim.results.metrics import compute
from sim.scenario.schema import Process

SCENARIO = ROOT / "scenarios" / "wcit2012"
OPEN = ROOT / "scenarios" / "wcit2012_open"

CALL_COST = (0.0, 0.005, 0.01, 0.02, 0.04, 0.07, 0.1)
BAND = (1.0, 2.0, 3.0, 5.0, 8.0)


def levels(key: str, count: int) -> tuple[float, ...]:
    """``count`` evenly spaced values across a coefficient's plausible range."""
    low, high = PLAUSIBLE[key]
    return tuple(float(v) for v in np.round(np.linspace(low, high, count), 4))


THRESHOLD = levels("process.signing.sign_threshold", 31)
GRIEVANCE = levels("process.signing.grievance", 7)
BLOC_PULL = levels("process.signing.bloc_pull", 5)
QUICK = {"CALL_COST": (0.01, 0.04), "BAND": (1.0, 5.0)}


def resign(outcome, shares, band: float, threshold: float, grievance: float, bloc_pull: float):
    """The outcome with its signing stage solved again under other signing coefficients.

    Uses the model's functions; the table and home values and who was overruled do not
    depend on these coefficients. ``shares`` are the scenario's bloc-peer shares and ``band``
    its abstention band.
    """
    a, t = outcome.arrays, outcome.terms
    table, home = t["table_value"], t["home_value"]
    g = signing.grievance(outcome.overruled, a.salience, grievance)
    verdict = home + g - threshold
    belief = signing.expectation(verdict, table, home, outcome.informed)
    treaty = bool(outcome.adopted.any())
    final = None
    if treaty and a.final_rule is not None:
        final = signing.package_vote(belief, a.final_rule, a.votes, a.capability, band)
        treaty = bool(final.passed[0])
    if treaty:
        result = signing.cascade(verdict, belief, shares, bloc_pull, True)
        codes, pull = result.decisions, result.pull
    else:
        codes, pull = np.full(len(table), signing.NONE, dtype=np.int8), np.zeros(len(table))
    new = replace(
        outcome,
        treaty_adopted=treaty,
        final_tally=final,
        decision_codes=codes,
        terms={**t, "grievance": g, "bloc_pull": pull},
        score=verdict + pull,
        expected=belief + pull,
        sign_threshold=threshold,
    )
    new.metrics = compute(new)
    return new


def overrides(call_cost, band, threshold=None, grievance=None, bloc_pull=None) -> list[str]:
    items = [f"process.voting.call_cost={call_cost}", f"process.abstain_band={band}"]
    for key, value in (
        ("sign_threshold", threshold),
        ("grievance", grievance),
        ("bloc_pull", bloc_pull),
    ):
        if value is not None:
            items.append(f"process.signing.{key}={value}")
    return items


def fit(replicates: int, record, grids) -> tuple[dict, list]:
    """Grid search; returns the best point and every point's discrepancy."""
    call_costs, bands = grids
    table = []
    for call_cost, band in itertools.product(call_costs, bands):
        scenario = load_scenario(SCENARIO, overrides(call_cost, band))
        shares = terms(scenario).peer_shares
        outcomes = [run_conference(scenario, seed) for seed in range(replicates)]
        for threshold, grievance, pull in itertools.product(THRESHOLD, GRIEVANCE, BLOC_PULL):
            runs = [
                patterns(resign(o, shares, band, threshold, grievance, pull), record)
                for o in outcomes
            ]
            parts = discrepancy(summarise(runs), record)
            point = {
                "call_cost": call_cost,
                "band": band,
                "threshold": float(threshold),
                "grievance": grievance,
                "bloc_pull": pull,
            }
            table.append((parts["total"], point, parts))
        best = min(t[0] for t in table)
        print(f"  call_cost {call_cost:<6} band {band:<4} best so far {best:8.2f}", flush=True)
    table.sort(key=lambda t: t[0])
    return choose(table), table


#: Points whose discrepancy is within this of the best fit the record equally well.
NEAR = 0.05
KEYS = {
    "call_cost": "process.voting.call_cost",
    "band": "process.abstain_band",
    "threshold": "process.signing.sign_threshold",
    "grievance": "process.signing.grievance",
    "bloc_pull": "process.signing.bloc_pull",
}
_DEFAULT = Process()
#: The coefficients' defaults (docs/model.md §6): among equally good points, the fit keeps the
#: one nearest them, so that a flat direction of the fit does not move a coefficient for nothing.
DEFAULTS = {
    "call_cost": _DEFAULT.voting.call_cost,
    "band": _DEFAULT.abstain_band,
    "threshold": _DEFAULT.signing.sign_threshold,
    "grievance": _DEFAULT.signing.grievance,
    "bloc_pull": _DEFAULT.signing.bloc_pull,
}


def near_optimal(table: list) -> list:
    """The points that fit the record as well as the best, up to ``NEAR``."""
    return [row for row in table if row[0] <= table[0][0] + NEAR]


def choose(table: list) -> dict:
    """Among the near-optimal points, the one nearest the defaults (each axis over its range)."""

    def distance(point: dict) -> float:
        return sum(
            ((point[k] - DEFAULTS[k]) / (PLAUSIBLE[KEYS[k]][1] - PLAUSIBLE[KEYS[k]][0])) ** 2
            for k in DEFAULTS
        )

    return min((row[1] for row in near_optimal(table)), key=distance)


def openness_effect(extra: list[str], replicates: int) -> tuple[float, float, float]:
    """Mean paired difference open − 2012 in signed, refused and deferred."""
    closed = load_scenario(SCENARIO, extra)
    open_ = load_scenario(OPEN, extra)
    differences = []
    for seed in range(replicates):
        a, b = run_conference(closed, seed).metrics, run_conference(open_, seed).metrics
        differences.append([b[k] - a[k] for k in ("signed", "refused", "deferred")])
    return tuple(np.mean(differences, axis=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="a small grid, for a smoke run")
    args = parser.parse_args()
    record = read_record(SCENARIO / "record.toml")
    grids = (QUICK["CALL_COST"], QUICK["BAND"]) if args.quick else (CALL_COST, BAND)
    print(f"fitting on seeds 0..{args.replicates - 1}")
    best, table = fit(args.replicates, record, grids)
    print("\nbest five points (discrepancy: total and by pattern)")
    for total, point, parts in table[:5]:
        shown = ", ".join(f"{k} {v:.2f}" for k, v in parts.items() if k != "total")
        print(f"  {total:7.2f}  {point}\n           {shown}")
    ridge = near_optimal(table)
    print(f"\n{len(ridge)} points fit within {NEAR} of the best; over them:")
    for k in DEFAULTS:
        values = sorted({row[1][k] for row in ridge})
        print(f"  {KEYS[k]:<34} {values[0]:g} … {values[-1]:g}  ({len(values)} levels)")
    print(f"chosen (nearest the defaults): {best}")
    fitted = overrides(**best)
    # the re-solved signing stage must be the model's own: check against full runs
    scenario = load_scenario(SCENARIO, fitted)
    negotiation = load_scenario(SCENARIO, overrides(best["call_cost"], best["band"]))
    shares = terms(scenario).peer_shares
    for seed in range(min(5, args.replicates)):
        full = run_conference(scenario, seed)
        again = resign(
            run_conference(negotiation, seed),
            shares,
            best["band"],
            best["threshold"],
            best["grievance"],
            best["bloc_pull"],
        )
        assert (full.decision_codes == again.decision_codes).all(), "re-solved signing differs"
    print("\nfitted: " + " ".join(fitted))
    print(
        "\nopenness effect (open design − 2012 design; signed, refused, deferred), one coefficient"
    )
    print("at a time at the ends of its plausible range, the others at the fitted values")
    signed, refused, deferred = openness_effect(fitted, args.replicates)
    print(f"  {'at the fitted values':<42}{signed:+7.1f} {refused:+7.1f} {deferred:+7.1f}")
    for key, (low, high) in PLAUSIBLE.items():
        for value in (low, high):
            extra = [*fitted, f"{key}={value}"]
            signed, refused, deferred = openness_effect(extra, args.replicates)
            print(f"  {f'{key} = {value:g}':<42}{signed:+7.1f} {refused:+7.1f} {deferred:+7.1f}")


if __name__ == "__main__":
    main()
