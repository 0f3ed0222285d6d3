"""The power command: voting power under a decision rule."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, get_args

import typer

from cli.app import app, json_text, user_errors
from sim.scenario.schema import DecisionRule

Rule = StrEnum(
    "Rule", {name: name for name in get_args(DecisionRule)}
)  # as the scenario names them


class GroupBy(StrEnum):
    """How ``treatysim power`` groups its table."""

    delegation = "delegation"
    bloc = "bloc"


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
    from sim import load_scenario
    from sim.power.report import render as render_power
    from sim.power.report import report as power_report

    overrides = []  # problems in what they set name the option
    if rule is not None:
        overrides.append(("--rule", f"process.decision_rule={rule.value}"))
    if threshold is not None:
        overrides.append(("--threshold", f"process.threshold={threshold}"))
    if quota is not None:
        overrides.append(("--quota", f"process.quota={quota}"))
    with user_errors():
        spec = load_scenario(scenario, overrides)
        result = power_report(spec, spec.arrays.decision_rule, by_bloc=by is GroupBy.bloc)
    if as_json:
        typer.echo(json_text(result))
    else:
        typer.echo(render_power(result), nl=False)
