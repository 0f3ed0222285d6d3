"""One self-contained HTML report for a run, a sweep or a comparison.

The report is rendered from Jinja2 templates (``sim/report/templates``) with autoescaping; its
figures are PNGs embedded as data URIs and its style sheet is inlined, so the file opens with no
network and nothing is fetched. The numbers in its tables come from the same preparation
functions as the figures, and every name is labelled from the catalogue.
"""

from __future__ import annotations

import base64
import io
from importlib.resources import files
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from sim.catalogue import METRICS, SETTLED_BY, entry
from sim.experiments.compare import interval, signed
from sim.figures import prepare
from sim.figures.make import figure, titles
from sim.figures.sources import ComparisonSource, RunSource, Source, SweepSource

QUESTION = (
    "How does procedural openness — who may be in the room, how public the drafts are, whether "
    "stakeholders sit in delegations — change what a conference agrees and who defects?"
)
#: Metrics whose factor effects a sweep report tabulates, when the sweep recorded them.
SWEEP_METRICS = ("signed", "refused", "deferred", "n_adopted", "weighted_defection")


def environment() -> jinja2.Environment:
    """The template environment: package templates, HTML autoescaping, strict undefined."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(files("sim.report") / "templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def png(drawn, dpi: int = 110) -> str:
    """A figure as a PNG data URI."""
    buffer = io.BytesIO()
    drawn.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def number(value, digits: int = 3) -> str:
    """A number as shown in the report's tables."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return f"{float(value):,.{digits}f}"


def provenance(manifest: dict) -> list[tuple[str, str]]:
    """The manifest's provenance as label–value rows."""
    rows = []
    for key, label in (
        ("created", "Created"),
        ("command", "Command"),
        ("scenario_file", "Scenario file"),
        ("experiment_file", "Experiment file"),
        ("seed", "Seed"),
        ("master_seed", "Master seed"),
        ("replicates", "Replicates"),
    ):
        if key in manifest:
            rows.append((label, str(manifest[key])))
    experiment = manifest.get("experiment")
    if isinstance(experiment, dict):
        for key, label in (("master_seed", "Master seed"), ("replicates", "Replicates per point")):
            if key in experiment:
                rows.append((label, str(experiment[key])))
    if "seeds" in manifest:
        rows.append(("Seeds", str(manifest["seeds"])))
    if manifest.get("overrides"):
        rows.append(("Overrides", " ".join(map(str, manifest["overrides"]))))
    for name, version in (manifest.get("versions") or {}).items():
        rows.append((f"Version of {name}", str(version)))
    git = manifest.get("git") or {}
    if git.get("commit"):
        rows.append(
            ("Commit", git["commit"] + (" (with uncommitted changes)" if git.get("dirty") else ""))
        )
    return rows


def build(source: Source, progress=None) -> str:
    """The report of a run, sweep or comparison as one HTML document.

    Args:
        source: from :func:`sim.figures.sources.load_source`.
        progress: optional callable taking a short message, called as each part is made.
    """
    say = progress or (lambda message: None)
    if isinstance(source, RunSource):
        context, template = _run(source, say), "run.html.j2"
    elif isinstance(source, SweepSource):
        context, template = _sweep(source, say), "sweep.html.j2"
        context["cautions"] = _cautions(source)
    else:
        context, template = _comparison(source, say), "comparison.html.j2"
    css = (files("sim.report") / "templates" / "report.css").read_text(encoding="utf-8")
    say("writing the page")
    return (
        environment()
        .get_template(template)
        .render(
            question=QUESTION,
            css=css,
            provenance=provenance(source.manifest),
            number=number,
            **context,
        )
    )


def _figure(source: Source, kind: str, say, **options) -> str:
    say(f"drawing {kind}")
    return png(figure(source, kind, **options))


