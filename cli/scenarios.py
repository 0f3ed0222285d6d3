"""Commands on scenarios: run, validate, schema, synth, import."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.app import SetOption, app, fail, json_text, user_errors, write_output
from sim import InputError
from sim.errors import Problem, escape
from sim.provenance import file_digest, manifest
from sim.scenario.loader import load_with_inputs, scenario_file, scenario_json_schema, validate


class Layout(StrEnum):
    """Layouts ``treatysim import`` reads."""

    long = "long"
    decide = "decide"


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
    from sim import run_conference
    from sim.results.files import write_run
    from sim.results.summary import render

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
        typer.echo(json_text(outcome.to_dict()))
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
    from sim import load_scenario

    problems: list[Problem] = []
    for path in files:
        try:
            spec = load_scenario(path, overrides or [])
        except InputError as err:
            problems += err.problems
            continue
        n, m, k = spec.arrays.shape
        shown = escape(str(scenario_file(path)))  # a path with a newline stays one line
        typer.echo(f"ok: {shown} ({n} delegations, {m} stakeholders, {k} provisions)")
    if problems:
        fail(list(dict.fromkeys(problems)))  # a --set problem once, not once per file


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
    from sim.scenario.synth import synthetic_scenario, to_toml

    with user_errors():
        out = _scenario_out(out, "synth")
        raw = synthetic_scenario(delegations, provisions, stakeholders, blocs, seed, rounds)
        validate(raw, "synthetic scenario")
        text = to_toml(raw)
        if out is None:
            typer.echo(text, nl=False)
            return
        write_output(out, text)
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
        Path | None,
        typer.Option(help="Write the scenario here (default, or '-': standard output)."),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(help="The scenario's name (default: 'Imported from FILE')."),
    ] = None,
) -> None:
    """Turn position-salience-capability data into a scenario."""
    from sim.scenario.importers import parse_scale, read_table, to_scenario
    from sim.scenario.synth import to_toml

    with user_errors():
        if out is not None and _same_file(out, file):
            raise InputError.single(str(out), "--out", "is the file being imported")
        out = _scenario_out(out, "import")
        table = read_table(file, layout.value, parse_scale(scale))
        raw = to_scenario(table, name)
        validate(raw, f"scenario imported from {file}")
        text = to_toml(raw)
        if out is None:
            typer.echo(text, nl=False)
            return
        write_output(out, text)
    typer.echo(f"wrote {out}", err=True)


def _scenario_out(out: Path | None, command: str) -> Path | None:
    """Where ``command`` writes its scenario: None for standard output (no ``--out``, or ``-``).

    An existing file is replaced only when it is a scenario the same command wrote (its
    description says so); a folder is refused when writing.

    Raises:
        InputError: for any other existing file.
    """
    if out is None or str(out) == "-":
        return None
    try:
        if not out.exists() or out.is_dir():
            return out
        mine = False
        if out.is_file():
            with out.open("rb") as handle:
                mine = f"by `treatysim {command}`" in handle.read(4096).decode("utf-8", "replace")
    except (OSError, ValueError):
        return out  # writing says why
    if not mine:
        raise InputError.single(
            str(out),
            "--out",
            f"exists and is not a scenario `treatysim {command}` wrote, which is all {command} "
            "replaces; remove it or choose another name",
        )
    return out


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and a.samefile(b)
    except (OSError, ValueError):
        return False
