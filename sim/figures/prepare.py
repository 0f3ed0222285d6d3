"""Data preparation for the figures: pure functions from result tables to what is drawn.

Each function takes the tables a run, sweep or comparison folder holds and returns a small
DataFrame (or dict) whose numbers are exactly what the matching figure shows, so they can be
tested numerically and reused in reports.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.experiments.compare import bootstrap_interval

DECISION_ORDER = ("sign", "defer", "refuse")


def provision_outcomes(provisions: pd.DataFrame) -> pd.DataFrame:
    """Per provision: status quo, agreed text, whether adopted, when and how it was settled."""
    frame = provisions[["provision", "status_quo", "value", "adopted", "round", "settled_by"]]
    rule = provisions["rule"] if "rule" in provisions else pd.Series([None] * len(provisions))
    return frame.assign(rule=rule.to_numpy()).set_index("provision")


def trajectory(events: pd.DataFrame, trajectory: pd.DataFrame) -> pd.DataFrame:
    """Per provision and round: the chair's draft and each bloc's mean preference.

    Returns a long table with columns ``provision``, ``round``, ``series`` ("draft" or a bloc)
    and ``value``. Round 0 holds the mandates; a draft appears in the rounds it was tabled.
    """
    drafts = events.loc[events["stage"] == "decision", ["provision", "round", "draft"]]
    drafts = drafts.dropna(subset=["draft"]).rename(columns={"draft": "value"})
    drafts = drafts.assign(series="draft")
    blocs = trajectory.rename(columns={"bloc": "series", "preference": "value"})
    frame = pd.concat(
        [
            drafts[["provision", "round", "series", "value"]],
            blocs[["provision", "round", "series", "value"]],
        ],
        ignore_index=True,
    )
    return frame.sort_values(["provision", "series", "round"], kind="stable", ignore_index=True)


def signatures_by_bloc(delegations: pd.DataFrame) -> pd.DataFrame:
    """Counts of sign, defer and refuse per bloc (rows in order of size, columns fixed)."""
    blocs = delegations["bloc"].fillna("no bloc")
    table = pd.crosstab(blocs, delegations["decision"])
    table = table.reindex(columns=list(DECISION_ORDER), fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    table.index.name = "bloc"
    table.columns.name = None
    return table.astype(int)


def signing_waterfall(delegations: pd.DataFrame, delegation: str) -> dict:
    """One delegation's signing score as steps: home's value, grievance, bloc pull, the cost.

    Returns a dict with ``steps`` (a DataFrame with ``term``, ``value``, ``start``, ``end``),
    ``score`` (home's score S; home signs when S ≥ 0), ``expected`` (the delegation's expectation
    Ŝ; it defers rather than refuses when Ŝ ≥ 0 > S), ``decision`` and ``threshold`` (the cost of
    the obligation, recovered as home + grievance + pull − S).

    Raises:
        KeyError: if the delegation is not in the table.
    """
    rows = delegations.set_index("delegation")
    if delegation not in rows.index:
        raise KeyError(delegation)
    row = rows.loc[delegation]
    home, grievance, pull = (float(row[k]) for k in ("home_value", "grievance", "bloc_pull"))
    pull = 0.0 if np.isnan(pull) else pull
    score = float(row["score"])
    threshold = home + grievance + pull - score
    terms = [
        ("home_value", home),
        ("grievance", grievance),
        ("bloc_pull", pull),
        ("sign_threshold", -threshold),
    ]
    start, steps = 0.0, []
    for term, value in terms:
        steps.append({"term": term, "value": value, "start": start, "end": start + value})
        start += value
    return {
        "steps": pd.DataFrame(steps),
        "score": score,
        "expected": float(row["expected"]),
        "decision": str(row["decision"]),
        "threshold": threshold,
        "bloc": None if pd.isna(row["bloc"]) else str(row["bloc"]),
    }


def response(
    runs: pd.DataFrame, metric: str, x: str, by: str | None = None, seed: int = 1
) -> pd.DataFrame:
    """Mean of a metric at each level of ``x`` (one line per level of ``by``) with 95% intervals.

    Intervals are percentile bootstrap intervals of the mean over the runs at that point (the
    same method as ``treatysim compare``). Columns: ``x``, ``by`` (if given), ``mean``, ``low``,
    ``high``, ``runs``.
    """
    keys = [x] if by is None else [x, by]
    rows = []
    for values, group in runs.groupby(keys, sort=True, dropna=False):
        values = values if isinstance(values, tuple) else (values,)
        data = group[metric].astype(float).to_numpy()
        data = data[~np.isnan(data)]
        if data.size == 0:
            continue
        low, high = bootstrap_interval(data, seed) if data.size > 1 else (data[0], data[0])
        rows.append(
            {
                **dict(zip(keys, values, strict=True)),
                "mean": data.mean(),
                "low": low,
                "high": high,
                "runs": data.size,
            }
        )
    return pd.DataFrame(rows)


def design_map(runs: pd.DataFrame, metric: str, x: str, y: str) -> pd.DataFrame:
    """Mean of a metric over two factors: rows are levels of ``y``, columns levels of ``x``."""
    table = runs.groupby([y, x])[metric].mean().unstack(x)
    return table.sort_index().sort_index(axis=1)


def factor_effects(
    runs: pd.DataFrame, metric: str, factors: list[str], seed: int = 1
) -> pd.DataFrame:
    """Marginal effect of each factor's levels against its first level, with 95% intervals.

    For a factor, runs at each level are compared with runs at the first level matched on
    every other factor and the replicate, so the difference is paired where the design allows.
    ``flat`` is True for a factor whose every difference has an interval containing 0 (its
    effect is indistinguishable from zero); ``identical`` when every paired difference is
    exactly 0 (the factor changes nothing at all).
    """
    rows = []
    for factor in factors:
        levels = sorted(runs[factor].dropna().unique(), key=_order)
        if len(levels) < 2:
            continue
        others = [f for f in factors if f != factor] + ["replicate"]
        base = runs[runs[factor] == levels[0]].set_index(others)[metric]
        for level in levels[1:]:
            other = runs[runs[factor] == level].set_index(others)[metric]
            paired = (other - base).dropna().astype(float).to_numpy()
            if paired.size == 0:
                continue
            low, high = bootstrap_interval(paired, seed) if paired.size > 1 else (paired[0],) * 2
            rows.append(
                {
                    "factor": factor,
                    "level": level,
                    "reference": levels[0],
                    "difference": float(paired.mean()),
                    "low": float(low),
                    "high": float(high),
                    "identical": bool((paired == 0).all()),
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    contains_zero = (frame["low"] <= 0) & (frame["high"] >= 0)
    frame["flat"] = frame["factor"].map(contains_zero.groupby(frame["factor"]).all())
    frame["identical"] = frame["factor"].map(frame.groupby("factor")["identical"].all())
    return frame


def _order(value):
    return (0, float(value)) if isinstance(value, (int, float, np.number)) else (1, str(value))


def forest(metrics: pd.DataFrame) -> pd.DataFrame:
    """Comparison rows for a forest plot: design, metric label, difference and interval.

    Rows are ordered by metric as in the catalogue, then design.
    """
    frame = metrics[["design", "metric", "label", "unit", "better", "difference", "low", "high"]]
    return frame.reset_index(drop=True)


def changed_delegations(changes: pd.DataFrame, limit: int = 20) -> pd.DataFrame:
    """The delegations that change decision most often, per design, at most ``limit`` each."""
    if changes.empty:
        return changes
    ordered = changes.sort_values(
        ["design", "share_changed", "delegation"], ascending=[True, False, True]
    )
    return ordered.groupby("design", sort=False).head(limit).reset_index(drop=True)


def power_table(result: dict, limit: int = 25) -> pd.DataFrame:
    """Shapley–Shubik and normalised Banzhaf indices, largest first, at most ``limit`` rows."""
    ss, bz = result["shapley_shubik"], result["banzhaf"]
    # an index that could not be estimated stays missing (NaN), never a false zero
    frame = pd.DataFrame({"shapley_shubik": ss, "banzhaf": bz}).astype(float)
    frame = frame.sort_values("shapley_shubik", ascending=False, kind="stable")
    frame.index.name = "name"
    return frame.head(limit)
