"""treatysim command line: parse, call ``sim``, write files. No model logic lives here.

Commands register on the one Typer app as their modules are imported, in the order ``--help``
lists them.
"""

# ruff: noqa: I001, F401  (import order is the commands' order in --help)
try:
    from cli import scenarios
    from cli import experiments
    from cli import analysis
    from cli import outputs
    from cli import classroom
    from cli import power
    from cli.app import app, main
except KeyboardInterrupt:  # Ctrl-C while the command line is still loading: nothing has started
    import sys

    sys.stderr.write("interrupted\n")
    raise SystemExit(130) from None

__all__ = ["app", "main"]
