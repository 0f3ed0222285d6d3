"""Figures of a sensitivity analysis: Sobol' and Morris indices, importance, PRIM's trajectory.

Each is a pure function ``(table, *, ax=None, ...) -> Figure`` on the tables of
:mod:`sim.analysis.sensitivity`. Factors are named by their scenario key without the leading
``process.``, which is how the experiment file names them and unambiguous.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.catalogue import entry
from sim.figures.style import HATCHES, NEUTRAL, PALETTE, axes, finish, styled


def short(factor: str) -> str:
    """A factor's key as shown on a figure."""
    return factor.removeprefix("process.")


def _height(n: int) -> tuple[float, float]:
    return (6.4, max(2.4, 0.9 + 0.42 * n))


@styled
def sobol_figure(indices: pd.DataFrame, metric: str, *, ax=None) -> Figure:
    """First-order and total Sobol' indices per factor, with their confidence intervals."""
    table = indices.sort_values("ST", ascending=True, ignore_index=True)
    figure, ax = axes(ax, _height(len(table)))
    y = np.arange(len(table))
    for k, (key, name) in enumerate((("S1", "first order S1"), ("ST", "total ST"))):
        values = table[key].to_numpy()
        errors = np.vstack([values - table[f"{key}_low"], table[f"{key}_high"] - values])
        ax.barh(
            y + (k - 0.5) * 0.38,
            values,
            height=0.36,
            color=PALETTE[k],
            hatch=HATCHES[k],
            edgecolor="white",
            xerr=np.clip(errors, 0, None),
            error_kw={"ecolor": "#333333", "elinewidth": 0.8, "capsize": 2},
            label=name,
        )
    ax.set_yticks(y, [short(f) for f in table["factor"]])
    ax.axvline(0, color=NEUTRAL, linewidth=0.6)
    finish(
        ax,
        f"Sobol' indices of {entry(metric).label.lower()}",
        "share of the variance over the design (95% interval)",
        "",
    )
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    return figure


@styled
def morris_figure(indices: pd.DataFrame, metric: str, *, ax=None) -> Figure:
    """Morris μ* against σ: influence against non-linearity or interaction."""
    figure, ax = axes(ax, (6.4, 4.6))
    m = entry(metric)
    unit = f" ({m.unit})" if m.unit else ""
    x = indices["mu_star"].to_numpy()
    errors = np.clip(np.vstack([x - indices["mu_star_low"], indices["mu_star_high"] - x]), 0, None)
    ax.errorbar(
        x,
        indices["sigma"],
        xerr=errors,
        fmt="o",
        color=PALETTE[0],
        ecolor="#888888",
        elinewidth=0.8,
        capsize=2,
    )
    for _, row in indices.iterrows():
        ax.annotate(
            short(row["factor"]),
            (row["mu_star"], row["sigma"]),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=7.5,
        )
    top = float(max(x.max(), indices["sigma"].max(), 1e-9)) * 1.1
    ax.plot([0, top], [0, top], color=NEUTRAL, linestyle=":", linewidth=0.8, label="σ = μ*")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    finish(
        ax,
        f"Morris screening of {m.label.lower()}",
        f"μ*: mean absolute effect, scaled to a factor's whole range{unit}",
        f"σ: spread of the effects{unit}",
    )
    ax.legend(loc="upper left")
    return figure


@styled
def importance_figure(indices: pd.DataFrame, metric: str, r2: float, *, ax=None) -> Figure:
    """Extra-trees importance per factor, with its spread over the trees."""
    table = indices.sort_values("importance", ascending=True, ignore_index=True)
    figure, ax = axes(ax, _height(len(table)))
    y = np.arange(len(table))
    ax.barh(
        y,
        table["importance"],
        xerr=table["spread"],
        color=PALETTE[2],
        error_kw={"ecolor": "#333333", "elinewidth": 0.8, "capsize": 2},
    )
    ax.set_yticks(y, [short(f) for f in table["factor"]])
    fit = f"; the forest explains {r2:.0%} of its variance (out of bag)" if np.isfinite(r2) else ""
    finish(
        ax,
        f"What explains {entry(metric).label.lower()}{fit}",
        "importance: mean decrease in impurity (± spread over trees)",
        "",
    )
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    return figure


@styled
def prim_figure(
    trajectory: pd.DataFrame, chosen: int, threshold: float, where: str, *, ax=None
) -> Figure:
    """PRIM's peeling trajectory: coverage against density, by restricted dimensions."""
    figure, ax = axes(ax, (6.0, 4.4))
    dims = trajectory["restricted"].to_numpy()
    for k, n in enumerate(sorted(set(dims))):
        part = trajectory[dims == n]
        ax.scatter(
            part["coverage"],
            part["density"],
            color=PALETTE[k % len(PALETTE)],
            marker="osD^vPX*"[k % 8],
            s=28,
            label=f"{n} restricted",
            zorder=3,
        )
    ax.plot(trajectory["coverage"], trajectory["density"], color="#BBBBBB", linewidth=0.8)
    pick = trajectory.iloc[chosen]
    ax.scatter(
        [pick["coverage"]],
        [pick["density"]],
        s=160,
        facecolors="none",
        edgecolors="#000000",
        linewidths=1.2,
        label="chosen box",
        zorder=4,
    )
    ax.axhline(threshold, color=NEUTRAL, linestyle="--", linewidth=0.8, label="density threshold")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    finish(
        ax,
        f"PRIM peeling trajectory for {where}",
        "coverage: share of the runs of interest inside the box",
        "density: share of the box's runs that are of interest",
    )
    ax.legend(loc="lower left")
    return figure
