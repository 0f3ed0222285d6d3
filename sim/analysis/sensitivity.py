"""Which factors of a sweep decide a metric: Sobol' and Morris indices, importance, PRIM boxes.

Each analysis reads a finished sweep's store and returns plain tables:

- **Sobol'** (Sobol' 2001; Saltelli et al. 2010) on a ``sobol`` design: first-order ``S1`` (the
  share of the metric's variance a factor explains alone), total ``ST`` (alone and in every
  interaction) and, when sampled, second-order ``S2``; confidence intervals by bootstrap.
- **Morris** (Morris 1991; Campolongo et al. 2007) on a ``morris`` design: ``mu_star``, the mean
  absolute elementary effect — the metric's change per unit of the factor's unit coordinate, so
  scaled to the factor's whole range — a screening measure of overall influence, and ``sigma``,
  the effects' spread (non-linearity or interactions).
- **Importance** on any sweep: extra-trees feature scoring (Geurts et al. 2006), the mean
  decrease in impurity of a forest fitted to every run, with its spread over trees and the
  forest's out-of-bag R² — how much of the metric the factors explain at all.
- **PRIM** on any sweep: see :mod:`sim.analysis.discovery`.

Sobol' and Morris indices are computed on each design point's mean over its replicates (the
replicates share seeds across points by default) and on the factors' unit coordinates, so an
index means the same for a coefficient, a share and a decision rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.errors import InputError

METHODS = ("sobol", "morris", "importance", "prim")


@dataclass
class Sweep:
    """A finished (or partial) sweep read for analysis."""

    folder: str
    manifest: dict
    runs: pd.DataFrame
    factors: list[str]
    metrics: list[str]
    design: str
    sampled: list[str]
    points: pd.DataFrame | None
    planned: int
    replicates: int

    @property
    def complete(self) -> bool:
        """Whether every planned run is stored."""
        return len(self.runs) == self.planned


def read_sweep(folder) -> Sweep:
    """A sweep folder's runs, design and (for sampled designs) unit coordinates."""
    from sim.experiments.export import results_table
    from sim.figures.sources import SweepSource, load_source

    source = load_source(folder)
    if not isinstance(source, SweepSource):
        raise InputError.single(
            str(folder), "SWEEP", f"a {source.kind} folder; analyze reads a sweep's folder"
        )
    experiment = source.manifest.get("experiment", {})
    design = experiment.get("design", "grid")
    points = None
    sampled = []
    if design != "grid":
        points = results_table(folder, "points")
        sampled = [c for c in points.columns if c != "point"]
    return Sweep(
        folder=str(folder),
        manifest=source.manifest,
        runs=source.runs,
        factors=source.factors,
        metrics=source.metrics,
        design=design,
        sampled=sampled,
        points=points,
        planned=int(source.manifest.get("runs", len(source.runs))),
        replicates=int(experiment.get("replicates", 1)),
    )


def _metric(sweep: Sweep, metric: str) -> None:
    if metric not in sweep.metrics:
        raise InputError.single(
            "--metric",
            metric,
            f"not a stored metric of this sweep (stored: {', '.join(sweep.metrics)})",
        )


def _needs(sweep: Sweep, method: str) -> None:
    if sweep.design != method:
        raise InputError.single(
            sweep.folder,
            "--method",
            f"{method} indices need a sweep with design = {method!r}; this sweep's design is "
            f"{sweep.design!r} (importance and prim work on any sweep)",
        )
    if not sweep.complete:
        raise InputError.single(
            sweep.folder,
            "--method",
            f"the sweep is unfinished ({len(sweep.runs)} of {sweep.planned} runs): {method} "
            "indices need every design point; run the same sweep command again to finish it",
        )


def point_means(sweep: Sweep, metric: str) -> np.ndarray:
    """Each design point's mean of ``metric`` over its replicates, in point order."""
    point = sweep.runs["run_index"].to_numpy() // sweep.replicates
    values = sweep.runs[metric].astype(float).to_numpy()
    sums = np.bincount(point, weights=values, minlength=len(sweep.points))
    counts = np.bincount(point, minlength=len(sweep.points))
    return sums / counts