def _run(source: RunSource, say) -> dict:
    scenario = source.manifest.get("scenario") or {}
    names = titles(source)
    outcomes = prepare.provision_outcomes(source.provisions)
    provisions = []
    for pid, row in outcomes.iterrows():
        how = SETTLED_BY.get(row["settled_by"] if row["settled_by"] != "not adopted" else "")
        provisions.append(
            {
                "title": names.get(pid, pid),
                "status_quo": number(row["status_quo"], 1),
                "text": number(row["value"], 1) if row["adopted"] else "status quo kept",
                "how": how.label if how else str(row["settled_by"]),
                "round": "—" if pd.isna(row["round"]) else int(row["round"]),
                "rule": row["rule"] if isinstance(row["rule"], str) else "—",
            }
        )
    dissent = source.delegations[source.delegations["decision"] != "sign"]
    dissent = dissent.sort_values("score")
    reasons = []
    for row in dissent.head(15).itertuples(index=False):
        data = prepare.signing_waterfall(source.delegations, row.delegation)
        terms = ", ".join(
            f"{entry(step.term).label.lower()} {step.value:+.3f}"
            for step in data["steps"].itertuples()
        )
        reasons.append(
            {
                "delegation": row.delegation,
                "bloc": data["bloc"] or "—",
                "decision": entry(row.decision).label,
                "score": f"{data['score']:+.3f}",
                "expected": f"{data['expected']:+.3f}",
                "terms": terms,
            }
        )
    counts = prepare.signatures_by_bloc(source.delegations)
    first = None if dissent.empty else str(dissent.iloc[0]["delegation"])
    figures = {
        "trajectory": _figure(source, "trajectory", say),
        "signatures": _figure(source, "signatures", say),
        "why": _figure(source, "why", say, delegation=first) if first else None,
        "power": _figure(source, "power", say),
    }
    process = scenario.get("process") or {}
    metrics = [
        {
            "label": entry(name).label,
            "unit": entry(name).unit,
            "value": number(source.metrics[name]),
            "meaning": entry(name).meaning,
        }
        for name in METRICS
        if name in source.metrics
    ]
    return {
        "title": f"{scenario.get('name', 'A run')} — seed {source.manifest.get('seed', '?')}",
        "scenario": scenario.get("name", ""),
        "process": _process_rows(process),
        "provisions": provisions,
        "counts": counts.reset_index().to_dict("records"),
        "reasons": reasons,
        "more_dissent": max(0, len(dissent) - 15),
        "metrics": metrics,
        "figures": figures,
        "why_delegation": first,
    }


def _process_rows(process: dict) -> list[tuple[str, str]]:
    rows = []
    for key, label in (
        ("decision_rule", "Decision rule in the rounds"),
        ("fallback_rule", "Fallback vote at the deadline"),
        ("final_rule", "Vote on the package"),
        ("rounds", "Rounds"),
    ):
        if key in process:
            rows.append((label, str(process[key])))
    openness = process.get("openness")
    if isinstance(openness, dict):
        for key in ("access", "transparency", "inclusion"):
            if openness.get(key) is not None:
                rows.append(
                    (
                        f"{entry(key).label} ({entry(key).meaning.rstrip('.')})",
                        number(openness[key], 2),
                    )
                )
    elif openness is not None:
        rows.append(("Openness", str(openness)))
    return rows


def _cautions(source: SweepSource) -> list[str]:
    """What a reader must know before the numbers: a partial sweep, runs of several versions."""
    from sim.experiments.export import cautions, store_state

    found = cautions(store_state(source.folder), source.folder, "this report")
    return [text[0].upper() + text[1:] for _, text in found]


def _sweep(source: SweepSource, say) -> dict:
    runs = source.runs
    experiment = source.manifest.get("experiment") or {}
    if experiment.get("design", "grid") != "grid":
        return _sampled_sweep(source, experiment, say)
    varied = [f for f in source.factors if runs[f].nunique() > 1]
    factors = [
        {
            "name": f,
            "label": entry(f).label,
            "levels": ", ".join(map(str, sorted(runs[f].unique(), key=str))),
        }
        for f in source.factors
    ]
    metrics = [m for m in SWEEP_METRICS if m in source.metrics] or source.metrics[:3]
    effects, flat = [], []
    for metric in metrics:
        say(f"estimating factor effects on {metric}")
        table = prepare.factor_effects(runs, metric, varied)
        for row in table.to_dict("records"):
            effects.append(
                {
                    "metric": entry(metric).label,
                    "unit": entry(metric).unit,
                    "factor": row["factor"],
                    "level": row["level"],
                    "reference": row["reference"],
                    "difference": signed(row["difference"]),
                    "interval": interval(row["low"], row["high"]),
                    "flat": bool(row["low"] <= 0 <= row["high"]),
                }
            )
        if not table.empty:
            for factor, group in table.groupby("factor", sort=False):
                if bool(group["flat"].iloc[0]):
                    kind = (
                        "changes nothing at all (every paired difference is exactly 0)"
                        if bool(group["identical"].iloc[0])
                        else "has an effect indistinguishable from zero (every interval contains 0)"
                    )
                    flat.append(f"{factor} {kind} on {entry(metric).label.lower()}.")
    figures = []
    if varied:
        main = "signed" if "signed" in source.metrics else source.metrics[0]
        figures.append(("response", _figure(source, "response", say, metric=main)))
        if len(varied) > 1:
            figures.append(("map", _figure(source, "map", say, metric=main)))
    experiment = source.manifest.get("experiment") or {}
    name = experiment.get("name") or source.folder.name
    return {
        "description": experiment.get("description", ""),
        "title": f"Sweep: {name}",
        "runs": len(runs),
        "factors": factors,
        "effects": effects,
        "flat": flat,
        "figures": figures,
    }


