"""Commands that draw and report: plot, report."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Annotated

import typer

from cli.app import app, user_errors
from sim import InputError
from sim.folders import claim_file


@app.command()
def plot(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="SOURCE",
            help="A folder written by `run --out`, `sweep --out` or `compare --out`.",
        ),
    ],
    kind: Annotated[
        str,
        typer.Option(
            help="run: trajectory, signatures, why, power · sweep: response, map · "
            "comparison: forest, texts, changes."
        ),
    ],
    out: Annotated[Path, typer.Option(help="Figure file: .png, .svg or .pdf.")],
    metric: Annotated[
        str | None, typer.Option(help="Sweep metric to show (default signed).")
    ] = None,
    x: Annotated[str | None, typer.Option("--x", help="Sweep factor on the x axis.")] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Sweep factor drawn as lines (response) or rows (map)."),
    ] = None,
    delegation: Annotated[
        str | None, typer.Option(help="Delegation for --kind why (default the first refusal).")
    ] = None,
    dpi: Annotated[int, typer.Option(min=50, max=600, help="Resolution of a PNG.")] = 150,
) -> None:
    """Draw one figure of a run, a sweep or a comparison."""
    from sim.figures.make import figure
    from sim.figures.sources import load_source
    from sim.figures.style import FORMATS, marked, save

    with user_errors():
        if out.suffix.lower() not in FORMATS:
            raise InputError.single(str(out), "--out", f"use a {', '.join(FORMATS)} file")
        claim_file(out, marked)  # before the figure is drawn
        drawn = figure(load_source(source), kind, metric=metric, x=x, by=by, delegation=delegation)
        staging = out.with_name(f".{out.stem}.partial{out.suffix}")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            save(drawn, staging, dpi=dpi)
            staging.replace(out)
        except OSError as err:
            with suppress(OSError):
                staging.unlink(missing_ok=True)
            raise InputError.single(
                str(out), "--out", f"cannot write: {err.strerror or err}"
            ) from None
    typer.echo(f"wrote {out}", err=True)


@app.command()
def report(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="SOURCE",
            help="A folder written by `run --out`, `sweep --out` or `compare --out`.",
        ),
    ],
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
    quiet: Annotated[bool, typer.Option("--quiet", help="Do not show progress.")] = False,
) -> None:
    """Write one self-contained HTML report (figures embedded, no network) of a folder."""
    from sim.figures.sources import load_source
    from sim.report.build import build, marked, write_report

    def say(message: str) -> None:
        if not quiet:
            typer.echo(f"  {message}", err=True)

    with user_errors():
        if out.suffix.lower() not in (".html", ".htm"):
            raise InputError.single(str(out), "--out", "give an .html file")
        claim_file(out, marked)  # before the report is built
        loaded = load_source(source)
        say(f"reading a {loaded.kind} folder: {source}")
        html = build(loaded, say)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            write_report(out, html)
        except OSError as err:
            raise InputError.single(
                str(out), "--out", f"cannot write: {err.strerror or err}"
            ) from None
    typer.echo(f"wrote {out} ({len(html) // 1024} KB)", err=True)
