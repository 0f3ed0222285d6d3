"""What ``treatysim power`` reports: a scenario's power table, veto players and blocking coalitions.

:func:`report` gives the numbers as plain data (what ``--json`` prints); :func:`render` writes
them as text for a reader who has not met power indices before: large counts as ``1.9 × 10³⁸``,
weights with their unit, and a legend under the table for every column and every mark it uses.
"""

from __future__ import annotations

import math
import re
import textwrap

from sim.model.mechanisms.decision import RuleSpec
from sim.power.indices import SAMPLES, analyse, blocking_groups, game_for

SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
#: Integers with more digits than this are written as a × 10ⁿ.
PLAIN_DIGITS = 7
#: Fractions below this are written as a × 10⁻ⁿ rather than with four decimals.
SMALL = 0.001
#: Text lines (legend, blocking coalitions) are wrapped to this width.
WIDTH = 100
#: What each kind of weight is, for the reader (keyed by the ``weights`` of :func:`report`).
WEIGHTS = {
    "capability": "capability (bargaining clout on the scenario's own scale; only ratios matter)",
    "votes": "formal votes (each delegation's votes as the scenario gives them)",
    "one per delegation": "one vote per delegation",
}
#: The unit a weight quota is counted in, singular and plural.
UNITS = {"capability": ("unit of capability", "units of capability"), "votes": ("vote", "votes")}


