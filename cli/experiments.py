"""Commands on many runs: sweep, export, compare."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.app import app, interrupted, user_errors
from sim import InputError
from sim.provenance import manifest
from sim.scenario.loader import scenario_file


class ExportFormat(StrEnum):
    """Formats ``treatysim export`` writes."""

    csv = "csv"
    parquet = "parquet"


class Table(StrEnum):
    """Tables of a results store."""

    runs = "runs"
    decisions = "decisions"
    points = "points"
    sessions = "sessions"


@app.command()
def sweep(
    experiment: Annotated[Path, typer.Argument(metavar="EXPERIMENT", help="Experiment TOML file.")],
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            show_default=False,
            help=(
                "Worker processes; 1 runs in this process. Default: one per core, or this"
                " process alone when the runs left are too little work for a pool to pay off"
                " (under about 0.3 s on one core where workers fork, as on Linux; 2 s where"
                " they start afresh, as on macOS and Windows)."
            ),
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Results folder (default: results/<experiment file name without .toml>)."
        ),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Run on an existing Dask cluster, e.g. tcp://host:8786.")
    ] = None,
    dask_local: Annotated[
        bool,
        typer.Option(
            "--dask-local",
            help="Start a Dask LocalCluster of --workers (default: one per core) here.",
        ),
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar (on a terminal).")] = True,
    allow_code_change: Annotated[
        bool,
        typer.Option(
            "--allow-code-change",
            help="Resume a store whose runs were made by another version of treatysim (its "
            "model source differs); each run keeps the session, and so the code, that made it.",
        ),
    ] = False,
) -> None:
    """Run every factor combination × replicate of an experiment into a crash-safe results store."""
    from sim.experiments.runner import Interrupted
    from sim.experiments.sweep import run_sweep

    with user_errors():
        try:
            report = run_sweep(
                experiment,
                out,
                workers,
                scheduler,
                dask_local,
                progress=None if progress else False,
                announce=lambda message: typer.echo(message, err=True),
                allow_code_change=allow_code_change,
            )
        except Interrupted as stop:
            stored, runs, store = stop.args
            if not stored and not store.exists():
                raise interrupted(
                    "interrupted before any run was stored; nothing was kept"
                ) from None
            raise interrupted(
                f"interrupted: {stored} of {runs} runs are stored in {store}; "
                "run the same command again to finish the rest"
            ) from None
    if report.completed == 0:
        typer.echo(f"all {report.runs} runs are already in {report.store}", err=True)
        return
    rate = report.completed / report.seconds if report.seconds else float("nan")
    typer.echo(
        f"stored {report.completed} runs in {report.seconds:.1f} s ({rate:.0f} runs/s); "
        f"{report.stored_before + report.completed} of {report.runs} in {report.store}",
        err=True,
    )


@app.command()
def export(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A sweep's results folder.")],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="csv or parquet (needs pyarrow).")
    ] = ExportFormat.csv,
    table: Annotated[
        Table,
        typer.Option(
            help="runs, decisions (if the sweep stored them), points (a sampled design's unit "
            "coordinates) or sessions (each sweep session and the model code it ran)."
        ),
    ] = Table.runs,
    out: Annotated[
        Path | None,
        typer.Option(help="Output file (default: DIR/<table>.<format>; '-' for stdout with csv)."),
    ] = None,
) -> None:
    """Export a sweep's results as a tidy table."""
    from sim.experiments.export import check_target, describe_state, read_store, write_table

    with user_errors():
        if fmt is ExportFormat.parquet:
            if out is not None and str(out) == "-":
                raise InputError.single(
                    "--out", "-", "parquet is binary and is not printed; give a file name"
                )
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise InputError.single(
                    "--format", "parquet", "needs pyarrow: pip install 'treatysim[parquet]'"
                ) from None
        target = out if out is not None else folder / f"{table.value}.{fmt.value}"
        to_stdout = str(target) == "-"
        if not to_stdout:
            other = {".csv": "csv", ".parquet": "parquet"}.get(target.suffix.lower(), fmt.value)
            if other != fmt.value:
                raise InputError.single(
                    str(target),
                    "--out",
                    f"a .{other} name for {fmt.value} output; give --format {other} or a "
                    f".{fmt.value} name",
                )
            check_target(target, folder)
        frame, state = read_store(folder, table.value, with_session=None)
        if to_stdout:
            typer.echo(frame.to_csv(index=False), nl=False)
        else:
            columns = write_table(frame, target, fmt.value, column_docs(frame.columns, table.value))
            typer.echo(
                f"wrote {len(frame)} rows to {target} (columns explained in {columns.name})",
                err=True,
            )
    for line in describe_state(state, folder):
        typer.echo(line, err=True)


#: Meanings of a results table's bookkeeping columns.
BOOKKEEPING = {
    "run_index": "Run number within the sweep (0-based).",
    "replicate": "Replicate number within its design point (0-based).",
    "seed": "Seed of the run's random generator.",
    "delegation": "Delegation id, as in the scenario.",
    "decision": "The delegation's signing decision: sign, refuse, defer or none.",
    "point": "Design point number (0-based); run i is point i // replicates.",
    "session": "The sweep session that stored the run (see the sessions table for its code).",
    "started": "When the session started (UTC).",
    "treatysim": "Version of treatysim that ran the session.",
    "source": "SHA-256 of the model's source (the sim package) that ran the session.",
    "commit": "Git commit of the treatysim source, when known.",
    "dirty": "Whether that source had uncommitted changes (1) or not (0), when known.",
    "runs_before": "Runs stored when the session started.",
    "runs_after": "Runs stored when it ended (empty if it was killed).",
}


