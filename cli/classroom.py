"""The classroom command: teams play seats at the terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.app import SetOption, app, user_errors, write_output
from sim import InputError
from sim.folders import check_parents, claim_file
from sim.provenance import file_digest, manifest
from sim.scenario.loader import load_with_inputs, scenario_file


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
    serve: Annotated[
        bool,
        typer.Option(
            "--serve", help="Serve the classroom to browsers: facilitator, projector, team pages."
        ),
    ] = False,
    host: Annotated[
        str, typer.Option(help="Address to listen on (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
) -> None:
    """Play a conference with teams in some seats, in the terminal; the model plays the rest."""
    from sim.classroom.session import Session
    from sim.classroom.terminal import Dialogue, play

    items = list(overrides or []) + ([f"process.rounds={rounds}"] if rounds else [])
    with user_errors():
        spec, inputs = load_with_inputs(scenario, items)
        if out is not None:
            check_parents(out)
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
        if serve:
            keep = None
            if out is not None:

                def keep(room) -> None:
                    save_session(
                        out,
                        room.session,
                        room.outcome,
                        spec,
                        scenario,
                        inputs,
                        items,
                        seed,
                        human,
                        None,
                    )

            serve_room(session, host, port, keep)
            return
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
            save_session(
                out, session, outcome, spec, scenario, inputs, items, seed, human, dialogue.read
            )
            typer.echo(f"session kept in {out}", err=True)


def save_session(out, session, outcome, spec, scenario, inputs, items, seed, human, lines) -> None:
    """Keep a session's record (and, once finished, its run files) in ``out``.

    ``lines`` are the answers read at the terminal (None for a served session).
    """
    from sim.results.files import write_run, write_text_atomically

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
        write_text_atomically(out / "session.json", json.dumps(session.record, indent=2) + "\n")
        if lines is not None:
            write_text_atomically(out / "answers.txt", "\n".join(lines) + "\n")
    except OSError as err:
        raise InputError.single(
            str(out), "--out", f"cannot write the session: {err.strerror or err}"
        ) from None


@app.command()
def debrief(
    folder: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="The --out folder of a finished classroom session."),
    ],
    out: Annotated[
        Path | None, typer.Option(help="Also write the debrief as one HTML page here.")
    ] = None,
    seeds: Annotated[
        int, typer.Option(min=2, max=1000, help="Seeds for the open-process comparison.")
    ] = 20,
) -> None:
    """What the class did against the computer in the same seats, and under an open process."""
    from sim.classroom.debrief import debrief as make_debrief
    from sim.classroom.debrief import render_html, render_text
    from sim.report.build import marked

    with user_errors():
        if out is not None and out.suffix.lower() not in (".html", ".htm"):
            raise InputError.single(str(out), "--out", "give an .html file")
        if out is not None:
            claim_file(out, marked)  # before the seeds are run
        result = make_debrief(folder, seeds)
        typer.echo(render_text(result), nl=False)
        if out is not None:
            write_output(out, render_html(result, folder))
            typer.echo(f"wrote {out}", err=True)


@app.command()
def handouts(
    scenario: Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario file or folder.")],
    out: Annotated[Path, typer.Option(help="Folder for the briefs and the facilitator sheet.")],
    overrides: SetOption = None,
) -> None:
    """Write a printable brief for every delegation and a facilitator sheet."""
    from sim.classroom.handouts import write_handouts

    with user_errors():
        spec, _ = load_with_inputs(scenario, overrides or [])
        try:
            written = write_handouts(spec, out, str(scenario), overrides or [])
        except OSError as err:
            raise InputError.single(
                str(out), "--out", f"cannot write: {err.strerror or err}"
            ) from None
    pages = sum(path.suffix == ".html" for path in written)
    typer.echo(f"wrote {pages} pages to {out} (open facilitator.html)", err=True)


def serve_room(session, host: str, port: int, keep=None) -> None:
    """Serve a session to the browsers of the room until Ctrl-C; ``keep`` saves it."""
    import uvicorn

    from sim.classroom.room import Room
    from sim.classroom.web import create_app

    room = Room(session, on_change=keep)
    base = f"http://{host}:{port}"
    where = (
        "this machine only (give --host 0.0.0.0 to open it to the classroom network)"
        if host in ("127.0.0.1", "localhost", "::1")
        else f"the network, on {host}"
    )
    typer.echo(f"Serving the classroom on {where}.")
    typer.echo(f"  facilitator (keep private): {base}/facilitator/{room.facilitator}")
    typer.echo(f"  projector:                  {base}/projector")
    for token, seat in room.teams.items():
        typer.echo(f"  team {seat:<10}              {base}/team/{token}")
    typer.echo("Ctrl-C stops the server.")
    uvicorn.run(create_app(room), host=host, port=port, log_level="warning")