def report(
    scenario, rule: RuleSpec, by_bloc: bool = False, samples: int = SAMPLES, seed: int = 0
) -> dict:
    """Power of a scenario's delegations under a rule, as plain data (what ``treatysim power`` shows).

    With ``by_bloc`` the two normalised indices (which sum to 1) are summed over each primary
    bloc's members, a delegation without a bloc counting as its own group. The absolute Banzhaf
    index is a probability per delegation, not a share, so the bloc view leaves it out, and the
    standard errors (of Monte Carlo estimates) are those of the bloc's Shapley–Shubik share.

    Args:
        scenario: a loaded scenario.
        rule: the decision rule to analyse.
        by_bloc: report per bloc instead of per delegation.
        samples: Monte Carlo samples, where the indices cannot be computed exactly.
        seed: seed of the Monte Carlo samples.

    Returns:
        The rule, weights, method, indices, standard errors, blocking coalitions, veto players,
        dummies and quotas.
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
    errors = power.standard_error
    if by_bloc:
        indices = {
            kind: {g: _sum([values[ids[i]] for i in members]) for g, members in groups.items()}
            for kind, values in indices.items()
            if kind != "banzhaf_absolute"
        }
        # one pivot per sampled ordering: a bloc's share is a proportion of the samples
        errors = (
            {
                "shapley_shubik": {
                    g: math.sqrt(p * (1 - p) / samples)
                    for g, p in indices["shapley_shubik"].items()
                }
            }
            if errors
            else {}
        )
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
        "standard_error": errors,
        "blocking": blocking,
        "veto": power.veto,
        "dummies": power.dummies,
        "count_quota": game.count_quota,
        "weight_quota": game.weight_quota,
    }


def _sum(values: list) -> float | None:
    return None if any(v is None for v in values) else float(sum(values))


# --- numbers for readers -------------------------------------------------------------------


def _times_ten(mantissa: str, exponent: int) -> str:
    return f"{mantissa} × 10{str(exponent).translate(SUPERSCRIPT)}"


def readable(n: int) -> str:
    """A count as a reader reads it: ``12,345`` up to seven digits, else ``1.9 × 10³⁸``.

    The mantissa is rounded half up, exactly (integer arithmetic, however large the count);
    when it rounds up to 10 the exponent grows by one (``99,960,000`` is ``1.0 × 10⁸``).

    Args:
        n: the count.

    Returns:
        The count with thousands separators, or with one decimal and a superscript exponent.
    """
    n = int(n)
    if abs(n) < 10**PLAIN_DIGITS:
        return f"{n:,}"
    sign, n = ("-" if n < 0 else ""), abs(n)
    exponent = len(str(n)) - 1
    unit = 10 ** (exponent - 1)  # one tenth of the leading digit's place
    tenths = (2 * n + unit) // (2 * unit)  # n / unit rounded half up
    if tenths == 100:
        tenths, exponent = 10, exponent + 1
    return sign + _times_ten(f"{tenths // 10}.{tenths % 10}", exponent)


def fraction(value: float) -> str:
    """A share or probability: ``0.2256``, ``0`` or, below 0.001, ``4.9 × 10⁻⁴``.

    Args:
        value: a number between 0 and 1.

    Returns:
        Four decimals, ``0`` for exactly zero, or two significant digits with a superscript
        exponent for small values (so that 2⁻¹³⁰ is not shown as 0.0000).
    """
    if value == 0:
        return "0"
    if abs(value) >= SMALL:
        return f"{value:.4f}"
    mantissa, exponent = f"{value:.1e}".split("e")
    return _times_ten(mantissa, int(exponent))


# --- the text ------------------------------------------------------------------------------


def _samples(method: str) -> int | None:
    found = re.search(r"(\d+) samples", method)
    return int(found.group(1)) if found else None


def _quota(result: dict) -> str:
    """When a coalition wins, in words, with the unit of its weight."""
    parts = []
    count = result["count_quota"]
    if count:
        parts.append(f"at least {count:,} delegation{'s' if count != 1 else ''}")
    weights = result["weights"]
    one, many = UNITS.get(weights, (weights, weights))
    q = result["weight_quota"]
    if q:
        amount = f"{q:,.0f}" if q >= 1000 else f"{q:g}"
        parts.append(f"at least {amount} {one if q == 1 else many}")
    rule = result["rule"]
    if rule.startswith("double_majority") or (
        rule.startswith("weighted") and "quota" not in rule
    ):  # these games also need more than half of all the weight (see sim.power.indices.game_for)
        parts.append(f"more than half of all {many}")
    if not parts:
        return "Any coalition wins"
    return "A coalition wins with " + " and ".join(parts)


def _columns(result: dict) -> list[tuple[str, str, dict, dict]]:
    """(heading, legend line, values, standard errors) of each column of the table."""
    errors = result["standard_error"]
    ss = ("shapley_shubik", errors.get("shapley_shubik", {}))
    if result["by"] == "bloc":
        return [
            (
                "Shapley–Shubik share",
                "chance the deciding vote is a bloc member's (members join in random order)",
                result[ss[0]],
                ss[1],
            ),
            (
                "Banzhaf share",
                "the bloc members' share of all decisive votes over every possible coalition",
                result["banzhaf"],
                {},
            ),
        ]
    return [
        (
            "Shapley–Shubik",
            "chance of casting the deciding vote as members join in random order (sums to 1)",
            result[ss[0]],
            ss[1],
        ),
        (
            "Banzhaf",
            "this delegation's share of all decisive votes over every possible coalition"
            " (sums to 1)",
            result["banzhaf"],
            {},
        ),
        (
            "P(decisive)",
            "chance its vote decides if all others vote at random (absolute Banzhaf; not a share)",
            result["banzhaf_absolute"],
            errors.get("banzhaf_absolute", {}),
        ),
    ]


def _table(result: dict, limit: int) -> tuple[list[str], list[str]]:
    """The rows of the power table, aligned, and the legend of its columns and marks."""
    samples = _samples(result["method"])
    bound = 3 / samples if samples else None  # 95% upper bound after no hit in `samples`
    columns = _columns(result)
    ss = result["shapley_shubik"]
    ordered = sorted(ss, key=lambda k: (-ss[k], k))
    marks: dict[str, set[str]] = {"—": set(), "<": set(), "±": set()}
    rows = [[result["by"]] + [heading for heading, *_ in columns]]
    for key in ordered[:limit]:
        row = [key]
        for heading, _, values, errors in columns:
            value, error = values[key], errors.get(key)
            if value is None:
                cell, mark = "—", "—"
            elif value == 0 and error is not None and bound is not None:
                cell, mark = f"< {fraction(bound)}", "<"  # never seen in the samples
            elif error is not None:
                cell, mark = f"{fraction(value)} ±{error:.4f}", "±"
            else:
                cell, mark = fraction(value), None
            if mark:
                marks[mark].add(heading)
            row.append(cell)
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  "
        + row[0].ljust(widths[0])
        + "".join(f"   {cell:>{width}}" for cell, width in zip(row[1:], widths[1:], strict=True))
        for row in rows
    ]
    if len(ordered) > limit:
        lines.append(f"  … {len(ordered) - limit} more (see --json)")
    legend = [f"{heading}: {meaning}." for heading, meaning, *_ in columns]
    if result["by"] == "bloc":
        legend.append(
            "Both shares sum to 1 over all blocs: members' power added up, not a bloc voting as one."
        )
        legend.append(
            "P(decisive) is per delegation and never added up over a bloc: see --by delegation."
        )
    sampled = f"{samples:,}" if samples else "the"

    def where(mark: str) -> str:
        return " and ".join(heading for heading, *_ in columns if heading in marks[mark])

    if marks["—"]:
        legend.append(
            f"— in {where('—')}: not estimated: none of {sampled} random coalitions"
            " had a decisive vote (not a zero)."
        )
    if marks["<"]:
        legend.append(
            f"< in {where('<')}: never decisive in {sampled} random samples, so below this"
            " (95% confidence)."
        )
    if marks["±"]:
        legend.append(
            "±: standard error of an estimate from random samples; the exact value is usually"
            " within twice it."
        )
    return lines, legend


def _wrap(line: str) -> list[str]:
    return textwrap.wrap(line, WIDTH, initial_indent="  ", subsequent_indent="    ")


def _names(names: list[str], most: int = 12) -> str:
    """Names separated by commas: ``none``, or the first few and how many in all."""
    if not names:
        return "none"
    if len(names) <= most:
        return ", ".join(names)
    return ", ".join(names[:most]) + f" … ({len(names)} in all)"


def _blocking(result: dict) -> list[str]:
    """Veto players, dummies and blocking coalitions, one line each (wrapped when long)."""
    veto, dummies = result["veto"], result["dummies"]
    lines = [
        "Veto players (each can block on its own): " + _names(veto),
        "Dummies (never decisive, whatever their weight): "
        + ("not determined (the indices are estimates)" if dummies is None else _names(dummies)),
    ]
    for block in result["blocking"]:
        if block["kind"] == "delegations" and block["size"]:
            count = block.get("how_many_of_this_size")
            members = block["members"]
            shown = ", ".join(members[:8]) + (" …" if len(members) > 8 else "")
            noun = "delegation" if block["size"] == 1 else "delegations"
            how_many = ""
            if count is not None:
                how_many = (
                    " (the only such coalition)"
                    if count == 1
                    else f" ({readable(count)} such coalitions)"
                )
            stop = "stops" if block["size"] == 1 else "stop"
            lines.append(
                f"Smallest blocking coalition: {block['size']} {noun} voting no {stop} any"
                f" proposal{how_many}, e.g. {shown}"
            )
    lines = [
        wrapped for line in lines for wrapped in textwrap.wrap(line, WIDTH, subsequent_indent="  ")
    ]
    blocs = [" + ".join(b["members"]) for b in result["blocking"] if b["kind"] == "blocs"]
    if blocs:
        pieces = [f"{combination};" for combination in blocs[:12]]
        pieces[-1] = pieces[-1][:-1] + (" …" if len(blocs) > 12 else "")
        lines.append("Blocs that can block, alone or together (smallest combinations):")
        for piece in pieces:  # wrapped between combinations, never inside one
            if len(lines[-1]) + 1 + len(piece) <= WIDTH:
                lines[-1] += " " + piece
            else:
                lines.append("  " + piece)
    return lines


def render(result: dict, limit: int = 40) -> str:
    """The power report as text, with a legend for every column and mark it uses.

    Args:
        result: what :func:`report` returns.
        limit: the most rows the table shows (the rest are in ``--json``).

    Returns:
        The text, ending in a newline.
    """
    samples = _samples(result["method"])
    method = (
        "computed exactly"
        if result["method"] == "exact"
        else f"estimated from {samples:,} random samples (Monte Carlo)"
        if samples
        else result["method"]
    )
    weights = WEIGHTS.get(result["weights"], result["weights"])
    table, legend = _table(result, limit)
    lines = [
        f"Voting power under {result['rule']}, {method}",
        f"Weights: {weights}",
        _quota(result),
        "",
        *table,
        "",
        *(wrapped for line in legend for wrapped in _wrap(line)),
        "",
        *_blocking(result),
    ]
    return "\n".join(lines) + "\n"
