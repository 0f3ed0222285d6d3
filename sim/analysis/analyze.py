"""``treatysim analyze``: run one analysis of a sweep, print it, and keep it in a folder.

The result is a plain dict (JSON-ready); :func:`render` prints it as text tables, and
:func:`write_analysis` keeps it all or nothing: ``analysis.json``, tidy CSV tables, one PNG
figure per metric (or the PRIM trajectory), ``report.html`` and ``manifest.json``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from sim.analysis.sensitivity import importance, morris_indices, read_sweep, sobol_indices
from sim.catalogue import entry
from sim.errors import InputError

#: Metrics analysed when none is named (those the sweep stored).
DEFAULT_METRICS = ("signed", "refused", "deferred", "n_adopted")


def _records(frame: pd.DataFrame | None) -> list[dict] | None:
    if frame is None:
        return None
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _clean(value):
    """JSON-ready: non-finite floats become None, numpy scalars Python ones."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run_analysis(
    folder: str | Path,
    method: str,
    metrics: list[str] | None = None,
    where: str | None = None,
    threshold: float = 0.8,
    seed: int = 0,
) -> dict:
    """One analysis of a sweep folder.

    Raises:
        InputError: for a folder that is not a sweep, a method the design cannot support, an
            unknown metric, or a bad condition.
    """
    sweep = read_sweep(folder)
    if method == "prim":
        from sim.analysis.discovery import prim_box

        if not where:
            raise InputError.single(
                "--where", "", "PRIM needs the condition to explain, e.g. --where 'refused > 40'"
            )
        if metrics:
            raise InputError.single(
                "--metric", ",".join(metrics), "PRIM takes its condition from --where"
            )
        found = prim_box(sweep, where, threshold=threshold)
        result = {
            "prim": {
                **found,
                "trajectory": _records(found["trajectory"]),
                "limits": _records(found["limits"]),
            }
        }
    else:
        if where:
            raise InputError.single("--where", where, "only --method prim takes a condition")
        chosen = metrics or [m for m in DEFAULT_METRICS if m in sweep.metrics] or sweep.metrics
        result = {"metrics": {}}
        for metric in chosen:
            if method == "sobol":
                found = sobol_indices(sweep, metric, seed=seed)
            elif method == "morris":
                found = morris_indices(sweep, metric, seed=seed)
            elif method == "importance":
                found = importance(sweep, metric, seed=seed)
            else:
                raise InputError.single("--method", method, "use sobol, morris, prim or importance")
            result["metrics"][metric] = {
                key: (_records(value) if isinstance(value, pd.DataFrame) else value)
                for key, value in found.items()
            }
            if "second_order" in found and found["second_order"] is None:
                result["metrics"][metric]["second_order"] = None
    experiment = sweep.manifest.get("experiment", {})
    return _clean(
        {
            "method": method,
            "sweep": str(folder),
            "fingerprint": sweep.manifest.get("fingerprint"),
            "design": sweep.design,
            "samples": experiment.get("samples"),
            "runs": len(sweep.runs),
            "planned": sweep.planned,
            "replicates": sweep.replicates,
            "seed": seed,
            "factors": sweep.sampled or [f for f in sweep.factors if sweep.runs[f].nunique() > 1],
            **result,
        }
    )


