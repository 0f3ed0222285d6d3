"""treatysim command line: parse, call ``sim``, write files. No model logic lives here."""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, get_args

import typer

from sim import InputError, load_scenario, run_conference
from sim.analysis.attribution import render as render_attribution
from sim.analysis.attribution import run_attribution
from sim.compare import Design, design, designs_file, run_comparison, write_comparison
from sim.compare import render as render_comparison
from sim.errors import Problem
from sim.importers import parse_scale, read_table, to_scenario
from sim.loader import load_with_inputs, scenario_file, scenario_json_schema, validate
from sim.power_report import render as render_power
from sim.power_report import report as power_report
from sim.provenance import file_digest, manifest
from sim.results import write_run, write_text_atomically
from sim.runner import Interrupted
from sim.scenario import DecisionRule
from sim.store import results_table
from sim.summary import render
from sim.sweep import run_sweep
from sim.synth import synthetic_scenario, to_toml


class ExportFormat(StrEnum):
    """Formats ``treatysim export`` writes."""

    csv = "csv"
    parquet = "parquet"


class Table(StrEnum):
    """Tables of a results store."""

    runs = "runs"
    decisions = "decisions"


Rule = StrEnum(
    "Rule", {name: name for name in get_args(DecisionRule)}
)  # as the scenario names them


class GroupBy(StrEnum):
    """How ``treatysim power`` groups its table."""

    delegation = "delegation"
    bloc = "bloc"


class Layout(StrEnum):
    """Layouts ``treatysim import`` reads."""

    long = "long"
    decide = "decide"


app = typer.Typer(
    name="treatysim",
    help="Simulate multistakeholder treaty conferences: how procedural openness changes what is agreed and who defects.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="PATH=VALUE",
        help="Override a scenario key, e.g. --set process.decision_rule=majority or "
        "--set delegations.USA.capability=30 (value parsed as TOML). Repeatable.",
    ),
]


def fail(problems: list[Problem]) -> None:
    """Print one line per problem to stderr and exit with code 2."""
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    raise typer.Exit(2)


@contextmanager
def user_errors():
    """Turn input problems into messages and exit code 2."""
    try:
        yield
    except InputError as err:
        fail(err.problems)


@app.command()
def run(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario TOML file, or a folder holding scenario.toml.")
    ],
    seed: Annotated[int, typer.Option(min=0, help="Seed of the run's random generator.")] = 1,
    overrides: SetOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write provisions.csv, delegations.csv, events.csv, rounds.csv, trajectory.csv, metrics.json, manifest.json here."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of the summary.")
    ] = False,
) -> None:
    """Run one conference and report what was agreed, who signed, who refused and why."""
    overrides = overrides or []
    with user_errors():
        spec, inputs = load_with_inputs(scenario, overrides)
        if out is not None and out.exists() and not out.is_dir():
            raise InputError.single(str(out), "--out", "exists and is not a folder")
        outcome = run_conference(spec, seed)
        if out is not None:
            record = manifest(
                kind="run",
                scenario_file=str(scenario_file(scenario)),
                inputs=[{"path": str(f), "sha256": file_digest(f)} for f in inputs],
                overrides=overrides,
                seed=seed,
                scenario=spec.model_dump(mode="json"),
            )
            try:
                written = write_run(out, outcome, record)
            except OSError as err:
                raise InputError.single(
                    str(out), "--out", f"cannot write results: {err.strerror or err}"
                ) from None
            typer.echo(f"wrote {len(written)} files to {out}", err=True)
    if as_json:
        typer.echo(json.dumps(outcome.to_dict(), indent=2))
    else:
        typer.echo(render(outcome), nl=False)


@app.command("validate")
def validate_command(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="Scenario files or folders.")
    ],
    overrides: SetOption = None,
) -> None:
    """Check scenario files; print every problem with its file and field."""
    problems: list[Problem] = []
    for path in files:
        try:
            spec = load_scenario(path, overrides or [])
        except InputError as err:
            problems += err.problems
            continue
        n, m, k = spec.arrays.shape
        typer.echo(f"ok: {scenario_file(path)} ({n} delegations, {m} stakeholders, {k} provisions)")
    if problems:
        fail(problems)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    typer.echo(json.dumps(scenario_json_schema(), indent=2))


