"""Scenario discovery: the region of factor values where a stated condition on the runs holds.

PRIM, the patient rule induction method (Friedman & Fisher 1999), as used for scenario
discovery by Bryant & Lempert (2010): starting from the whole design, it peels off thin slices of
one factor's range at a time, each time the slice whose removal most raises the share of runs of
interest inside the box, and records the trajectory of boxes — from large boxes holding most of
the runs of interest (coverage) to small ones holding almost nothing else (density). The
implementation is the EMA Workbench's (the optional extra ``treatysim[ema]``).
"""

from __future__ import annotations

import math
import operator
import re
import warnings

import numpy as np
import pandas as pd

from sim.analysis.sensitivity import Sweep, no_varied_factor, varied
from sim.errors import InputError

_OPS = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
_CLAUSE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=|==|!=|>|<)\s*(\S+)\s*$")


def condition(runs: pd.DataFrame, text: str, columns: list[str]) -> np.ndarray:
    """Which runs meet ``text``: clauses ``COLUMN OP VALUE`` joined by ``and``.

    ``OP`` is one of ``> >= < <= == !=``; ``VALUE`` a number, or a word for a text column.
    """
    clauses = re.split(r"\s+and\s+", text.strip())
    keep = np.ones(len(runs), dtype=bool)
    for clause in clauses:
        match = _CLAUSE.match(clause)
        if not match:
            raise InputError.single(
                "--where",
                clause,
                "expected COLUMN OP VALUE (OP one of > >= < <= == !=), clauses joined by 'and', "
                "e.g. 'refused > 40 and treaty_adopted == 1'",
            )
        name, op, value = match.groups()
        if name not in columns:
            raise InputError.single(
                "--where", name, f"not a column of the sweep (columns: {', '.join(columns)})"
            )
        column = runs[name]
        if pd.api.types.is_numeric_dtype(column):
            try:
                number = float(value)
            except ValueError:
                raise InputError.single("--where", clause, f"{value!r} is not a number") from None
            if not math.isfinite(number):
                raise InputError.single("--where", clause, "the value must be finite")
            keep &= _OPS[op](column.astype(float).to_numpy(), number)
        else:
            if op not in ("==", "!="):
                raise InputError.single("--where", clause, f"{name} is text: use == or !=")
            keep &= _OPS[op](column.astype(str).to_numpy(), value.strip("'\""))
    return keep


def _ema_prim():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the workbench warns about optional dependencies
            from ema_workbench.analysis import prim
    except ImportError:
        raise InputError.single(
            "--method",
            "prim",
            "PRIM uses the EMA Workbench: install the extra, pip install 'treatysim[ema]'",
        ) from None
    unsupported = workbench_problem()
    if unsupported:
        raise InputError.single("--method", "prim", unsupported)
    return prim


def workbench_problem() -> str | None:
    """Why the installed EMA Workbench cannot serve treatysim, or None when it can (2.x).

    EMA Workbench 3.0 changed the API treatysim uses (``Prim`` lost its threshold, boxes their
    ``qp``; ``Policy`` and ``Scenario`` became ``Sample``), so the extra asks for 2.x.
    """
    from importlib import metadata

    try:
        version = metadata.version("ema_workbench")
    except metadata.PackageNotFoundError:
        return None
    if int(version.split(".")[0]) >= 3:
        return (
            f"EMA Workbench {version} is installed, and treatysim works with 2.x (3.0 changed "
            "its API): pip install 'ema-workbench>=2.5,<3'"
        )
    return None


def prim_box(
    sweep: Sweep,
    where: str,
    threshold: float = 0.8,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> dict:
    """The PRIM box where the runs meeting ``where`` are densest.

    Returns:
        ``{"condition", "cases", "of_interest", "trajectory": DataFrame(step, coverage,
        density, mass, restricted), "chosen": step, "limits": DataFrame(factor, kind, low,
        high, levels, qp), "threshold", "met": bool}``. The chosen step is the one with the
        greatest coverage whose density reaches ``threshold`` (else the densest), step 0 (the
        whole space) only when nothing was peeled.
    """
    prim = _ema_prim()
    factors = varied(sweep)
    if not factors:
        raise InputError.single(sweep.folder, "--method", no_varied_factor(sweep))
    runs = sweep.runs
    y = condition(runs, where, list(runs.columns))
    if not y.any():
        raise InputError.single("--where", where, f"no run of {len(runs)} meets the condition")
    if y.all():
        raise InputError.single("--where", where, f"every run ({len(runs)}) meets the condition")
    x = pd.DataFrame(index=runs.index)
    for f in factors:
        column = runs[f]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            x[f] = column.astype(float)
        else:
            x[f] = column.astype(str).astype("category")
    with warnings.catch_warnings():
        # the workbench's own use of deprecated pandas calls is not the user's concern
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        # The workbench's threshold both marks the cases of interest (y ≥ threshold) and
        # discards a whole trajectory whose last box has a lower density. With y in {0, 1}, any
        # small positive threshold marks the same cases and keeps every trajectory; the box on
        # it is chosen by the user's density threshold below.
        finder = prim.Prim(
            x, y.astype(int), threshold=1e-6, peel_alpha=peel_alpha, mass_min=mass_min
        )
        box = finder.find_box()
    trajectory = box.peeling_trajectory
    table = pd.DataFrame(
        {
            "step": trajectory["id"].astype(int),
            "coverage": trajectory["coverage"].astype(float),
            "density": trajectory["density"].astype(float),
            "mass": trajectory["mass"].astype(float),
            "restricted": trajectory["res_dim"].astype(int),
        }
    )
    boxes = table.iloc[1:] if len(table) > 1 else table  # step 0 is the unrestricted space
    meeting = boxes.index[boxes["density"] >= threshold]
    chosen = int(meeting[0]) if len(meeting) else int(boxes["density"].idxmax())
    return {
        "condition": where,
        "cases": len(runs),
        "of_interest": int(y.sum()),
        "trajectory": table,
        "chosen": chosen,
        "limits": _limits(finder, box, chosen, factors),
        "threshold": threshold,
        "met": bool(len(meeting)),
        "base_density": float(y.mean()),
    }


def _limits(finder, box, step: int, factors: list[str]) -> pd.DataFrame:
    """The restricted dimensions of one box on the trajectory, with their quasi-p values."""
    lims = box.box_lims[step]
    initial = finder.box_init
    quasi_p = box.qp[step]
    rows = []
    for f in factors:
        low, high = lims[f].iloc[0], lims[f].iloc[1]
        low0, high0 = initial[f].iloc[0], initial[f].iloc[1]
        if isinstance(low, set):
            if low == low0:
                continue
            rows.append(
                {
                    "factor": f,
                    "kind": "levels",
                    "low": np.nan,
                    "high": np.nan,
                    "levels": ", ".join(sorted(low)),
                    "qp": _quasi_p(quasi_p.get(f)),
                }
            )
        elif (low, high) != (low0, high0):
            rows.append(
                {
                    "factor": f,
                    "kind": "range",
                    "low": float(low),
                    "high": float(high),
                    "levels": "",
                    "qp": _quasi_p(quasi_p.get(f)),
                }
            )
    return pd.DataFrame(rows, columns=["factor", "kind", "low", "high", "levels", "qp"])


def _quasi_p(values) -> float:
    """The larger (weaker) of a restriction's quasi-p values (−1 marks an unrestricted side)."""
    found = [float(v) for v in (values or []) if v is not None and v >= 0]
    return max(found) if found else float("nan")