def _fmt(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    for row in rows:
        cells = [
            row[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def render(result: dict) -> str:
    """The analysis as plain text."""
    method = result["method"]
    partial = (
        f" — unfinished: {result['runs']} of {result['planned']} runs"
        if result["runs"] != result["planned"]
        else ""
    )
    out = [
        f"{method} analysis of {result['sweep']} ({result['design']} design, "
        f"{result['runs']} runs{partial})",
        "",
    ]
    if method == "prim":
        return "\n".join(out + _render_prim(result["prim"])) + "\n"
    for metric, found in result["metrics"].items():
        e = entry(metric)
        out.append(f"{e.label} ({metric}){f', {e.unit}' if e.unit else ''}")
        rows = found["indices"]
        if method == "sobol":
            header = ["factor", "S1", "95% interval", "ST", "95% interval"]
            body = [
                [
                    r["factor"],
                    _fmt(r["S1"]),
                    f"[{_fmt(r['S1_low'])}, {_fmt(r['S1_high'])}]",
                    _fmt(r["ST"]),
                    f"[{_fmt(r['ST_low'])}, {_fmt(r['ST_high'])}]",
                ]
                for r in sorted(rows, key=lambda r: -r["ST"])
            ]
        elif method == "morris":
            header = ["factor", "mu*", "95% interval", "mu", "sigma"]
            body = [
                [
                    r["factor"],
                    _fmt(r["mu_star"]),
                    f"[{_fmt(r['mu_star_low'])}, {_fmt(r['mu_star_high'])}]",
                    _fmt(r["mu"]),
                    _fmt(r["sigma"]),
                ]
                for r in sorted(rows, key=lambda r: -r["mu_star"])
            ]
        else:
            header = ["factor", "importance", "spread"]
            body = [[r["factor"], _fmt(r["importance"]), _fmt(r["spread"])] for r in rows]
        out.append(_table(header, body))
        if method == "sobol" and found.get("variance"):
            out.append(
                f"variance over the design: {found['variance']:.4g} "
                f"(standard deviation {math.sqrt(found['variance']):.3g})"
            )
        if method == "importance" and found.get("r2_oob") is not None:
            out.append(f"out-of-bag R² of the forest: {_fmt(found['r2_oob'])}")
        if found.get("note"):
            out.append(f"note: {found['note']}")
        out.append("")
    out.append(LEGENDS[method])
    return "\n".join(out) + "\n"


LEGENDS = {
    "sobol": (
        "S1: share of the metric's variance over the design explained by the factor alone; "
        "ST: alone and in all its interactions (ST − S1 is the interaction share). Intervals by "
        "bootstrap; an interval reaching below 0 means indistinguishable from no effect."
    ),
    "morris": (
        "mu*: mean absolute elementary effect — the change of the metric per unit of a "
        "factor's range, i.e. scaled to moving it from its lowest to its highest value (in the "
        "metric's unit); mu: the signed mean; sigma: spread of the effects — large against mu* "
        "means non-linear or interacting."
    ),
    "importance": (
        "importance: extra-trees mean decrease in impurity (sums to 1 over the factors), a "
        "quick screen; spread: its standard deviation over the trees."
    ),
}


def _render_prim(found: dict) -> list[str]:
    out = [
        f"condition: {found['condition']} — {found['of_interest']} of {found['cases']} runs "
        f"({found['base_density']:.1%})",
        "",
        "peeling trajectory",
        _table(
            ["step", "coverage", "density", "mass", "restricted"],
            [
                [
                    str(r["step"]),
                    _fmt(r["coverage"]),
                    _fmt(r["density"]),
                    _fmt(r["mass"]),
                    str(r["restricted"]),
                ]
                for r in found["trajectory"]
            ],
        ),
        "",
    ]
    step = found["trajectory"][found["chosen"]]
    verdict = (
        f"the largest box reaching the density threshold {found['threshold']:g}"
        if found["met"]
        else f"no box reaches the density threshold {found['threshold']:g}; the densest"
    )
    out.append(
        f"box at step {step['step']} ({verdict}): coverage {step['coverage']:.3f}, "
        f"density {step['density']:.3f}, mass {step['mass']:.3f}"
    )
    if found["limits"]:
        out.append(
            _table(
                ["factor", "limits", "quasi-p"],
                [
                    [
                        r["factor"],
                        r["levels"]
                        if r["kind"] == "levels"
                        else f"{r['low']:.4g} … {r['high']:.4g}",
                        _fmt(r["qp"], 4),
                    ]
                    for r in found["limits"]
                ],
            )
        )
    else:
        out.append("(the box restricts no factor)")
    out += [
        "",
        "coverage: share of the runs of interest inside the box; density: share of the box's "
        "runs that are of interest; mass: share of all runs inside the box; quasi-p: a "
        "restriction's significance (small is better, Bryant & Lempert 2010).",
    ]
    return out


# --- the folder --------------------------------------------------------------------------


def tables(result: dict) -> dict[str, pd.DataFrame]:
    """The analysis as tidy CSV tables, by file name."""
    method = result["method"]
    if method == "prim":
        found = result["prim"]
        return {
            "prim_trajectory.csv": pd.DataFrame(found["trajectory"]),
            "prim_box.csv": pd.DataFrame(
                found["limits"], columns=["factor", "kind", "low", "high", "levels", "qp"]
            ),
        }
    out = {
        f"{method}.csv": pd.concat(
            [pd.DataFrame(f["indices"]).assign(metric=m) for m, f in result["metrics"].items()],
            ignore_index=True,
        )
    }
    pairs = [
        pd.DataFrame(f["second_order"]).assign(metric=m)
        for m, f in result["metrics"].items()
        if f.get("second_order")
    ]
    if pairs:
        out["sobol_second_order.csv"] = pd.concat(pairs, ignore_index=True)
    for name, frame in out.items():
        out[name] = frame[["metric", *[c for c in frame.columns if c != "metric"]]]
    return out


def figures(result: dict) -> dict[str, object]:
    """The analysis's figures, by file name."""
    from sim.figures import sensitivity as draw

    method = result["method"]
    if method == "prim":
        found = result["prim"]
        return {
            "prim.png": draw.prim_figure(
                pd.DataFrame(found["trajectory"]),
                found["chosen"],
                found["threshold"],
                found["condition"],
            )
        }
    out = {}
    for metric, found in result["metrics"].items():
        frame = pd.DataFrame(found["indices"])
        if method == "sobol":
            out[f"sobol_{metric}.png"] = draw.sobol_figure(frame, metric)
        elif method == "morris":
            out[f"morris_{metric}.png"] = draw.morris_figure(frame, metric)
        else:
            out[f"importance_{metric}.png"] = draw.importance_figure(
                frame, metric, found.get("r2_oob") or float("nan")
            )
    return out


def ours(name: str) -> bool:
    """Whether a file name is one ``treatysim analyze`` writes."""
    return name in ("analysis.json", "report.html", "manifest.json") or (
        name.endswith((".csv", ".png"))
        and name.split("_")[0].removesuffix(".csv") in ("sobol", "morris", "importance", "prim")
    )


def write_analysis(out: str | Path, result: dict, manifest: dict) -> list[str]:
    """Keep an analysis in ``out``, all or nothing.

    Raises:
        InputError: when ``out`` is a file or a folder holding files of something else
            (:func:`sim.folders.claim`).
    """
    from sim.figures.style import save
    from sim.folders import claim, staged
    from sim.report.analysis import analysis_report

    out = Path(out)
    claim(out, "analysis", ours)
    drawn = figures(result)
    with staged(out) as staging:
        (staging / "analysis.json").write_text(json.dumps(result, indent=2, allow_nan=False) + "\n")
        for name, frame in tables(result).items():
            frame.to_csv(staging / name, index=False)
        for name, figure in drawn.items():
            save(figure, staging / name)
        (staging / "report.html").write_text(analysis_report(result, drawn, manifest), "utf-8")
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        names = sorted(p.name for p in staging.iterdir())
        if out.is_dir():  # an earlier analysis: replaced whole once this one is complete
            for old in out.iterdir():
                if old.is_file() and ours(old.name):
                    old.unlink()
    return names
