"""Writing scenarios in the layouts of decision-model research (the inverse of ``sim.scenario.importers``).

Used for round trips and for handing a scenario to other tools; positions are on the 0–100
scale, salience normalised, capability as in the scenario.
"""

from __future__ import annotations

from sim.scenario.importers import LONG_COLUMNS


def write_long(scenario) -> str:
    """A validated scenario as a ``long`` CSV (positions on the 0–100 scale)."""
    lines = [",".join((*LONG_COLUMNS, "bloc"))]
    pids = scenario.arrays.provision_ids
    for p in scenario.provisions:
        lines.append(f"status_quo,{p.id},{p.status_quo!r},0,1,")
    a = scenario.arrays
    for i, did in enumerate(a.delegation_ids):
        for c, pid in enumerate(pids):
            row = (
                did,
                pid,
                repr(float(a.ideal[i, c])),
                repr(float(a.salience[i, c])),
                repr(float(a.capability[i])),
                a.delegation_blocs[i],
            )
            lines.append(",".join(row))
    return "\n".join(lines) + "\n"


def write_decide(scenario) -> str:
    """A validated scenario in the DECIDE layout (positions on the 0–100 scale)."""
    a = scenario.arrays
    names = {d.id: d.name or d.id for d in scenario.delegations}
    out = [f"'#A'\t'{did}'\t'{names[did]}'\t''" for did in a.delegation_ids]
    for p in scenario.provisions:
        out += [f"'#P'\t'{p.id}'\t'{p.title}'\t''", f"'#M'\t'{p.id}'\t0", f"'#M'\t'{p.id}'\t100"]
    for i, did in enumerate(a.delegation_ids):
        for c, pid in enumerate(a.provision_ids):
            values = (float(a.ideal[i, c]), float(a.salience[i, c]), float(a.capability[i]))
            out.append("\t".join([f"'#D'\t'{did}'\t'{pid}'", *map(repr, values)]))
    return "\n".join(out) + "\n"
