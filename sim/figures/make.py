"""From a source folder and a kind to a figure: what ``treatysim plot`` and reports call."""

from __future__ import annotations

from matplotlib.figure import Figure

from sim.errors import InputError
from sim.figures import aggregate, prepare, run
from sim.figures.sources import ComparisonSource, RunSource, Source, SweepSource

#: Above this many delegations the power figure shows blocs.
POWER_ROWS = 25

#: Figure kinds by the source they are drawn from.
KINDS = {
    "run": ("trajectory", "signatures", "why", "power"),
    "sweep": ("response", "map"),
    "comparison": ("forest", "texts", "changes"),
}


def titles(source: RunSource) -> dict[str, str]:
    """Provision titles from a run's manifest (the validated scenario), by id."""
    scenario = source.manifest.get("scenario") or {}
    return {p["id"]: p.get("title") or p["id"] for p in scenario.get("provisions", [])}


def figure(
    source: Source,
    kind: str,
    *,
    metric: str | None = None,
    x: str | None = None,
    by: str | None = None,
    delegation: str | None = None,
) -> Figure:
    """Draw one figure of ``kind`` from ``source``.

    Raises:
        InputError: for a kind the source cannot give, or a missing or unknown option.
    """
    kinds = KINDS[source.kind]
    if kind not in kinds:
        other = next((k for k, v in KINDS.items() if kind in v), None)
        hint = f"; it needs a {other} folder" if other else ""
        raise InputError.single(
            str(source.folder), "--kind", f"a {source.kind} folder gives {', '.join(kinds)}{hint}"
        )
    if isinstance(source, RunSource):
        return _run_figure(source, kind, delegation)
    if isinstance(source, SweepSource):
        return _sweep_figure(source, kind, metric, x, by)
    assert isinstance(source, ComparisonSource)
    return _comparison_figure(source, kind)


def _run_figure(source: RunSource, kind: str, delegation: str | None) -> Figure:
    if kind == "trajectory":
        return run.trajectory_figure(
            prepare.trajectory(source.events, source.trajectory),
            prepare.provision_outcomes(source.provisions),
            titles=titles(source),
        )
    if kind == "signatures":
        return run.signatures_figure(prepare.signatures_by_bloc(source.delegations))
    if kind == "why":
        ids = list(source.delegations["delegation"])
        if delegation is None:
            dissent = source.delegations[source.delegations["decision"] != "sign"]
            if dissent.empty:
                raise InputError.single("--delegation", "", "give a delegation id (nobody refused)")
            delegation = str(dissent.iloc[0]["delegation"])
        if delegation not in ids:
            raise InputError.single("--delegation", delegation, "no such delegation in this run")
        data = prepare.signing_waterfall(source.delegations, delegation)
        return run.waterfall_figure(data, delegation)
    from sim.power.report import report
    from sim.scenario.schema import Scenario

    scenario = Scenario.model_validate(source.manifest["scenario"])
    rule = scenario.arrays.final_rule or scenario.arrays.decision_rule
    by_bloc = len(scenario.arrays.delegation_ids) > POWER_ROWS
    result = report(scenario, rule, by_bloc=by_bloc)
    what = f"{result['rule']}, summed over each bloc's members" if by_bloc else result["rule"]
    return aggregate.power_figure(prepare.power_table(result, POWER_ROWS), what)


def _sweep_figure(source: SweepSource, kind, metric, x, by) -> Figure:
    metric = metric or ("signed" if "signed" in source.metrics else source.metrics[0])
    if metric not in source.metrics:
        raise InputError.single(
            "--metric", metric, f"not in this sweep: {', '.join(source.metrics)}"
        )
    design = (source.manifest.get("experiment") or {}).get("design", "grid")
    if design != "grid":
        raise InputError.single(
            str(source.folder),
            "--kind",
            f"a {design} design's factors are drawn, not gridded, so there are no levels to plot "
            f"a response over: use `treatysim analyze {source.folder} --method "
            f"{design if design in ('sobol', 'morris') else 'importance'} --out DIR` for its "
            "indices and their figures",
        )
    varied = [f for f in source.factors if source.runs[f].nunique() > 1]
    for option, value in (("--x", x), ("--by", by)):
        if value is not None and value not in source.factors:
            raise InputError.single(option, value, f"not a factor: {', '.join(source.factors)}")
    if not varied:
        raise InputError.single(str(source.folder), "", "no factor varies in this sweep")
    x = x or varied[0]
    if kind == "response":
        if by is None and len(varied) > 1:
            by = next(f for f in reversed(varied) if f != x)
        frame = prepare.response(source.runs, metric, x, by)
        return aggregate.response_figure(frame, metric, x, by)
    y = by or next((f for f in varied if f != x), None)
    if y is None or y == x:
        raise InputError.single("--by", str(by), "a design map needs two different factors")
    table = prepare.design_map(source.runs, metric, x, y)
    return aggregate.design_map_figure(table, metric, x, y)


def _comparison_figure(source: ComparisonSource, kind: str) -> Figure:
    if kind == "forest":
        frame = prepare.forest(source.metrics)
        frame.attrs["baseline"] = source.result["baseline"]
        return aggregate.forest_figure(frame)
    if kind == "texts":
        return aggregate.texts_figure(source.provisions, titles=source.result.get("titles"))
    return aggregate.changes_figure(prepare.changed_delegations(source.changes))
