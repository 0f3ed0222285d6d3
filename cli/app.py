"""The treatysim application: the Typer app, shared options, and how input problems are reported."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from sim import InputError
from sim.errors import Problem

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
    except KeyboardInterrupt:
        raise interrupted() from None


def json_text(value) -> str:
    """JSON for standard output; a non-finite number is a bug, never ``Infinity`` in the output."""
    import json

    return json.dumps(value, indent=2, allow_nan=False)


def write_output(path: Path, text: str) -> None:
    """Write a file completely or not at all; a failure is a user-facing problem."""
    from sim.results.files import write_text_atomically

    try:
        folder = path.name in ("", ".", "..") or path.is_dir()
    except (OSError, ValueError):
        folder = False  # writing says why
    if folder:
        raise InputError.single(str(path), "--out", "is a folder; give a file name")
    from sim.folders import check_parents

    check_parents(path)
    try:
        write_text_atomically(path, text)
    except (OSError, ValueError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise InputError.single(str(path), "--out", f"cannot write: {reason}") from None


#: Whether a command has already said how it was interrupted (see :func:`interrupted`).
_told = False


def interrupted(message: str = "interrupted") -> typer.Exit:
    """Say how a command was interrupted; the exit (code 130) for the caller to raise."""
    global _told
    typer.echo(message, err=True)
    _told = True
    return typer.Exit(130)


def _terminated(number, frame) -> None:
    raise KeyboardInterrupt  # a polite stop (kill, a scheduler's timeout) ends as Ctrl-C does


def main() -> None:
    """Console-script entry point: Ctrl-C or SIGTERM anywhere ends with one line and code 130.

    A sweep stopped either way keeps what it stored and says how to resume.
    """
    import signal

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _terminated)
    try:
        app()
    except SystemExit as end:
        if end.code == 130 and not _told:  # Typer turned a Ctrl-C into a silent exit 130
            sys.stderr.write("interrupted\n")
        raise
    except KeyboardInterrupt:  # after Typer has returned, e.g. while Python shuts down
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
