"""Printable briefs for a class: one page per delegation, and a facilitator sheet.

A brief gives a team what its delegation knows before the conference: its mandate on every
provision and how much each matters, how far its instructions let it go by the last round (its
red lines, from the concession rule), who its allies are, who at home has a stake, and the
rules of the conference. The numbers are the scenario's own, so what the team is told is what
the computer in its seat would act on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

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


def write_handouts(scenario: Scenario, out: str | Path, scenario_path: str) -> list[Path]:
    """Write ``ID.html`` for every delegation, ``facilitator.html`` and ``index.html``."""
    from importlib.resources import files

    from sim.report.build import environment
    from sim.results.files import write_text_atomically

    data = briefs(scenario)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    css = (files("sim.report") / "templates" / "report.css").read_text(encoding="utf-8")
    env = environment()
    written = []
    for page in data["pages"]:
        html = env.get_template("brief.html.j2").render(css=css, d=data, p=page)
        path = out / f"{page['id']}.html"
        write_text_atomically(path, html)
        written.append(path)
    sheet = env.get_template("facilitator.html.j2").render(
        css=css, d=data, scenario_path=scenario_path
    )
    for name in ("facilitator.html", "index.html"):
        write_text_atomically(out / name, sheet)
        written.append(out / name)
    return written