@app.command()
def synth(
    delegations: Annotated[int, typer.Option(min=1, help="Number of delegations.")] = 30,
    provisions: Annotated[int, typer.Option(min=1, help="Number of provisions.")] = 5,
    stakeholders: Annotated[int, typer.Option(min=0, help="Number of stakeholders.")] = 10,
    blocs: Annotated[int, typer.Option(min=1, help="Number of blocs.")] = 4,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the generator.")] = 1,
    rounds: Annotated[int, typer.Option(min=1, help="Rounds of the conference.")] = 20,
    out: Annotated[
        Path | None, typer.Option(help="Write the scenario here (default: standard output).")
    ] = None,
) -> None:
    """Write a valid synthetic scenario of any size."""
    raw = synthetic_scenario(delegations, provisions, stakeholders, blocs, seed, rounds)
    with user_errors():
        validate(raw, "synthetic scenario")
        text = to_toml(raw)
        if out is None:
            typer.echo(text, nl=False)
            return
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as err:
            raise InputError.single(
                str(out), "--out", f"cannot write: {err.strerror or err}"
            ) from None
    typer.echo(f"wrote {out}", err=True)


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The data file to import.")],
    layout: Annotated[
        Layout,
        typer.Option(
            "--format",
            help="long: actor,issue,position,salience,capability CSV; decide: DECIDE #A/#P/#M/#D file.",
        ),
    ],
    scale: Annotated[
        str, typer.Option(help="Source scale of positions, LOW:HIGH, or auto (see docs/import.md).")
    ] = "auto",
    out: Annotated[
        Path | None, typer.Option(help="Write the scenario here (default: standard output).")
    ] = None,
) -> None:
    """Turn position-salience-capability data into a scenario."""
    with user_errors():
        table = read_table(file, layout.value, parse_scale(scale))
        raw = to_scenario(table)
        validate(raw, f"scenario imported from {file}")
        text = to_toml(raw)
        if out is None:
            typer.echo(text, nl=False)
            return
        write_output(out, text)
    typer.echo(f"wrote {out}", err=True)


@app.command()
def sweep(
    experiment: Annotated[Path, typer.Argument(metavar="EXPERIMENT", help="Experiment TOML file.")],
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (default: the CPU count).")
    ] = os.cpu_count() or 1,
    out: Annotated[
        Path | None, typer.Option(help="Results folder (default: results/<experiment name>).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Run on an existing Dask cluster, e.g. tcp://host:8786.")
    ] = None,
    dask_local: Annotated[
        bool, typer.Option("--dask-local", help="Start a Dask LocalCluster of --workers here.")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar (on a terminal).")] = True,
) -> None:
    """Run every factor combination × replicate of an experiment into a crash-safe results store."""
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
            )
        except Interrupted as stop:
            stored, runs, store = stop.args
            typer.echo(
                f"interrupted: {stored} of {runs} runs are stored in {store}; "
                "run the same command again to finish the rest",
                err=True,
            )
            raise typer.Exit(130) from None
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
        Table, typer.Option(help="runs, or decisions (if the sweep stored them).")
    ] = Table.runs,
    out: Annotated[
        Path | None,
        typer.Option(help="Output file (default: DIR/<table>.<format>; '-' for stdout with csv)."),
    ] = None,
) -> None:
    """Export a sweep's results as a tidy table."""
    with user_errors():
        frame = results_table(folder, table.value)
        if fmt is ExportFormat.parquet:
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise InputError.single(
                    "--format", "parquet", "needs pyarrow: pip install 'treatysim[parquet]'"
                ) from None
        target = out if out is not None else folder / f"{table.value}.{fmt.value}"
        if str(target) == "-":
            typer.echo(frame.to_csv(index=False), nl=False)
            return
        staging = target.with_name(f".{target.name}.partial")
        try:
            if fmt is ExportFormat.csv:
                frame.to_csv(staging, index=False)
            else:
                frame.to_parquet(staging, index=False)
            staging.replace(target)
            columns = target.with_name(f"{target.stem}.columns.csv")
            write_text_atomically(columns, column_docs(frame.columns).to_csv(index=False))
        except OSError as err:
            staging.unlink(missing_ok=True)
            raise InputError.single(
                str(target), "--out", f"cannot write: {err.strerror or err}"
            ) from None
    typer.echo(
        f"wrote {len(frame)} rows to {target} (columns explained in {columns.name})", err=True
    )


#: Meanings of a results table's bookkeeping columns.
BOOKKEEPING = {
    "run_index": "Run number within the sweep (0-based).",
    "replicate": "Replicate number within its design point (0-based).",
    "seed": "Seed of the run's random generator.",
    "delegation": "Delegation id, as in the scenario.",
    "decision": "The delegation's signing decision: sign, refuse, defer or none.",
}


