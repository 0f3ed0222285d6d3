"""Commands that analyse: analyze a finished sweep; score a scenario against a record.

``analyze`` gives sensitivity indices, importance and scenario discovery on a sweep's runs;
``score`` measures a scenario's per-delegation forecast against what each delegation did.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.app import SetOption, app, user_errors
from sim import InputError
from sim.scenario.loader import load_with_inputs


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


@app.command()
def score(
    scenario: Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario file or folder.")],
    against: Annotated[
        Path,
        typer.Option(
            help="A record of decisions: a CSV with header id,decision (sign/refuse/defer)."
        ),
    ],
    seeds: Annotated[
        int, typer.Option(min=1, max=100_000, help="Seeds 0..N−1 to forecast from.")
    ] = 100,
    overrides: SetOption = None,
    baseline: Annotated[
        str | None, typer.Option(help="Also score a baseline: 'bloc' (what most of its bloc did).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write forecast.csv, score.json and reliability.png here."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score a scenario's per-delegation forecast against a record of what each delegation did."""
    from sim.analysis.scoring import bloc_baseline, forecast, read_record
    from sim.analysis.scoring import render as render_score
    from sim.analysis.scoring import score as score_forecast

    with user_errors():
        if baseline not in (None, "bloc"):
            raise InputError.single("--baseline", baseline, "the only baseline is 'bloc'")
        if out is not None:
            from sim.folders import claim

            claim(out, "score", SCORE_FILES)  # before the seeds are run
        spec, _ = load_with_inputs(scenario, overrides or [])
        record = read_record(against, list(spec.arrays.delegation_ids))
        shares = forecast(spec, seeds)
        floor = 1 / (2 * seeds)
        result = {"seeds": seeds, **score_forecast(shares, record, floor)}
        base = None
        if baseline == "bloc":
            blocs = dict(zip(shares.index, shares["bloc"], strict=True))
            base = score_forecast(bloc_baseline(record, blocs), record, floor)
        if out is not None:
            write_score(out, shares, {**result, "baseline": base})
    if as_json:
        typer.echo(json.dumps({**result, "baseline": base}, indent=2))
    else:
        typer.echo(render_score(result, base), nl=False)


#: The files ``score --out`` writes.
SCORE_FILES = ("forecast.csv", "score.json", "reliability.png")


def write_score(out: Path, shares, result: dict) -> None:
    """Keep a score, all or nothing: forecast per delegation, scores, reliability diagram."""
    from sim.figures.aggregate import reliability_figure
    from sim.figures.style import save
    from sim.folders import claim, staged

    claim(out, "score", SCORE_FILES)
    try:
        with staged(out) as staging:
            (staging / "forecast.csv").write_text(shares.to_csv())
            (staging / "score.json").write_text(json.dumps(result, indent=2) + "\n")
            save(reliability_figure(result["reliability"]), staging / "reliability.png")
    except OSError as err:
        raise InputError.single(str(out), "--out", f"cannot write: {err.strerror or err}") from None
