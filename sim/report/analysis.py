"""The HTML report of ``treatysim analyze``: indices or PRIM boxes, their figures, provenance."""

from __future__ import annotations

from importlib.resources import files

from sim.catalogue import entry
from sim.report.build import QUESTION, environment, number, png, provenance

#: How to read each method's figure, shown under it.
READING = {
    "sobol": (
        "Each factor has two bars: S1, the share of the measure's variance over the design that "
        "the factor explains alone, and ST, alone and in every interaction. Whiskers are 95% "
        "bootstrap intervals. A factor whose ST is near zero can be fixed anywhere in its range "
        "without changing the result; a gap between ST and S1 is interaction."
    ),
    "morris": (
        "Each point is a factor: to the right, moving it changes the measure more (μ*, the mean "
        "absolute elementary effect scaled to its whole range, with a 95% interval); higher up, the "
        "effect depends more on where the other factors are (σ). Points near the origin can be "
        "fixed; points above the dotted line act non-linearly or in interaction."
    ),
    "importance": (
        "Bars rank the factors by how much a forest of randomised trees fitted to every run "
        "relies on each to predict the measure (importances sum to 1; whiskers show the spread "
        "over trees). It ranks, it does not measure effects in the measure's unit."
    ),
    "prim": (
        "Each point is one box on PRIM's peeling trajectory: to the right, the box holds more of "
        "the runs meeting the condition (coverage); higher up, more of the runs inside it meet "
        "it (density). Peeling moves from the right (the whole design) to the top left; the "
        "ringed box is the one reported below."
    ),
}
TITLES = {
    "sobol": "Sobol' indices",
    "morris": "Morris screening",
    "importance": "Factor importance",
    "prim": "Scenario discovery (PRIM)",
}


def analysis_report(result: dict, drawn: dict, manifest: dict) -> str:
    """The analysis as one self-contained HTML page."""
    method = result["method"]
    sections = []
    if method == "prim":
        found = result["prim"]
        sections.append(
            {
                "heading": f"Where {found['condition']}",
                "meaning": "",
                "note": "",
                "figure": png(drawn["prim.png"]),
                "rows": found["limits"],
                "prim": found,
            }
        )
    else:
        for (metric, found), src in zip(result["metrics"].items(), drawn.values(), strict=True):
            e = entry(metric)
            sections.append(
                {
                    "heading": f"{e.label}" + (f" ({e.unit})" if e.unit else ""),
                    "meaning": e.meaning,
                    "figure": png(src),
                    "rows": found["indices"],
                    "second_order": found.get("second_order") or [],
                    "r2": found.get("r2_oob"),
                    "variance": found.get("variance"),
                    "note": found.get("note", ""),
                }
            )
    css = (files("sim.report") / "templates" / "report.css").read_text(encoding="utf-8")
    rows = provenance(manifest)
    rows.insert(0, ("Sweep", result["sweep"]))
    if result.get("fingerprint"):
        rows.insert(1, ("Sweep fingerprint", result["fingerprint"]))
    return (
        environment()
        .get_template("analysis.html.j2")
        .render(
            title=f"{TITLES[method]} of {result['sweep']}",
            question=QUESTION,
            css=css,
            provenance=rows,
            number=number,
            result=result,
            sections=sections,
            reading=READING[method],
            method=method,
        )
    )
