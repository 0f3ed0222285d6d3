"""The house style: one palette, readable in colour-blind vision and in greyscale.

Colours are the Okabe–Ito palette (Okabe & Ito 2008), safe for the common colour-vision
deficiencies; every series also differs by marker, line style or hatch, so a figure printed in
grey still separates its series. Figures are built on ``matplotlib.figure.Figure`` directly (no
pyplot state), so functions are pure and safe in worker processes.

References:
    Okabe, M., & Ito, K. (2008). Color Universal Design (CUD): how to make figures and
    presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Okabe–Ito, in an order whose neighbours also differ in lightness.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)), "-")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")

#: Decisions always in the same colour and hatch.
DECISION_STYLE = {
    "sign": {"color": "#009E73", "hatch": ""},
    "defer": {"color": "#E69F00", "hatch": ".."},
    "refuse": {"color": "#D55E00", "hatch": "//"},
}
NEUTRAL = "#6E6E6E"
FORMATS = (".png", ".svg", ".pdf")
#: What a saved figure names as its software, so a later ``plot --out`` knows it may replace it.
MARK = "treatysim"

RC = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "svg.hashsalt": "treatysim",  # reproducible SVG ids
}


def styled(function):
    """Draw inside the house style's rc context."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(RC):
            return function(*args, **kwargs)

    return wrapper


def series_style(i: int) -> dict:
    """Colour, marker and line style of the ``i``-th series."""
    return {
        "color": PALETTE[i % len(PALETTE)],
        "marker": MARKERS[i % len(MARKERS)],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
    }


def axes(ax: Axes | None, size: tuple[float, float] = (6.4, 4.0)) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: the given axes, or a new figure with one."""
    if ax is not None:
        return ax.figure, ax
    figure = Figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()


def finish(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    """Title and axis labels (with units), in the house style."""
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)


def save(figure: Figure, path: str | Path, dpi: int = 150) -> Path:
    """Write a figure as PNG, SVG or PDF (chosen by the file's suffix).

    Raises:
        ValueError: for another suffix.
    """
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"unknown figure format {path.suffix!r} (use {', '.join(FORMATS)})")
    metadata = {
        ".png": {"Software": MARK},
        ".svg": {"Date": None, "Creator": MARK},
        ".pdf": {"CreationDate": None, "Creator": MARK},
    }[path.suffix.lower()]
    figure.savefig(path, dpi=dpi, metadata=metadata)
    return path


def marked(data: bytes) -> bool:
    """Whether a figure file's start and end hold the mark :func:`save` leaves.

    The mark is the PNG's ``Software`` text chunk (written before the image data), the SVG's
    ``dc:creator`` (in its leading metadata) or the PDF's ``/Creator`` (in the info dictionary
    near the file's end); ``plot --out`` replaces only a file that has it.
    """
    return any(sign in data for sign in _SIGNS)


_SIGNS = (
    b"tEXtSoftware\x00" + MARK.encode(),
    b"<dc:title>" + MARK.encode() + b"</dc:title>",
    b"/Creator (" + MARK.encode() + b")",
)
