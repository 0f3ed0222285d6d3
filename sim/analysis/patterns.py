"""Patterns of a run to set beside a conference's record (pattern-oriented validation).

A record (``record.toml`` beside a scenario) states aggregate facts: how many of the roster
signed, the tally of a forced vote, which provisions were settled by consensus before the
deadline and which were decided late by a vote. :func:`patterns` measures the same things on
one outcome; :func:`summarise` pools them over runs; :func:`discrepancy` turns the pooled
patterns and the record into one number, each pattern's squared error on its own tolerance,
so that several patterns are fitted at once and none by one coefficient alone.

References:
    Grimm et al. 2005 (pattern-oriented modelling); Railsback & Grimm 2019, ch. 18.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.results.outcome import Outcome

#: How far a pooled pattern may sit from the record before it costs a unit of discrepancy.
TOLERANCE = {
    "share_signed": 0.02,
    "vote_share_yes": 0.05,
    "vote_share_abstain": 0.03,
    "vote_taken": 0.1,
    "early_consensus": 0.1,
    "late_vote": 0.1,
}


@dataclass(frozen=True)
class Record:
    """A conference's aggregate record (see ``scenarios/wcit2012/record.toml``)."""

    roster: int
    signed: int
    votes: tuple[dict, ...]
    early_consensus: tuple[str, ...]
    late_vote: tuple[str, ...]
    late_rounds: int

    @property
    def share_signed(self) -> float:
        """Share of the roster that signed."""
        return self.signed / self.roster


def read_record(path: str | Path) -> Record:
    """Read a ``record.toml``."""
    data = tomllib.loads(Path(path).read_text())
    timing = data.get("timing", {})
    return Record(
        roster=int(data["signing"]["roster"]),
        signed=int(data["signing"]["signed"]),
        votes=tuple(data.get("votes", [])),
        early_consensus=tuple(timing.get("early_consensus", [])),
        late_vote=tuple(timing.get("late_vote", [])),
        late_rounds=int(timing.get("late_rounds", 1)),
    )


def patterns(outcome: Outcome, record: Record) -> dict[str, float]:
    """The record's patterns measured on one run.

    Returns:
        ``share_signed``; for each recorded vote on provision P, ``P:taken`` (1 if P was decided
        by a vote), ``P:yes``, ``P:no``, ``P:abstain`` (the tally of that vote, NaN without
        one); ``early_consensus`` and ``late_vote``, the shares of the listed provisions that
        were settled as the record says.
    """
    ids = list(outcome.arrays.provision_ids)
    n = len(outcome.decision_codes)
    found: dict[str, float] = {"share_signed": outcome.metrics["signed"] / n}
    for vote in record.votes:
        c = ids.index(vote["provision"])
        row = outcome.deciding_vote(c)
        taken = row is not None and _by_vote(outcome, row, c)
        found[f"{vote['provision']}:taken"] = float(taken)
        for side in ("yes", "no", "abstain"):
            found[f"{vote['provision']}:{side}"] = (
                float(getattr(row.tally, side)[c]) if taken else np.nan
            )
    found["early_consensus"] = _share(
        [_early_consensus(outcome, ids.index(p)) for p in record.early_consensus]
    )
    found["late_vote"] = _share(
        [_late_vote(outcome, ids.index(p), record.late_rounds) for p in record.late_vote]
    )
    return found


def _share(hits: list[bool]) -> float:
    return float(np.mean(hits)) if hits else np.nan


def _by_vote(outcome: Outcome, row, c: int) -> bool:
    """Whether a logged decision on provision ``c`` was a vote (not the chair's reading)."""
    return row.stage == "fallback" or outcome.arrays.decision_rule.is_vote


def _early_consensus(outcome: Outcome, c: int) -> bool:
    row = outcome.deciding_vote(c)
    return bool(
        outcome.adopted[c]
        and row.stage == "decision"
        and not outcome.arrays.decision_rule.is_vote
        and outcome.settled_round[c] < outcome.rounds
    )


def _late_vote(outcome: Outcome, c: int, late_rounds: int) -> bool:
    row = outcome.deciding_vote(c)
    return bool(
        row is not None
        and _by_vote(outcome, row, c)
        and row.round > outcome.rounds - late_rounds
        and (outcome.adopted[c] or row.stage == "fallback")
    )


def summarise(runs: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Mean and 5–95% range of each pattern over runs (tallies over the runs that voted)."""
    summary = {}
    for key in runs[0]:
        values = np.array([r[key] for r in runs], dtype=float)
        values = values[~np.isnan(values)]
        if values.size == 0:
            summary[key] = {"mean": np.nan, "low": np.nan, "high": np.nan, "runs": 0}
            continue
        low, high = np.percentile(values, [5, 95], method="inverted_cdf")  # observed values
        summary[key] = {
            "mean": float(values.mean()),
            "low": float(low),
            "high": float(high),
            "runs": int(values.size),
        }
    return summary


def discrepancy(summary: dict[str, dict[str, float]], record: Record) -> dict[str, float]:
    """Each pattern's squared error on its tolerance, and their sum under ``total``.

    A recorded vote contributes whether it was taken, the share of yes among those voting and
    the share abstaining (the model's roster and the record's chamber differ in size, so shares
    are compared, not counts).
    """
    parts = {
        "share_signed": (
            (summary["share_signed"]["mean"] - record.share_signed) / TOLERANCE["share_signed"]
        )
        ** 2
    }
    for vote in record.votes:
        p = vote["provision"]
        taken = summary[f"{p}:taken"]["mean"]
        parts[f"{p}:taken"] = ((taken - 1.0) / TOLERANCE["vote_taken"]) ** 2
        yes, no, abstain = (summary[f"{p}:{s}"]["mean"] for s in ("yes", "no", "abstain"))
        if np.isnan(yes):
            parts[f"{p}:yes"] = parts[f"{p}:abstain"] = (1.0 / TOLERANCE["vote_taken"]) ** 2
            continue
        record_yes = vote["yes"] / (vote["yes"] + vote["no"])
        record_abstain = vote["abstain"] / (vote["yes"] + vote["no"] + vote["abstain"])
        parts[f"{p}:yes"] = ((yes / (yes + no) - record_yes) / TOLERANCE["vote_share_yes"]) ** 2
        parts[f"{p}:abstain"] = (
            (abstain / (yes + no + abstain) - record_abstain) / TOLERANCE["vote_share_abstain"]
        ) ** 2
    for key in ("early_consensus", "late_vote"):
        if not np.isnan(summary[key]["mean"]):
            parts[key] = ((summary[key]["mean"] - 1.0) / TOLERANCE[key]) ** 2
    parts["total"] = float(sum(parts.values()))
    return parts