def _sampled_sweep(source: SweepSource, experiment: dict, say) -> dict:
    """A sampled design: its distributions, and importance screening instead of matched effects."""
    from sim.analysis.sensitivity import importance, read_sweep
    from sim.experiments.design import Range, describe
    from sim.figures.sensitivity import importance_figure

    specs = experiment.get("factors") or {}
    factors = []
    for f in source.factors:
        spec = specs.get(f)
        shown = spec if isinstance(spec, list) else Range.model_validate(spec)
        factors.append({"name": f, "label": entry(f).label, "levels": describe(shown)})
    sweep = read_sweep(source.folder)
    metrics = [m for m in SWEEP_METRICS if m in source.metrics] or source.metrics[:3]
    screens = []
    for metric in metrics:
        say(f"scoring the factors' importance for {metric}")
        found = importance(sweep, metric)
        screens.append(
            {
                "metric": entry(metric).label,
                "figure": png(importance_figure(found["indices"], metric, found["r2_oob"])),
                "note": found["note"],
            }
        )
    name = experiment.get("name") or source.folder.name
    return {
        "description": experiment.get("description", ""),
        "title": f"Sweep: {name}",
        "runs": len(source.runs),
        "factors": factors,
        "design": experiment.get("design"),
        "screens": screens,
        "effects": [],
        "flat": [],
        "figures": [],
    }


def _comparison(source: ComparisonSource, say) -> dict:
    result = source.result
    base = result["baseline"]
    contrasts = []
    for contrast in result["contrasts"]:
        rows = []
        for name, m in contrast["metrics"].items():
            low, high = m["interval"]
            rows.append(
                {
                    "label": entry(name).label,
                    "unit": entry(name).unit,
                    "a": number(m["a"]),
                    "b": number(m["b"]),
                    "difference": signed(m["difference"]),
                    "interval": interval(low, high),
                    "flat": low <= 0 <= high,
                    "same": low == high == m["difference"] == 0,
                    "better": entry(name).better,
                    "meaning": entry(name).meaning,
                }
            )
        names = result.get("titles") or {}
        texts = [
            {
                "provision": names.get(row["provision"], row["provision"]),
                "a": number(row["a"], 1),
                "b": number(row["b"], 1),
                "difference": signed(row["difference"], 1),
                "interval": interval(*row["interval"], 1),
            }
            for row in contrast["provisions"]
        ]
        contrasts.append(
            {
                "design": contrast["design"],
                "metrics": rows,
                "texts": texts,
                "changes": contrast["changes"][:15],
                "more_changes": max(0, len(contrast["changes"]) - 15),
            }
        )
    figures = [
        ("forest", _figure(source, "forest", say)),
        ("texts", _figure(source, "texts", say)),
        ("changes", _figure(source, "changes", say)),
    ]
    return {
        "title": f"{result.get('scenario', 'Comparison')}: {', '.join(c['design'] for c in contrasts)} against {base}",
        "baseline": base,
        "designs": result["designs"],
        "replicates": result["replicates"],
        "contrasts": contrasts,
        "figures": figures,
    }


#: The mark every page treatysim writes carries in its head (``base.html.j2`` and the handouts).
GENERATOR = '<meta name="generator" content="treatysim">'


def marked(data: bytes) -> bool:
    """Whether an HTML file's start and end hold the mark of a page treatysim wrote.

    ``report --out`` and ``debrief --out`` replace only such a file.
    """
    return GENERATOR.encode() in data


def write_report(out: str | Path, html: str) -> Path:
    """Write the report completely or not at all, over nothing but a page treatysim wrote.

    Raises:
        InputError: when ``out`` is another file (:func:`sim.folders.claim_file`).
        OSError: when it cannot be written.
    """
    from sim.folders import claim_file
    from sim.results.files import write_text_atomically

    claim_file(Path(out), marked)
    write_text_atomically(out, html)
    return Path(out)
