"""Command on a finished sweep: analyze (sensitivity indices, importance, scenario discovery)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.app import app, user_errors


class Method(StrEnum):
    """Analyses ``treatysim analyze`` runs."""

    sobol = "sobol"
    morris = "morris"
    prim = "prim"
    importance = "importance"


@app.command()
def analyze(
    sweep: Annotated[Path, typer.Argument(metavar="SWEEP", help="A sweep's results folder.")],
    method: Annotated[
        Method,
        typer.Option(
            help="sobol or morris (needs a sweep of that design), importance or prim (any sweep)."
        ),
    ],
    metric: Annotated[
        list[str] | None,
        typer.Option(
            metavar="METRIC",
            help="Metric to analyse (repeatable; default: signed, refused, deferred, n_adopted).",
        ),
    ] = None,
    where: Annotated[
        str | None,
        typer.Option(
            metavar="CONDITION",
            help="PRIM: the runs to explain, e.g. 'refused > 40' "
            "(COLUMN OP VALUE, clauses joined by 'and').",
        ),
    ] = None,
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="PRIM: the density a box must reach.")
    ] = 0.8,
    seed: Annotated[
        int, typer.Option(min=0, help="Seed of the bootstrap intervals and of the forest.")
    ] = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write analysis.json, tidy CSV tables, PNG figures, report.html and "
            "manifest.json here."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Which factors of a sweep decide a metric: Sobol', Morris, importance, or PRIM boxes."""
    from sim.analysis.analyze import ours, render, run_analysis, write_analysis
    from sim.folders import claim
    from sim.provenance import manifest

    with user_errors():
        if out is not None:
            claim(out, "analysis", ours)  # before the analysis runs
        result = run_analysis(sweep, method.value, metric, where, threshold, seed)
        if out is not None:
            record = manifest(kind="analysis", sweep=str(sweep), method=method.value, seed=seed)
            write_analysis(out, result, record)
            typer.echo(f"wrote the analysis to {out}", err=True)
    if as_json:
        typer.echo(json.dumps(result, indent=2, allow_nan=False))
    else:
        typer.echo(render(result), nl=False)
