"""Printable briefs for a class: one page per delegation, and a facilitator sheet.

A brief gives a team what its delegation knows before the conference: its mandate on every
provision and how much each matters, how far its instructions let it go by the last round (its
red lines, from the concession rule), who its allies are, who at home has a stake, and the
rules of the conference. The numbers are the scenario's own, so what the team is told is what
the computer in its seat would act on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sim.errors import InputError
from sim.model.terms import terms
from sim.scenario.schema import Scenario


def briefs(scenario: Scenario) -> dict:
    """Everything the handouts show, as plain data."""
    a = scenario.arrays
    t = terms(scenario)
    base = scenario.process.concession.base_tolerance
    ids, pids = list(a.delegation_ids), list(a.provision_ids)
    provisions = {p.id: p for p in scenario.provisions}
    names = {d.id: d.name or d.id for d in scenario.delegations}
    total = float(a.capability.sum())
    pages = []
    for i, did in enumerate(ids):
        salience = a.salience[i]
        top = salience.max()
        rows = []
        for c, pid in enumerate(pids):
            position, sq = float(a.ideal[i, c]), float(a.status_quo[c])
            reach = max(base, abs(position - sq) * float(t.hold[i, c]))
            rows.append(
                {
                    "title": provisions[pid].title,
                    "description": provisions[pid].description or "",
                    "status_quo": sq,
                    "position": position,
                    "priority": _priority(salience[c], top),
                    "low": max(0.0, position - reach),
                    "high": min(100.0, position + reach),
                    "red_line": bool(salience[c] == top),
                }
            )
        distance = (a.salience[i] * (a.ideal - a.ideal[i]) ** 2).sum(axis=1)
        distance[i] = np.inf
        closest = [ids[j] for j in np.argsort(distance, kind="stable")[:3]]
        peers = [ids[j] for j in a.ties.peers_of(i)]
        home = [
            a.stakeholder_ids[m] + f" ({a.stakeholder_kinds[m]})"
            for m in np.flatnonzero(a.stakeholder_home == i)
        ]
        pages.append(
            {
                "id": did,
                "name": names[did],
                "bloc": a.delegation_blocs[i] or "none",
                "peers": peers,
                "closest": closest,
                "capability_share": float(a.capability[i]) / total if total else 0.0,
                "votes": float(a.votes[i]),
                "openness": float(a.domestic_openness[i]),
                "home": home,
                "provisions": rows,
            }
        )
    process = scenario.process
    return {
        "scenario": scenario.name,
        "description": scenario.description or "",
        "rules": {
            "decision": a.decision_rule.describe(),
            "fallback": a.fallback_rule.describe() if a.fallback_rule else "none",
            "final": a.final_rule.describe() if a.final_rule else "none",
            "rounds": process.rounds,
        },
        "pages": pages,
        "provision_titles": {pid: provisions[pid].title for pid in pids},
    }


def _priority(value: float, top: float) -> str:
    share = value / top if top > 0 else 0.0
    return (
        "top priority"
        if share >= 0.999
        else "high"
        if share >= 0.66
        else "medium"
        if share >= 0.33
        else "low"
    )


#: The pages every set of handouts has besides the briefs: the facilitator sheet, twice.
SHEETS = ("facilitator.html", "index.html")
#: A brief's file name: in its own namespace, so no delegation id can name another page.
BRIEF = re.compile(r"^brief-[A-Za-z0-9][A-Za-z0-9_\-]*\.html$")


def brief_name(delegation: str) -> str:
    """The file of a delegation's brief."""
    return f"brief-{delegation}.html"


def write_handouts(
    scenario: Scenario, out: str | Path, scenario_path: str, overrides: Sequence[str] = ()
) -> list[Path]:
    """Write ``brief-ID.html`` for every delegation, ``facilitator.html`` and ``index.html``.

    The folder is claimed first (:func:`sim.folders.claim`): it must be new, empty or earlier
    handouts, whose ``manifest.json`` lists the briefs it wrote. Every page is written to a
    staging folder beside ``out`` and moved into place only when all are complete; an earlier
    set's briefs for delegations this scenario no longer has are then removed.

    Returns:
        The paths written, the manifest first.

    Raises:
        InputError: when ``out`` may not be written, or two ids differ only in case (their
            briefs would be one file on Windows and macOS).
    """
    from importlib.resources import files

    from sim.folders import claim, staged
    from sim.provenance import manifest
    from sim.report.build import environment

    data = briefs(scenario)
    names = {page["id"]: brief_name(page["id"]) for page in data["pages"]}
    _check_case(list(names), scenario_path)
    out = Path(out)
    earlier = _earlier_briefs(out)
    ours = ["manifest.json", *names.values(), *SHEETS]  # the manifest first: see _earlier_briefs
    claim(out, "handouts", {*ours, *(earlier or ())})
    if earlier is None and out.is_dir():
        found = [name for name in ours if (out / name).exists()]
        if found:
            raise InputError.single(
                str(out),
                "--out",
                f"holds {', '.join(found[:3])}{' and more' if len(found) > 3 else ''}, which "
                "no earlier handouts wrote (it has no manifest.json of theirs); choose an empty "
                "or new folder",
            )
    css = (files("sim.report") / "templates" / "report.css").read_text(encoding="utf-8")
    env = environment()
    record = manifest(
        kind="handouts",
        scenario_file=scenario_path,
        overrides=list(overrides),
        briefs=list(names.values()),
    )
    with staged(out, ours) as staging:
        for page in data["pages"]:
            html = env.get_template("brief.html.j2").render(css=css, d=data, p=page)
            (staging / names[page["id"]]).write_text(html, encoding="utf-8")
        sheet = env.get_template("facilitator.html.j2").render(
            css=css, d=data, files=names, scenario_path=scenario_path
        )
        for name in SHEETS:
            (staging / name).write_text(sheet, encoding="utf-8")
        (staging / "manifest.json").write_text(
            json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8"
        )
    for name in sorted((earlier or set()) - set(ours)):
        (out / name).unlink(missing_ok=True)
    return [out / name for name in ours]


def _check_case(ids: list[str], scenario_path: str) -> None:
    seen: dict[str, str] = {}
    for did in ids:
        other = seen.setdefault(did.casefold(), did)
        if other != did:
            raise InputError.single(
                scenario_path,
                "delegations",
                f"ids {other} and {did} differ only in case, so their briefs would be one file "
                "on Windows and macOS; rename one",
            )


def _earlier_briefs(out: Path) -> set[str] | None:
    """The briefs earlier handouts in ``out`` wrote, or None when ``out`` holds none.

    Earlier handouts are known by their ``manifest.json`` (``kind = "handouts"``), which is
    moved into place before the pages, so a folder that has any of their pages has it too.
    Only names a brief can have are returned: they are removed when no longer written.
    """
    try:
        record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("kind") != "handouts":
        return None
    listed = record.get("briefs")
    if not isinstance(listed, list):
        return set()
    return {name for name in listed if isinstance(name, str) and BRIEF.match(name)}
