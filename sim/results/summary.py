"""A readable account of one run: each provision's fate, signatures by bloc, why refusers refused."""

from __future__ import annotations

import numpy as np

from sim.catalogue import label
from sim.model.mechanisms.signing import DECISIONS, DEFER, REFUSE
from sim.model.mechanisms.valuation import provision_gain
from sim.results.outcome import Outcome

_TERM_LABELS = {
    "home_value": "home's value of the package",
    "grievance": "overruled",
    "bloc_pull": "bloc pull",
    "threshold": "cost of the obligation",
}


def _names(ids: list[str], limit: int = 4) -> str:
    if not ids:
        return "—"
    shown = ", ".join(ids[:limit])
    return shown if len(ids) <= limit else f"{shown} +{len(ids) - limit} more"


def contributions(outcome: Outcome, i: int) -> dict[str, float]:
    """The terms of home's score for delegation ``i``; they add up to ``outcome.score[i]``."""
    t = outcome.terms
    return {
        "home_value": float(t["home_value"][i]),
        "grievance": float(t["grievance"][i]),
        "bloc_pull": float(t["bloc_pull"][i]),
        "threshold": -float(outcome.sign_threshold),
    }


def worst_provision(outcome: Outcome, i: int, at_home: bool = True) -> tuple[str, float]:
    """The provision whose text costs delegation ``i`` (at home, or at the table) most.

    Returns:
        (provision id, signed gap between the package and the view it is judged by).
    """
    a = outcome.arrays
    view = outcome.home_view[i] if at_home else outcome.final_preferences[i]
    gain = provision_gain(outcome.package, a.status_quo, view[None, :], a.salience[i][None, :])[0]
    c = int(np.argmin(gain))
    return a.provision_ids[c], float(outcome.package[c] - view[c])


def reasons(outcome: Outcome, i: int) -> str:
    """The main reasons behind a refusal or deferral, most negative first."""
    a = outcome.arrays
    parts = contributions(outcome, i)
    negative = sorted((v, k) for k, v in parts.items() if v < 0)
    text = []
    for value, term in negative[:3]:
        label = f"{_TERM_LABELS[term]} {value:+.3f}"
        if term == "home_value":
            pid, gap = worst_provision(outcome, i)
            label += f" (worst: {pid}, package {abs(gap):.0f} points {'above' if gap > 0 else 'below'} home's view)"
        elif term == "grievance":
            on = [pid for c, pid in enumerate(a.provision_ids) if outcome.overruled[i, c]]
            label = f"overruled on {', '.join(on)} {value:+.3f}"
        text.append(label)
    if outcome.decision_codes[i] == DEFER:
        text.append(
            f"its delegation expected {outcome.expected[i]:+.3f} (table value "
            f"{outcome.terms['table_value'][i]:+.3f}); home followed {outcome.informed[i]:.0%} "
            "of the negotiation: consults at home"
        )
    return "; ".join(text) if text else "close to indifferent"


