"""One catalogue of everything a user is shown: metrics, decisions, signing terms, openness.

Each entry has a human label, a unit or scale, a one-sentence meaning, and which direction is
better where one is. The run summary, ``compare``, the figures, the reports and the column
documentation written beside exported tables all read it, so a name is explained the same way
everywhere (a test checks that every metric, decision and term has an entry).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Entry:
    """How one measured quantity is shown."""

    label: str
    unit: str
    meaning: str
    better: Literal["higher", "lower"] | None = None

    def axis(self) -> str:
        """An axis label: the label with its unit."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


METRICS: dict[str, Entry] = {
    "treaty_adopted": Entry(
        "Treaty adopted",
        "share of runs",
        "Whether a treaty was opened for signature: at least one provision adopted and the "
        "package vote passed.",
        "higher",
    ),
    "n_adopted": Entry(
        "Provisions adopted",
        "count",
        "How many provisions were changed from the status quo by the end of the conference.",
    ),
    "rounds_used": Entry(
        "Rounds used",
        "rounds",
        "How many negotiating rounds ran before every provision was settled or time ran out.",
        "lower",
    ),
    "signed": Entry(
        "Signed",
        "delegations",
        "Delegations whose home accepts the package and signs at the end.",
        "higher",
    ),
    "refused": Entry(
        "Refused",
        "delegations",
        "Delegations that refuse to sign: home rejects the package and the delegation knew it.",
        "lower",
    ),
    "deferred": Entry(
        "Deferred",
        "delegations",
        "Delegations that go home to consult: the delegate expected home to accept, home did not.",
        "lower",
    ),
    "defection_rate": Entry(
        "Defection rate",
        "share of delegations",
        "Share of delegations that refused to sign.",
        "lower",
    ),
    "weighted_defection": Entry(
        "Capability-weighted defection",
        "share of capability",
        "Share of total capability (GDP in real scenarios) held by delegations that refused.",
        "lower",
    ),
    "stakeholder_alignment": Entry(
        "Stakeholder alignment",
        "0–1",
        "Resource-weighted satisfaction of civil-society, industry and technical actors with the "
        "agreed text (1 = every stakeholder's ideal).",
        "higher",
    ),
    "votes_called": Entry(
        "Votes called",
        "count",
        "Votes forced under a consensus practice (a vote someone chose to call at a cost).",
    ),
    "overruled": Entry(
        "Overruled",
        "salience share",
        "Mean share of its salience on which a delegation objected to a text that was adopted.",
        "lower",
    ),
    "home_gap": Entry(
        "Table–home gap",
        "value units",
        "Mean absolute difference between the package's value at the delegate's table "
        "preferences and at its home's view: the room for involuntary defection.",
        "lower",
    ),
    "welfare": Entry(
        "Welfare",
        "0–1",
        "Mean satisfaction of delegations with the agreed text at their mandates "
        "(1 = every delegation's ideal).",
        "higher",
    ),
    "welfare_gini": Entry(
        "Welfare inequality (Gini)",
        "0–1",
        "Gini coefficient of delegations' satisfaction: 0 = all equally satisfied.",
        "lower",
    ),
}

DECISIONS: dict[str, Entry] = {
    "sign": Entry("Sign", "", "Home accepts the package: the delegation signs the treaty."),
    "refuse": Entry(
        "Refuse", "", "Home rejects the package and the delegation expected it: it refuses."
    ),
    "defer": Entry(
        "Defer",
        "",
        "The delegate expected home to accept but home did not follow the negotiation and does "
        "not: the delegation goes home to consult.",
    ),
    "none": Entry("No treaty", "", "There was nothing to sign."),
}

TERMS: dict[str, Entry] = {
    "table_value": Entry(
        "Value at the table",
        "value units",
        "The package's value over the status quo at the delegate's persuaded preferences.",
    ),
    "home_value": Entry(
        "Home's value of the package",
        "value units",
        "The package's value over the status quo at the home constituency's view.",
    ),
    "grievance": Entry(
        "Grievance",
        "value units",
        "Score lost for having been overruled on provisions the delegation cares about.",
    ),
    "bloc_pull": Entry(
        "Bloc pull",
        "value units",
        "Score gained or lost as the delegation's bloc peers sign or refuse.",
    ),
    "sign_threshold": Entry(
        "Cost of the obligation",
        "value units",
        "What taking on the treaty costs: home signs when its score exceeds it.",
    ),
    "score": Entry(
        "Home's score",
        "value units",
        "Home's value + grievance + bloc pull − cost of the obligation; home signs at ≥ 0.",
    ),
    "expected": Entry(
        "Expected score",
        "value units",
        "What the delegation expects its home's score to be, from what home has followed.",
    ),
}

OPENNESS: dict[str, Entry] = {
    "access": Entry(
        "Access",
        "0–1",
        "Who may be in the room: civil society's share of the floor and the text grows with it.",
    ),
    "transparency": Entry(
        "Transparency", "0–1", "How much of the drafts, sessions and votes is public."
    ),
    "inclusion": Entry(
        "Inclusion",
        "0–1",
        "Share of delegations that seat their home stakeholders in the delegation.",
    ),
}

PROCESS: dict[str, Entry] = {
    "decision_rule": Entry(
        "Decision rule",
        "",
        "How provisions are decided in the rounds (consensus practice or a vote).",
    ),
    "fallback_rule": Entry(
        "Fallback vote", "", "The vote that may be called at the deadline on what is still open."
    ),
    "final_rule": Entry("Package vote", "", "The rule of the vote on the whole package."),
    "rounds": Entry("Rounds", "rounds", "How many negotiating rounds the conference has."),
}

SETTLED_BY: dict[str, Entry] = {
    "decision": Entry("In the rounds", "", "Adopted under the decision rule during the rounds."),
    "fallback": Entry("Forced vote", "", "Adopted by the fallback vote at the deadline."),
    "no vote called": Entry(
        "Lapsed", "", "No one found a vote worth calling, so the status quo stayed."
    ),
    "": Entry("Not adopted", "", "The status quo stayed."),
}

#: Where each kind of name is looked up, in order.
_ALL = (METRICS, TERMS, OPENNESS, PROCESS, DECISIONS, SETTLED_BY)


def entry(name: str) -> Entry:
    """The entry for a metric, term, decision or openness dimension.

    Factor paths of sweeps (``process.openness.access``) are looked up by their last part; an
    unknown name gets an entry that shows the name itself, so nothing is ever hidden.
    """
    for table in _ALL:
        if name in table:
            return table[name]
    last = name.rsplit(".", 1)[-1]
    for table in _ALL:
        if last in table:
            return table[last]
    return Entry(name, "", "")


def label(name: str) -> str:
    """The human label of a name."""
    return entry(name).label


def columns_table(columns: list[str]) -> list[dict[str, str]]:
    """Documentation rows (column, label, unit, meaning, better) for a table's columns."""
    rows = []
    for column in columns:
        e = entry(column)
        rows.append(
            {
                "column": column,
                "label": e.label,
                "unit": e.unit,
                "meaning": e.meaning,
                "better": e.better or "",
            }
        )
    return rows