def column_docs(columns, table: str = "runs"):
    """A table documenting ``columns``: label, unit, meaning and better direction of each."""
    import pandas as pd

    from sim.catalogue import columns_table

    rows = columns_table(list(columns))
    for row in rows:
        if row["column"] in BOOKKEEPING:
            row["meaning"] = BOOKKEEPING[row["column"]]
        elif table == "points":
            row["meaning"] = (
                "The sampler's unit coordinate of this factor (its quantile in [0, 1]), from "
                "which the scenario value in the runs table was drawn."
            )
            row["unit"] = "quantile"
        elif not row["meaning"]:
            row["meaning"] = "A factor of the experiment: the scenario key it sets."
    return pd.DataFrame(rows)


@app.command()
def compare(
    scenario: Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario file or folder.")],
    a: Annotated[
        list[str] | None,
        typer.Option(
            "--a", metavar="K=V|FILE", help="Design A: overrides or a design TOML (repeatable)."
        ),
    ] = None,
    b: Annotated[
        list[str] | None,
        typer.Option(
            "--b", metavar="K=V|FILE", help="Design B: overrides or a design TOML (repeatable)."
        ),
    ] = None,
    a_name: Annotated[str, typer.Option("--a-name", help="Name of design A.")] = "A",
    b_name: Annotated[str, typer.Option("--b-name", help="Name of design B.")] = "B",
    designs: Annotated[
        Path | None,
        typer.Option(
            "--designs",
            metavar="FILE",
            help="Named designs in a TOML file ([designs.NAME] tables; baseline = NAME), "
            "each compared with the baseline. Instead of --a/--b.",
        ),
    ] = None,
    replicates: Annotated[
        int | None,
        typer.Option(min=2, help="Paired replicates (default 100; 20 with --attribute)."),
    ] = None,
    seed: Annotated[
        int, typer.Option(min=0, help="Seed of the replicates' seeds and of the bootstrap.")
    ] = 1,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    attribute: Annotated[
        bool,
        typer.Option(
            "--attribute",
            help="Also attribute B − A to the mechanisms: Shapley values over their switches.",
        ),
    ] = False,
    mechanisms: Annotated[
        list[str] | None,
        typer.Option(
            "--mechanisms",
            metavar="NAME[,NAME...]",
            help="Mechanisms to attribute over (default all; 2^m × 2 × replicates runs).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write comparison.json, metrics.csv, provisions.csv, changes.csv and "
            "manifest.json here (for `treatysim plot` and `treatysim report`)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Compare process designs on the same scenario with common random numbers."""
    from sim.analysis.attribution import render as render_attribution
    from sim.analysis.attribution import run_attribution
    from sim.experiments.compare import Design, design, designs_file, run_comparison
    from sim.experiments.compare import render as render_comparison
    from sim.experiments.comparison_files import write_comparison
    from sim.experiments.runner import Interrupted

    if replicates is None:
        replicates = 20 if attribute else 100
    with user_errors():
        if mechanisms and not attribute:
            raise InputError.single("--mechanisms", ",".join(mechanisms), "needs --attribute")
        if designs is not None:
            if a or b or a_name != "A" or b_name != "B":
                raise InputError.single(
                    "--designs", str(designs), "give designs either in a file or with --a/--b"
                )
            chosen = designs_file(designs)
        else:
            if a_name == b_name:
                raise InputError.single("--b-name", b_name, "the two designs need different names")
            chosen = [
                Design(a_name, tuple(design(a or [], "--a"))),
                Design(b_name, tuple(design(b or [], "--b"))),
            ]
        if attribute and len(chosen) != 2:
            raise InputError.single("--attribute", "", "attribution compares exactly two designs")
        if out is not None:
            from sim.experiments.comparison_files import COMPARISON_FILES
            from sim.folders import claim

            claim(out, "comparison", COMPARISON_FILES)  # before the replicates are run
        try:
            result, name = run_comparison(scenario, chosen, replicates, seed, workers)
            attribution = (
                run_attribution(
                    scenario,
                    list(chosen[0].overrides),
                    list(chosen[1].overrides),
                    mechanisms,
                    replicates,
                    seed,
                    workers,
                )
                if attribute
                else None
            )
        except Interrupted:
            raise interrupted() from None
        payload = {"scenario": name, **result}
        if len(chosen) == 2:
            payload["a"] = [[p, v] for p, v in chosen[0].overrides]
            payload["b"] = [[p, v] for p, v in chosen[1].overrides]
        if attribution is not None:
            payload["attribution"] = attribution
        if out is not None:
            record = manifest(
                kind="comparison",
                scenario_file=str(scenario_file(scenario)),
                designs=result["designs"],
                baseline=result["baseline"],
                replicates=replicates,
                seed=seed,
            )
            try:
                write_comparison(out, payload, record)
            except OSError as err:
                raise InputError.single(
                    str(out), "--out", f"cannot write results: {err.strerror or err}"
                ) from None
            typer.echo(f"wrote the comparison to {out}", err=True)
    if as_json:
        typer.echo(json.dumps(payload, indent=2))
    else:
        typer.echo(render_comparison(result, name), nl=False)
        if attribution is not None:
            typer.echo("")
            typer.echo(render_attribution(attribution), nl=False)