def bootstrap_seed(seed: int) -> int:
    """SALib's bootstrap seed for the user's seed: never 0, which SALib takes for "unseeded"."""
    return int(np.random.SeedSequence([seed]).generate_state(1)[0]) or 1


def _constant(y: np.ndarray) -> bool:
    return bool(np.ptp(y) == 0)


def _options(sweep: Sweep) -> dict:
    return sweep.manifest.get("experiment", {}).get("options", {}) or {}


def sobol_indices(
    sweep: Sweep, metric: str, conf_level: float = 0.95, resamples: int = 1000, seed: int = 0
) -> dict:
    """Sobol' indices of ``metric`` over a sobol design.

    Returns:
        ``{"indices": DataFrame(factor, S1, S1_low, S1_high, ST, ST_low, ST_high),
        "second_order": DataFrame(factor_a, factor_b, S2, S2_low, S2_high) or None,
        "variance": the metric's variance over the design, "note": str}``.
    """
    from SALib.analyze import sobol

    from sim.experiments.design import problem

    _metric(sweep, metric)
    _needs(sweep, "sobol")
    y = point_means(sweep, metric)
    second = bool(_options(sweep).get("second_order"))
    names = sweep.sampled
    if _constant(y):
        return _flat(names, y, "S", second)
    raw = sobol.analyze(
        problem(names),
        y,
        calc_second_order=second,
        num_resamples=resamples,
        conf_level=conf_level,
        seed=bootstrap_seed(seed),
    )
    rows = []
    for j, name in enumerate(names):
        row = {"factor": name}
        for key in ("S1", "ST"):
            value, half = float(raw[key][j]), float(raw[f"{key}_conf"][j])
            row |= {key: value, f"{key}_low": value - half, f"{key}_high": value + half}
        rows.append(row)
    pairs = None
    if second:
        pairs = pd.DataFrame(
            [
                {
                    "factor_a": a,
                    "factor_b": names[k],
                    "S2": float(raw["S2"][j, k]),
                    "S2_low": float(raw["S2"][j, k] - raw["S2_conf"][j, k]),
                    "S2_high": float(raw["S2"][j, k] + raw["S2_conf"][j, k]),
                }
                for j, a in enumerate(names)
                for k in range(j + 1, len(names))
            ]
        )
    return {
        "indices": pd.DataFrame(rows),
        "second_order": pairs,
        "variance": float(np.var(y)),
        "note": "",
    }


def morris_indices(
    sweep: Sweep, metric: str, conf_level: float = 0.95, resamples: int = 1000, seed: int = 0
) -> dict:
    """Morris screening measures of ``metric`` over a morris design.

    Returns:
        ``{"indices": DataFrame(factor, mu, mu_star, mu_star_low, mu_star_high, sigma),
        "levels": int, "note": str}``; effects are in the metric's unit per step of a factor's
        whole range.
    """
    from SALib.analyze import morris

    from sim.experiments.design import problem

    _metric(sweep, metric)
    _needs(sweep, "morris")
    y = point_means(sweep, metric)
    levels = int(_options(sweep).get("levels") or 4)
    names = sweep.sampled
    if _constant(y):
        flat = pd.DataFrame(
            {
                "factor": names,
                **{k: 0.0 for k in ("mu", "mu_star", "mu_star_low", "mu_star_high", "sigma")},
            }
        )
        return {"indices": flat, "levels": levels, "note": _flat_note(y)}
    x = sweep.points[names].to_numpy(dtype=float)
    raw = morris.analyze(
        problem(names),
        x,
        y,
        num_resamples=resamples,
        conf_level=conf_level,
        num_levels=levels,
        seed=bootstrap_seed(seed),
    )
    rows = []
    for j, name in enumerate(names):
        mu_star, half = float(raw["mu_star"][j]), float(raw["mu_star_conf"][j])
        rows.append(
            {
                "factor": name,
                "mu": float(raw["mu"][j]),
                "mu_star": mu_star,
                "mu_star_low": mu_star - half,
                "mu_star_high": mu_star + half,
                "sigma": float(raw["sigma"][j]),
            }
        )
    return {"indices": pd.DataFrame(rows), "levels": levels, "note": ""}


