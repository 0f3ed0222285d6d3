"""What ``treatysim power`` reports: a scenario's power table, veto players and blocking coalitions."""

from __future__ import annotations

import textwrap

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


SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
#: Integers with more digits than this are written as a × 10ⁿ.
PLAIN_DIGITS = 7


def readable(n: int) -> str:
    """A count as a reader reads it: ``12,345``, or ``1.9 × 10³⁸`` beyond seven digits."""
    n = int(n)
    if abs(n) < 10**PLAIN_DIGITS:
        return f"{n:,}"
    exponent = len(str(abs(n))) - 1
    mantissa = round(n / 10**exponent, 1)
    if abs(mantissa) >= 10:  # 9.96… rounds up to 10.0
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.1f} × 10{str(exponent).translate(SUPERSCRIPT)}"


WEIGHTS = {
    "capability": "capability (each delegation's capability, in the scenario's units)",
    "votes": "formal votes",
    "one per delegation": "one vote per delegation",
}


def _cell(value, width: int, digits: str) -> str:
    return f"{'—':>{width}}" if value is None else f"{value:>{width}{digits}}"


def render(result: dict, limit: int = 40) -> str:
    """The power report as text, with a legend for every column and mark it uses."""
    ss, bz, absolute = result["shapley_shubik"], result["banzhaf"], result["banzhaf_absolute"]
    errors = result["standard_error"].get("shapley_shubik", {})
    by_bloc = result["by"] == "bloc"
    label = "bloc" if by_bloc else "delegation"
    weights = WEIGHTS.get(result["weights"], result["weights"])
    quota = f"A coalition wins with at least {result['count_quota']:,} members"
    if result["weight_quota"]:
        unit = "of capability" if result["weights"] == "capability" else "votes"
        q = result["weight_quota"]
        quota += f" and {q:,.0f} {unit}" if q >= 1000 else f" and {q:g} {unit}"
    lines = [
        f"Voting power under {result['rule']} (weights: {weights}; {result['method']})",
        quota,
        "",
    ]
    if by_bloc:
        lines.append(f"  {label:<14}{'Shapley–Shubik':>16}{'Banzhaf':>10}")
    else:
        lines.append(f"  {label:<14}{'Shapley–Shubik':>16}{'Banzhaf':>10}{'P(decisive)':>13}")
    ordered = sorted(ss, key=lambda k: (-ss[k], k))
    for key in ordered[:limit]:
        error = f" ±{errors[key]:.4f}" if key in errors else ""
        row = f"  {key:<14}{_cell(ss[key], 16, '.4f')}{_cell(bz[key], 10, '.4f')}"
        if not by_bloc:
            row += _cell(absolute[key], 13, ".4g")
        lines.append(row + error)
    if len(ordered) > limit:
        lines.append(f"  … {len(ordered) - limit} more (see --json)")
    legend_start = len(lines)
    lines.append(
        "  Shapley–Shubik: share of the orderings of members in which this member's vote turns a"
        " losing coalition into a winning one (sums to 1)."
    )
    lines.append("  Banzhaf: this member's share of all decisive memberships (swings) (sums to 1).")
    if by_bloc:
        lines.append(
            "  By bloc: each index summed over the bloc's members, so a bloc's share of all power"
            " (still summing to 1)."
        )
    else:
        lines.append(
            "  P(decisive): the probability that this member's vote decides the outcome when every"
            " other member votes yes or no at random (absolute Banzhaf index; not a share, never"
            " summed)."
        )
    if any(key in errors for key in ordered[:limit]):
        lines.append("  ±: standard error of a Monte Carlo estimate.")
    if any(v is None for v in list(bz.values()) + ([] if by_bloc else list(absolute.values()))):
        lines.append(
            "  —: not estimated: no decisive coalition turned up in the sample, because decisive"
            " coalitions are too rare under this rule (shown as — rather than a false 0)."
        )
    lines = lines[:legend_start] + [
        wrapped
        for line in lines[legend_start:]
        for wrapped in textwrap.wrap(
            line.strip(), 96, initial_indent="  ", subsequent_indent="    "
        )
    ]
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
                + (f" ({readable(count)} such coalitions)" if count is not None else "")
                + f", e.g. {shown}"
            )
    blocs = [b["members"] for b in result["blocking"] if b["kind"] == "blocs"]
    if blocs:
        lines.append(
            "Blocs that can block together (minimal sets): "
            + "; ".join(" + ".join(m) for m in blocs[:12])
        )
    return "\n".join(lines) + "\n"
