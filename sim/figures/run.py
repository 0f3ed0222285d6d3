"""Figures of one run: negotiation trajectory, signatures by bloc, why a delegation chose.

Each is a pure function ``(data, *, ax=None, ...) -> Figure``.

Data comes from :mod:`sim.figures.prepare`; names and units from :mod:`sim.catalogue`; look
from :mod:`sim.figures.style`. No function calls ``show()`` or touches pyplot's global state.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.catalogue import entry
from sim.figures.style import (
    DECISION_STYLE,
    NEUTRAL,
    PALETTE,
    axes,
    finish,
    series_style,
    styled,
)

# --- one run ----------------------------------------------------------------------------------


@styled
def trajectory_figure(
    frame: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    provision: str | None = None,
    titles: dict[str, str] | None = None,
    ax=None,
) -> Figure:
    """Negotiation trajectory: drafts, bloc-mean preferences, status quo and agreed text.

    Each panel also names the rule that settled the provision and when.

    Args:
        frame: :func:`sim.figures.prepare.trajectory`.
        outcomes: :func:`sim.figures.prepare.provision_outcomes`.
        provision: draw this provision only (on ``ax`` if given); default every provision as
            small multiples.
        titles: provision titles to show instead of ids.
        ax: axes to draw on; a new figure when None.
    """
    titles = titles or {}
    ids = [provision] if provision else list(outcomes.index)
    if ax is not None or len(ids) == 1:
        figure, ax = axes(ax, (6.4, 4.0))
        panels = [ax]
    else:
        cols = min(3, len(ids))
        rows = math.ceil(len(ids) / cols)
        figure = Figure(figsize=(3.6 * cols, 2.8 * rows + 0.6), layout="constrained")
        grid = figure.subplots(rows, cols, squeeze=False, sharey=True)
        panels = list(grid.ravel())
        for extra in panels[len(ids) :]:
            extra.set_visible(False)
    blocs = [s for s in dict.fromkeys(frame["series"]) if s != "draft"]
    for pid, panel in zip(ids, panels, strict=False):
        data = frame[frame["provision"] == pid]
        for i, bloc in enumerate(blocs):
            line = data[data["series"] == bloc]
            style = series_style(i)
            panel.plot(
                line["round"],
                line["value"],
                color=style["color"],
                linestyle=style["linestyle"],
                linewidth=1.0,
                alpha=0.9,
                label=f"{bloc} (mean preference)",
            )
        draft = data[data["series"] == "draft"]
        panel.plot(
            draft["round"],
            draft["value"],
            color="black",
            marker="o",
            markersize=3,
            linewidth=2.0,
            label="chair's draft",
        )
        row = outcomes.loc[pid]
        panel.axhline(
            row["status_quo"], color=NEUTRAL, linestyle=":", linewidth=1.0, label="status quo"
        )
        settled = f"{entry(row['settled_by'] if isinstance(row['settled_by'], str) else '').label}"
        if bool(row["adopted"]):
            panel.scatter(
                [row["round"]],
                [row["value"]],
                marker="*",
                s=120,
                color=PALETTE[5],
                zorder=5,
                label="agreed text",
            )
            note = f"{settled}, round {int(row['round'])}" + (
                f" ({row['rule']})" if isinstance(row["rule"], str) else ""
            )
        else:
            note = "not adopted"
        finish(panel, f"{titles.get(pid, pid)}\n{note}", "round", "position (0–100)")
        panel.set_ylim(-3, 103)
    handles, labels = panels[0].get_legend_handles_labels()
    if len(panels) == 1:
        panels[0].legend(handles, labels, loc="best")
    else:
        figure.legend(handles, labels, loc="outside lower center", ncol=min(4, len(labels)))
        figure.suptitle(
            "Negotiation trajectory: drafts and bloc positions by round", x=0.02, ha="left"
        )
    return figure


@styled
def signatures_figure(counts: pd.DataFrame, *, ax=None) -> Figure:
    """Signatures by bloc: stacked sign / defer / refuse per bloc.

    Args:
        counts: :func:`sim.figures.prepare.signatures_by_bloc`.
        ax: axes to draw on; a new figure when None.
    """
    figure, ax = axes(ax, (6.4, 0.45 * len(counts) + 1.6))
    left = np.zeros(len(counts))
    names = list(counts.index)
    for decision in counts.columns:
        values = counts[decision].to_numpy(dtype=float)
        style = DECISION_STYLE[decision]
        ax.barh(
            names,
            values,
            left=left,
            color=style["color"],
            hatch=style["hatch"],
            edgecolor="white",
            label=entry(decision).label,
        )
        left += values
    ax.invert_yaxis()
    finish(ax, "Signatures by bloc", "delegations", "bloc")
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    return figure


@styled
def waterfall_figure(data: dict, delegation: str, *, ax=None) -> Figure:
    """Why a delegation signed, deferred or refused: its signing score as a waterfall.

    Args:
        data: :func:`sim.figures.prepare.signing_waterfall`.
        delegation: the delegation's id.
        ax: axes to draw on; a new figure when None.
    """
    figure, ax = axes(ax, (6.4, 3.8))
    steps = data["steps"]
    names = [entry(t).label for t in steps["term"]] + ["Home's score S"]
    for i, step in enumerate(steps.itertuples(index=False)):
        low, high = sorted((step.start, step.end))
        colour = PALETTE[2] if step.value >= 0 else PALETTE[5]
        ax.bar(
            i,
            high - low,
            bottom=low,
            color=colour,
            hatch="" if step.value >= 0 else "//",
            edgecolor="white",
        )
        ax.annotate(f"{step.value:+.3f}", (i, high), ha="center", va="bottom", fontsize=8)
    score = data["score"]
    i = len(steps)
    ax.bar(i, abs(score), bottom=min(0.0, score), color="black")
    ax.annotate(
        f"S = {score:+.3f}",
        (i, min(0.0, score)),
        ha="center",
        va="top",
        fontsize=8,
        xytext=(0, -2),
        textcoords="offset points",
    )
    ax.axhline(0.0, color="black", linewidth=1.0)
    ax.annotate(
        "home signs at S ≥ 0",
        (1.0, 0.0),
        xycoords=("axes fraction", "data"),
        ha="right",
        va="bottom",
        fontsize=8,
    )
    ax.axhline(data["expected"], color=PALETTE[1], linestyle="--", linewidth=1.0)
    ax.annotate(
        f"expected Ŝ = {data['expected']:+.3f} (defers if Ŝ ≥ 0 > S)",
        (0.0, data["expected"]),
        xycoords=("axes fraction", "data"),
        ha="left",
        va="bottom",
        fontsize=8,
        color="#7A5200",
    )
    ax.margins(y=0.15)
    ax.set_xticks(range(len(names)), names, rotation=20, ha="right")
    bloc = f" ({data['bloc']})" if data["bloc"] else ""
    verdict = entry(data["decision"]).label.lower()
    finish(
        ax,
        f"Why {delegation}{bloc} chose to {verdict}: its signing score",
        "",
        "score (value units)",
    )
    return figure