def render(outcome: Outcome, limit: int = 20) -> str:
    """The summary printed by ``treatysim run``."""
    a, m = outcome.arrays, outcome.metrics
    rules = outcome.rules
    open_ = outcome.openness
    lines = [
        f"{outcome.scenario_name} — seed {outcome.seed}",
        (
            f"Process: {rules['decision']}; fallback {rules['fallback'] or 'none'}; final {rules['final'] or 'none'}"
            f" · openness: access {open_['access']:.2f}, transparency {open_['transparency']:.2f},"
            f" inclusion {open_['inclusion']:.2f} · rounds used {outcome.rounds_used} of {outcome.rounds}"
        ),
        "",
        "Provisions",
        f"  {'provision':<22} {'status quo':>10}  {'outcome':<18} {'round':>5}  {'rule':<22} objectors (capability)",
    ]
    for row in outcome.provisions.itertuples(index=False):
        fate = (
            f"adopted at {row.value:.1f}"
            if row.adopted
            else ("no vote called" if row.settled_by == "no vote called" else "not adopted")
        )
        round_ = f"{int(row.round)}" if row.adopted else "—"
        objectors = row.objectors.split(";") if row.objectors else []
        share = f" ({row.objector_capability:.0%})" if objectors else ""
        lines.append(
            f"  {row.provision:<22} {row.status_quo:>10.1f}  {fate:<18} {round_:>5}  {row.rule or '—':<22} {_names(objectors)}{share}"
        )
    decisive = [
        (row.provision, row.pivotal.split(";"))
        for row in outcome.provisions.itertuples(index=False)
        if row.pivotal
    ]
    if decisive:
        lines.append(
            "  decisive (a switch would have reversed the result): "
            + "; ".join(f"{p}: {_names(ids, 6)}" for p, ids in decisive)
        )
    lines.append("")
    if outcome.treaty_adopted:
        final = outcome.final_tally
        how = (
            f"final vote under {rules['final']}: {int(final.yes[0])} yes, {int(final.no[0])} no, {int(final.abstain[0])} abstain"
            if final is not None
            else "no final vote"
        )
        lines.append(
            f"Treaty: adopted ({m['n_adopted']} of {len(a.provision_ids)} provisions; {how})"
        )
    elif m["n_adopted"] == 0:
        lines.append("Treaty: none (no provision was adopted)")
    else:
        final = outcome.final_tally
        lines.append(
            f"Treaty: none (the package failed under {rules['final']}: {int(final.yes[0])} yes, {int(final.no[0])} no)"
        )
    if not outcome.treaty_adopted:
        return "\n".join(lines) + "\n"
    lines += [
        f"Signatures: {m['signed']} sign · {m['refused']} refuse · {m['deferred']} defer"
        f"  (defection rate {m['defection_rate']:.2f}; capability-weighted {m['weighted_defection']:.2f})",
        _metric_line(m),
        "",
        "By bloc",
        f"  {'bloc':<16} {'sign':>5} {'refuse':>7} {'defer':>6}",
    ]
    table = outcome.delegations.assign(bloc=lambda d: d["bloc"].replace("", "(none)"))
    counts = table.groupby("bloc")["decision"].value_counts().unstack(fill_value=0)
    for bloc, row in counts.iterrows():
        lines.append(
            f"  {bloc:<16} {row.get('sign', 0):>5} {row.get('refuse', 0):>7} {row.get('defer', 0):>6}"
        )
    dissent = [i for i, c in enumerate(outcome.decision_codes) if c in (REFUSE, DEFER)]
    if dissent:
        dissent.sort(key=lambda i: (outcome.decision_codes[i], -a.capability[i]))
        lines += [
            "",
            f"Refusals and deferrals (main reasons; home signs when its score S reaches 0, "
            f"the obligation costs {outcome.sign_threshold:.3f})",
        ]
        for i in dissent[:limit]:
            bloc = a.delegation_blocs[i] or "no bloc"
            lines.append(
                f"  {a.delegation_ids[i]} ({bloc}) {DECISIONS[outcome.decision_codes[i]]}, "
                f"S = {outcome.score[i]:+.3f}: {reasons(outcome, i)}"
            )
        if len(dissent) > limit:
            lines.append(f"  … {len(dissent) - limit} more (see delegations.csv with --out)")
    return "\n".join(lines) + "\n"


def _metric_line(m: dict) -> str:
    """The remaining metrics by their catalogue labels (sim.catalogue)."""
    parts = []
    for name in ("votes_called", "overruled", "home_gap", "stakeholder_alignment", "welfare"):
        value = m[name]
        shown = "n/a" if value is None else f"{value}" if isinstance(value, int) else f"{value:.3f}"
        parts.append(f"{label(name)} {shown}")
    return " · ".join(parts) + f" ({label('welfare_gini')} {m['welfare_gini']:.3f})"
