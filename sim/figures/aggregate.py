"""Figures of many runs: sweeps (response, design map), comparisons, voting power.

Each is a pure function ``(data, *, ax=None, ...) -> Figure``.

Data comes from :mod:`sim.figures.prepare`; names and units from :mod:`sim.catalogue`; look
from :mod:`sim.figures.style`. No function calls ``show()`` or touches pyplot's global state.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.catalogue import entry, label
from sim.figures.style import (
    NEUTRAL,
    PALETTE,
    axes,
    finish,
    series_style,
    styled,
)

# --- a sweep ----------------------------------------------------------------------------------


@styled
def response_figure(
    frame: pd.DataFrame, metric: str, x: str, by: str | None = None, *, ax=None
) -> Figure:
    """A metric against a factor, one line per level of another, with 95% intervals.

    Args:
        frame: :func:`sim.figures.prepare.response`.
        metric: the metric shown.
        x: the factor on the x axis.
        by: the factor with one line per level, or None.
        ax: axes to draw on; a new figure when None.
    """
    figure, ax = axes(ax)
    groups = [(None, frame)] if by is None else list(frame.groupby(by, sort=True))
    numeric = pd.api.types.is_numeric_dtype(frame[x])
    positions = {v: i for i, v in enumerate(sorted(frame[x].unique(), key=str))}
    for i, (level, data) in enumerate(groups):
        data = data.sort_values(x)
        xs = data[x].to_numpy(dtype=float) if numeric else np.array([positions[v] for v in data[x]])
        style = series_style(i)
        ax.plot(
            xs, data["mean"], label=None if level is None else f"{label(by)} = {level}", **style
        )
        ax.fill_between(
            xs, data["low"], data["high"], color=style["color"], alpha=0.18, linewidth=0
        )
    if not numeric:
        ax.set_xticks(list(positions.values()), list(positions))
    m = entry(metric)
    finish(
        ax,
        f"{m.label} by {label(x).lower()}"
        + (f" and {label(by).lower()}" if by else "")
        + " (mean, 95% interval)",
        entry(x).axis(),
        m.axis(),
    )
    if by is not None:
        ax.legend(loc="best")
    return figure


@styled
def design_map_figure(table: pd.DataFrame, metric: str, x: str, y: str, *, ax=None) -> Figure:
    """A metric's mean over two factors as a heatmap with the values written in.

    Args:
        table: :func:`sim.figures.prepare.design_map`.
        metric: the metric shown.
        x: the factor across columns.
        y: the factor down rows.
        ax: axes to draw on; a new figure when None.
    """
    figure, ax = axes(ax, (6.4, 0.5 * len(table) + 2.4))
    values = table.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="cividis", aspect="auto")
    ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns])
    ax.set_yticks(range(table.shape[0]), [str(r) for r in table.index])
    middle = np.nanmean(values)
    for (r, c), value in np.ndenumerate(values):
        ax.text(
            c,
            r,
            f"{value:.3g}",
            ha="center",
            va="center",
            fontsize=8,
            color="white" if value < middle else "black",
        )
    m = entry(metric)
    figure.colorbar(image, ax=ax, label=m.axis())
    finish(
        ax,
        f"{m.label} (mean) by {label(x).lower()} and {label(y).lower()}",
        entry(x).axis(),
        entry(y).axis(),
    )
    ax.grid(False)
    return figure


# --- a comparison -----------------------------------------------------------------------------


@styled
def forest_figure(frame: pd.DataFrame, *, metric: str | None = None, ax=None) -> Figure:
    """Paired differences between designs and the baseline, with 95% intervals (forest plot).

    One row per metric, each on its own scale and in its own unit; metrics that never differ
    are left out.

    Args:
        frame: :func:`sim.figures.prepare.forest`; ``frame.attrs["baseline"]`` names the
            baseline.
        metric: draw this metric only (on ``ax`` if given).
        ax: axes to draw on (with ``metric``); a new figure when None.
    """
    moved = frame.groupby("metric", sort=False)[["difference", "low", "high"]].apply(
        lambda g: bool((g != 0).any().any())
    )
    metrics = [metric] if metric else [m for m in dict.fromkeys(frame["metric"]) if moved[m]]
    metrics = metrics or list(dict.fromkeys(frame["metric"]))[:1]
    designs = list(dict.fromkeys(frame["design"]))
    baseline = frame.attrs.get("baseline", "the baseline")
    if ax is not None or len(metrics) == 1:
        figure, ax = axes(ax, (6.4, 0.35 * len(designs) + 1.2))
        panels = [ax]
    else:
        height = 0.3 * len(designs) + 0.55
        figure = Figure(figsize=(6.4, height * len(metrics) + 0.9), layout="constrained")
        panels = list(figure.subplots(len(metrics), 1, squeeze=False)[:, 0])
    for name, panel in zip(metrics, panels, strict=True):
        rows = frame[frame["metric"] == name]
        for d, design in enumerate(designs):
            row = rows[rows["design"] == design]
            if row.empty:
                continue
            style = series_style(d)
            diff = float(row["difference"].iloc[0])
            low, high = float(row["low"].iloc[0]), float(row["high"].iloc[0])
            panel.errorbar(
                [diff],
                [d],
                xerr=[[diff - low], [high - diff]],
                fmt=style["marker"],
                color=style["color"],
                capsize=3,
                label=design,
            )
        panel.axvline(0.0, color="black", linewidth=0.8)
        panel.set_yticks(range(len(designs)), designs)
        panel.set_ylim(len(designs) - 0.5, -0.5)
        e = entry(name)
        panel.set_title(e.label, loc="left", fontsize=9)
        panel.set_xlabel(f"difference ({e.unit})" if e.unit else "difference", fontsize=8)
        panel.spines["left"].set_visible(False)
        panel.tick_params(axis="y", length=0)
    figure.suptitle(
        f"Difference from {baseline}: mean of paired replicates, 95% interval",
        x=0.02,
        ha="left",
    )
    return figure


@styled
def texts_figure(
    provisions: pd.DataFrame, *, titles: dict[str, str] | None = None, ax=None
) -> Figure:
    """The agreed text of each provision under the baseline and each design (mean over replicates).

    Args:
        provisions: a comparison's ``provisions.csv``.
        titles: provision titles to show instead of ids.
        ax: axes to draw on; a new figure when None.
    """
    titles = titles or {}
    ids = list(dict.fromkeys(provisions["provision"]))
    designs = list(dict.fromkeys(provisions["design"]))
    figure, ax = axes(ax, (6.4, 0.4 * len(ids) + 1.6))
    ys = np.arange(len(ids))
    first = provisions[provisions["design"] == designs[0]].set_index("provision").loc[ids]
    ax.scatter(
        first["baseline_text"],
        ys,
        marker="|",
        s=200,
        color="black",
        label=str(first["baseline"].iloc[0]),
        zorder=3,
    )
    for d, design in enumerate(designs):
        rows = provisions[provisions["design"] == design].set_index("provision").loc[ids]
        style = series_style(d + 1)
        ax.scatter(
            rows["design_text"],
            ys,
            marker=style["marker"],
            color=style["color"],
            label=design,
            zorder=4,
        )
        for y, a, b in zip(ys, rows["baseline_text"], rows["design_text"], strict=True):
            ax.plot([a, b], [y, y], color=style["color"], linewidth=1.0)
    ax.set_yticks(ys, [titles.get(p, p) for p in ids])
    ax.invert_yaxis()
    ax.set_xlim(-2, 102)
    finish(
        ax,
        "Agreed text per provision (mean over replicates)",
        "position (0 = status quo scale, 0–100)",
        "",
    )
    ax.legend(loc="best")
    return figure


@styled
def changes_figure(changes: pd.DataFrame, *, ax=None) -> Figure:
    """The delegations that change signing decision most often between the baseline and a design.

    Args:
        changes: :func:`sim.figures.prepare.changed_delegations`.
        ax: axes to draw on; a new figure when None.
    """
    figure, ax = axes(ax, (6.4, 0.3 * max(1, len(changes)) + 1.4))
    if changes.empty:
        ax.text(
            0.5,
            0.5,
            "No delegation changes its decision",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        finish(ax, "Delegations that change decision", "share of replicates", "delegation")
        return figure
    designs = list(dict.fromkeys(changes["design"]))
    labels = [
        f"{r.delegation} ({r.design})" if len(designs) > 1 else r.delegation
        for r in changes.itertuples()
    ]
    colours = [PALETTE[designs.index(d) % len(PALETTE)] for d in changes["design"]]
    ax.barh(range(len(changes)), changes["share_changed"], color=colours)
    ax.set_yticks(range(len(changes)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    finish(
        ax,
        "Delegations whose signing decision changes most often",
        "share of replicates",
        "delegation",
    )
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    return figure


# --- voting power -----------------------------------------------------------------------------


@styled
def power_figure(table: pd.DataFrame, rule: str, *, ax=None) -> Figure:
    """Shapley–Shubik and normalised Banzhaf indices, side by side.

    Args:
        table: :func:`sim.figures.prepare.power_table`.
        rule: the decision rule's description.
        ax: axes to draw on; a new figure when None.
    """
    figure, ax = axes(ax, (6.4, 0.3 * len(table) + 1.6))
    ys = np.arange(len(table))
    ax.barh(ys - 0.2, table["shapley_shubik"], height=0.4, color=PALETTE[0], label="Shapley–Shubik")
    missing = table["banzhaf"].isna()
    ax.barh(
        ys + 0.2,
        table["banzhaf"].fillna(0.0).where(~missing, np.nan),
        height=0.4,
        color=PALETTE[1],
        hatch="//",
        edgecolor="white",
        label="Banzhaf (normalised)" + ("; not estimated where missing" if missing.any() else ""),
    )
    ax.set_yticks(ys, list(table.index))
    ax.invert_yaxis()
    finish(
        ax, f"Voting power under {rule}", "share of power (indices sum to 1 over all members)", ""
    )
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    return figure


@styled
def reliability_figure(rows: list[dict], *, ax=None) -> Figure:
    """Reliability diagram: mean forecast probability of signing against the observed share.

    Args:
        rows: the ``reliability`` bins of :func:`sim.analysis.scoring.score`.
        ax: axes to draw on; a new figure when None.
    """
    figure, ax = axes(ax, (4.8, 4.4))
    ax.plot([0, 1], [0, 1], color=NEUTRAL, linestyle=":", label="perfectly reliable")
    xs = [r["mean_forecast"] for r in rows]
    ys = [r["observed"] for r in rows]
    sizes = [30 + 20 * r["delegations"] for r in rows]
    ax.scatter(
        xs, ys, s=sizes, color=PALETTE[0], zorder=3, label="forecast bins (size: delegations)"
    )
    ax.plot(xs, ys, color=PALETTE[0], linewidth=1.0)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    finish(
        ax,
        "Reliability of the forecast probability of signing",
        "forecast P(sign)",
        "observed share that signed",
    )
    ax.legend(loc="upper left")
    return figure