def column_docs(columns):
    """A table documenting ``columns``: label, unit, meaning and better direction of each."""
    import pandas as pd

    from sim.catalogue import columns_table

    rows = columns_table(list(columns))
    for row in rows:
        if row["column"] in BOOKKEEPING:
            row["meaning"] = BOOKKEEPING[row["column"]]
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
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
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
    from sim.figures.style import FORMATS, save

    with user_errors():
        if out.suffix.lower() not in FORMATS:
            raise InputError.single(str(out), "--out", f"use a {', '.join(FORMATS)} file")
        if out.is_dir():
            raise InputError.single(str(out), "--out", "is a folder; give a file name")
        drawn = figure(load_source(source), kind, metric=metric, x=x, by=by, delegation=delegation)
        staging = out.with_name(f".{out.stem}.partial{out.suffix}")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            save(drawn, staging, dpi=dpi)
            staging.replace(out)
        except OSError as err:
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
    from sim.report.build import build, write_report

    def say(message: str) -> None:
        if not quiet:
            typer.echo(f"  {message}", err=True)

    with user_errors():
        if out.suffix.lower() not in (".html", ".htm"):
            raise InputError.single(str(out), "--out", "give an .html file")
        if out.is_dir():
            raise InputError.single(str(out), "--out", "is a folder; give a file name")
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


@app.command()
def classroom(
    scenario: Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario file or folder.")],
    human: Annotated[
        list[str],
        typer.Option("--human", metavar="ID", help="A delegation played by a team (repeatable)."),
    ],
    seed: Annotated[int, typer.Option(min=0, help="Seed of the run's random generator.")] = 1,
    rounds: Annotated[
        int | None, typer.Option(min=1, help="Negotiating rounds (default: the scenario's).")
    ] = None,
    overrides: SetOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Keep the session here: session.json, answers.txt and, once finished, the "
            "run's files (for plot and report)."
        ),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            help="Read the answers from this file (a saved answers.txt replays a session)."
        ),
    ] = None,
) -> None:
    """Play a conference with teams in some seats, in the terminal; the model plays the rest."""
    from sim.classroom.session import Session
    from sim.classroom.terminal import Dialogue, play

    items = list(overrides or []) + ([f"process.rounds={rounds}"] if rounds else [])
    with user_errors():
        spec, inputs = load_with_inputs(scenario, items)
        if out is not None and out.exists():
            if not out.is_dir():
                raise InputError.single(str(out), "--out", "exists and is not a folder")
            if any(out.iterdir()) and not (out / "session.json").exists():
                raise InputError.single(
                    str(out), "--out", "holds other files; choose an empty folder"
                )
        if answers is not None and not answers.is_file():
            raise InputError.single(str(answers), "--answers", "no such file")
        session = Session(spec, seed, human)
        source = (
            iter(answers.read_text(encoding="utf-8").splitlines())
            if answers is not None
            else iter(sys.stdin.readline, "")
        )

        def write(text: str) -> None:
            sys.stdout.write(text)
            sys.stdout.flush()

        dialogue = Dialogue(source, write, echo=answers is not None or not sys.stdin.isatty())
        outcome = play(session, dialogue)
        if out is not None:
            try:
                if outcome is not None:
                    record = manifest(
                        kind="classroom",
                        scenario_file=str(scenario_file(scenario)),
                        inputs=[{"path": str(f), "sha256": file_digest(f)} for f in inputs],
                        overrides=items,
                        seed=seed,
                        humans=human,
                        scenario=spec.model_dump(mode="json"),
                    )
                    write_run(out, outcome, record)
                out.mkdir(parents=True, exist_ok=True)
                write_text_atomically(
                    out / "session.json", json.dumps(session.record, indent=2) + "\n"
                )
                write_text_atomically(out / "answers.txt", "\n".join(dialogue.read) + "\n")
            except OSError as err:
                raise InputError.single(
                    str(out), "--out", f"cannot write the session: {err.strerror or err}"
                ) from None
            typer.echo(f"session kept in {out}", err=True)


@app.command()
def power(
    scenario: Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario file or folder.")],
    rule: Annotated[
        Rule | None, typer.Option(help="Decision rule (default: the scenario's).")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Share needed (qualified, weighted, double majority).")
    ] = None,
    quota: Annotated[float | None, typer.Option(help="Absolute votes needed (weighted).")] = None,
    by: Annotated[
        GroupBy, typer.Option(help="Report per delegation or summed per bloc.")
    ] = GroupBy.delegation,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Shapley–Shubik and Banzhaf power, veto players and blocking coalitions under a rule."""
    overrides = []
    if rule is not None:
        overrides.append(f"process.decision_rule={rule.value}")
    if threshold is not None:
        overrides.append(f"process.threshold={threshold}")
    if quota is not None:
        overrides.append(f"process.quota={quota}")
    with user_errors():
        spec = load_scenario(scenario, overrides)
        result = power_report(spec, spec.arrays.decision_rule, by_bloc=by is GroupBy.bloc)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        typer.echo(render_power(result), nl=False)


def write_output(path: Path, text: str) -> None:
    """Write a file completely or not at all; a failure is a user-facing problem."""
    try:
        write_text_atomically(path, text)
    except OSError as err:
        raise InputError.single(
            str(path), "--out", f"cannot write: {err.strerror or err}"
        ) from None


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())


if __name__ == "__main__":
    main()