def _flat_note(y: np.ndarray, where: str = "at every design point") -> str:
    return (
        f"the metric is {y[0]:g} {where}: no factor moves it over these ranges, "
        "so every index is zero"
    )


def _flat(names: list[str], y: np.ndarray, prefix: str, second: bool) -> dict:
    columns = {}
    for key in ("S1", "ST"):
        columns |= {key: 0.0, f"{key}_low": 0.0, f"{key}_high": 0.0}
    pairs = (
        pd.DataFrame(
            [
                {"factor_a": a, "factor_b": b, "S2": 0.0, "S2_low": 0.0, "S2_high": 0.0}
                for i, a in enumerate(names)
                for b in names[i + 1 :]
            ]
        )
        if second
        else None
    )
    return {
        "indices": pd.DataFrame({"factor": names, **columns}),
        "second_order": pairs,
        "variance": 0.0,
        "note": _flat_note(y),
    }


# --- any sweep -----------------------------------------------------------------------------


def varied(sweep: Sweep) -> list[str]:
    """The factors that take more than one value in the sweep's runs."""
    return [f for f in sweep.factors if sweep.runs[f].nunique(dropna=False) > 1]


def _encoded(runs: pd.DataFrame, factors: list[str]) -> pd.DataFrame:
    """Factor columns as numbers: text levels by their order of first appearance."""
    out = pd.DataFrame(index=runs.index)
    for f in factors:
        column = runs[f]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            out[f] = column.astype(float)
        else:
            codes, _ = pd.factorize(column.astype(str))
            out[f] = codes.astype(float)
    return out


def no_varied_factor(sweep: Sweep) -> str:
    """Why a sweep has nothing to analyse: one value per factor, perhaps only so far."""
    if not sweep.complete:
        return (
            f"no factor takes more than one value in the {len(sweep.runs)} of {sweep.planned} "
            "runs stored so far: finish the sweep first"
        )
    return "no factor takes more than one value in this sweep"


def importance(sweep: Sweep, metric: str, seed: int = 0, trees: int = 250) -> dict:
    """Extra-trees feature scoring of ``metric`` on every run's varied factors.

    Returns:
        ``{"indices": DataFrame(factor, importance, spread) sorted by importance,
        "r2_oob": out-of-bag R², "runs": int, "note": str}``.
    """
    from sklearn.ensemble import ExtraTreesRegressor

    _metric(sweep, metric)
    factors = varied(sweep)
    if not factors:
        raise InputError.single(sweep.folder, "--method", no_varied_factor(sweep))
    runs = sweep.runs
    if len(runs) < 10:
        raise InputError.single(
            sweep.folder, "--method", f"{len(runs)} runs are too few to score importance"
        )
    y = runs[metric].astype(float).to_numpy()
    if _constant(y):
        flat = pd.DataFrame({"factor": factors, "importance": 0.0, "spread": 0.0})
        return {
            "indices": flat,
            "r2_oob": float("nan"),
            "runs": len(runs),
            "note": _flat_note(y, "in every run"),
        }
    forest = ExtraTreesRegressor(
        n_estimators=trees,
        bootstrap=True,
        oob_score=True,
        min_samples_leaf=max(1, len(runs) // 500),
        random_state=seed,
        n_jobs=1,
    )
    forest.fit(_encoded(runs, factors).to_numpy(), y)
    per_tree = np.array([t.feature_importances_ for t in forest.estimators_])
    table = pd.DataFrame(
        {
            "factor": factors,
            "importance": forest.feature_importances_,
            "spread": per_tree.std(axis=0),
        }
    ).sort_values("importance", ascending=False, ignore_index=True)
    return {"indices": table, "r2_oob": float(forest.oob_score_), "runs": len(runs), "note": ""}
