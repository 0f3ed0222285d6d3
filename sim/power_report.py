"""What ``treatysim power`` reports: a scenario's power table, veto players and blocking coalitions."""

from __future__ import annotations

from sim.mechanisms.decision import RuleSpec
from sim.power import SAMPLES, analyse, blocking_groups, game_for


def report(
    scenario, rule: RuleSpec, by_bloc: bool = False, samples: int = SAMPLES, seed: int = 0
) -> dict:
    """Power of a scenario's delegations under a rule, as plain data (what ``treatysim power`` shows).

    With ``by_bloc`` the indices are summed over each primary bloc's members (a delegation
    without a bloc counts as its own group).
    """
    a = scenario.arrays
    ids = a.delegation_ids
    game = game_for(rule, ids, a.votes, a.capability)
    power = analyse(game, samples, seed)
    groups: dict[str, list[int]] = {}
    for i, did in enumerate(ids):
        groups.setdefault(a.delegation_blocs[i] or did, []).append(i)
    indices = {
        "shapley_shubik": power.shapley_shubik,
        "banzhaf": power.banzhaf,
        "banzhaf_absolute": power.banzhaf_absolute,
    }
    if by_bloc:
        indices = {
            kind: {g: _sum([values[ids[i]] for i in members]) for g, members in groups.items()}
            for kind, values in indices.items()
        }
    blocking = [
        {
            "kind": "delegations",
            "size": power.smallest_blocking["size"],
            "members": power.smallest_blocking["example"],
            "how_many_of_this_size": power.smallest_blocking.get("count"),
        }
    ]
    blocking += [
        {"kind": "blocs", "size": len(found), "members": found}
        for found in blocking_groups(game, groups)
    ]
    return {
        "rule": rule.describe(),
        "weights": "capability"
        if rule.kind == "consensus"
        else ("votes" if rule.weighs_votes else "one per delegation"),
        "method": power.method,
        "by": "bloc" if by_bloc else "delegation",
        **indices,
        "standard_error": power.standard_error,
        "blocking": blocking,
        "veto": power.veto,
        "dummies": power.dummies,
        "count_quota": game.count_quota,
        "weight_quota": game.weight_quota,
    }


def _sum(values: list) -> float | None:
    return None if any(v is None for v in values) else float(sum(values))


def _cell(value, width: int, digits: str) -> str:
    return f"{'—':>{width}}" if value is None else f"{value:>{width}{digits}}"


def render(result: dict, limit: int = 40) -> str:
    """The power report as text."""
    ss, bz, absolute = result["shapley_shubik"], result["banzhaf"], result["banzhaf_absolute"]
    errors = result["standard_error"].get("shapley_shubik", {})
    label = "bloc" if result["by"] == "bloc" else "delegation"
    lines = [
        f"Voting power under {result['rule']} ({result['weights']}; {result['method']})",
        f"A coalition wins with at least {result['count_quota']} members"
        + (f" and weight {result['weight_quota']:g}" if result["weight_quota"] else ""),
        "",
        f"  {label:<14}{'Shapley–Shubik':>16}{'Banzhaf':>10}{'Banzhaf abs.':>14}",
    ]
    ordered = sorted(ss, key=lambda k: (-ss[k], k))
    for key in ordered[:limit]:
        error = f" ±{errors[key]:.4f}" if key in errors else ""
        lines.append(
            f"  {key:<14}{_cell(ss[key], 16, '.4f')}{_cell(bz[key], 10, '.4f')}{_cell(absolute[key], 14, '.4g')}{error}"
        )
    if len(ordered) > limit:
        lines.append(f"  … {len(ordered) - limit} more (see --json)")
    if any(v is None for v in bz.values()):
        lines.append(
            "  — : no decisive coalition in the sample; decisive coalitions are too rare to estimate"
        )
    lines.append("")
    veto = result["veto"]
    lines.append(f"Veto players: {', '.join(veto) if veto else 'none'}")
    dummies = result["dummies"]
    lines.append(
        "Dummies (never decisive): "
        + ("not determined (estimates)" if dummies is None else (", ".join(dummies) or "none"))
    )
    for block in result["blocking"]:
        if block["kind"] == "delegations" and block["size"]:
            count = block.get("how_many_of_this_size")
            shown = ", ".join(block["members"][:8]) + (" …" if len(block["members"]) > 8 else "")
            noun = "delegation" if block["size"] == 1 else "delegations"
            lines.append(
                f"Smallest blocking coalition: {block['size']} {noun}"
                + (f" ({count} such coalitions)" if count is not None else "")
                + f", e.g. {shown}"
            )
    blocs = [b["members"] for b in result["blocking"] if b["kind"] == "blocs"]
    if blocs:
        lines.append(
            "Blocs that can block together (minimal sets): "
            + "; ".join(" + ".join(m) for m in blocs[:12])
        )
    return "\n".join(lines) + "\n"
