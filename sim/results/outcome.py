"""What one run returns: plain data (arrays, tables, metrics), no reference to the model.

Tables are built on first use, so a sweep that needs only ``metrics`` pays nothing for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.model.mechanisms.decision import RuleSpec, Tally, pivotal
from sim.model.mechanisms.signing import DECISIONS
from sim.results import metrics as metric_functions
from sim.scenario.compiled import ScenarioArrays

if TYPE_CHECKING:
    from sim.model.conference import ConferenceModel

#: Terms of each delegation's signing decision, in the order they are reported: the package's
#: value at the table and at home, the grievance of being overruled, and bloc pull. Home's score
#: is ``home_value + grievance + bloc_pull − sign_threshold``.
TERMS = ("table_value", "home_value", "grievance", "bloc_pull")


@dataclass(eq=False)
class Outcome:
    """The result of one conference."""

    scenario_name: str
    seed: int
    arrays: ScenarioArrays
    rules: dict[str, str | None]
    openness: dict[str, float]
    rounds: int
    rounds_used: int
    seated: np.ndarray
    final_preferences: np.ndarray
    adopted: np.ndarray
    value: np.ndarray
    package: np.ndarray
    settled_round: np.ndarray
    settled_by: list[str]
    treaty_adopted: bool
    final_tally: Tally | None
    decision_codes: np.ndarray
    terms: dict[str, np.ndarray]
    score: np.ndarray
    expected: np.ndarray
    sign_threshold: float
    informed: np.ndarray
    home_view: np.ndarray
    overruled: np.ndarray
    votes_called: np.ndarray
    cascade_steps: list = field(repr=False)
    log_rows: list = field(
        default_factory=list, repr=False
    )  # sim.model.conference.Decision records
    round_records: dict = field(default_factory=dict, repr=False)
    preference_history: list = field(default_factory=list, repr=False)  # (N, K) per round from 0
    metrics: dict = field(default_factory=dict)

    @classmethod
    def from_model(cls, model: ConferenceModel) -> Outcome:
        """Collect a finished model's results."""
        a, end = model.arrays, model.end
        n = len(a.delegation_ids)
        missing = np.full(n, np.nan)
        cascade = end.get("cascade")
        pull = end.get("bloc_pull", missing)
        terms = {
            "table_value": end["table_value"],
            "home_value": end["home_value"],
            "grievance": end["grievance"],
            "bloc_pull": pull,
        }
        openness = model.access, model.transparency, model.inclusion
        outcome = cls(
            scenario_name=model.spec.name,
            seed=model.seed,
            arrays=a,
            rules={
                "decision": a.decision_rule.describe(),
                "fallback": a.fallback_rule.describe() if a.fallback_rule else None,
                "final": a.final_rule.describe() if a.final_rule else None,
            },
            openness=dict(zip(("access", "transparency", "inclusion"), openness, strict=True)),
            rounds=model.process.rounds,
            rounds_used=model.round,
            seated=model.seated.copy(),
            final_preferences=model.preferences.copy(),
            adopted=model.adopted.copy(),
            value=model.value.copy(),
            package=end["package"],
            settled_round=model.settled_round.copy(),
            settled_by=list(model.settled_by),
            treaty_adopted=end["treaty"],
            final_tally=end["final"],
            decision_codes=model.signing_codes.copy(),
            terms=terms,
            score=end["verdict"] + pull,
            expected=end["belief"] + pull,
            sign_threshold=model.process.signing.sign_threshold,
            informed=model.informed.copy(),
            home_view=model.home,
            overruled=model.overruled.copy(),
            votes_called=model.called.copy(),
            cascade_steps=cascade.steps if cascade else [],
            log_rows=model.log,
            round_records=model.datacollector.model_vars,
            preference_history=model.history,
        )
        outcome.metrics = metric_functions.compute(outcome)
        return outcome

    # --- lookups -----------------------------------------------------------------------------

    @property
    def decisions(self) -> list[str]:
        """Signing decision of each delegation, in scenario order."""
        return [DECISIONS[c] for c in self.decision_codes]

    def deciding_vote(self, column: int):
        """The last decision taken on provision ``column``: the one that settled it, or its last failure."""
        for row in reversed(self.log_rows):
            if row.decided[column]:
                return row
        return None

    def objectors(self, row, column: int) -> list[str]:
        """Ids of delegations that objected in a logged decision, by descending capability."""
        ids = self.arrays.delegation_ids
        who = np.flatnonzero(row.objectors[:, column])
        who = who[np.argsort(-self.arrays.capability[who], kind="stable")]
        return [ids[i] for i in who]

    def rule_of(self, row) -> RuleSpec:
        """The rule a logged decision was taken under."""
        return self.arrays.fallback_rule if row.stage == "fallback" else self.arrays.decision_rule

    def pivotal(self, row, column: int) -> list[str]:
        """Ids of delegations whose switch would have reversed a logged decision on a provision."""
        a = self.arrays
        decisive = pivotal(
            self.rule_of(row), row.supporters, row.objectors, a.votes, a.capability, row.tally
        )
        return [a.delegation_ids[i] for i in np.flatnonzero(decisive[:, column])]

    # --- tables ------------------------------------------------------------------------------

    @cached_property
    def provisions(self) -> pd.DataFrame:
        """One row per provision: its fate and the tally of its deciding vote."""
        a = self.arrays
        rows = []
        for c, pid in enumerate(a.provision_ids):
            row = self.deciding_vote(c)
            result: Tally | None = row.tally if row else None
            rows.append(
                {
                    "provision": pid,
                    "status_quo": a.status_quo[c],
                    "adopted": bool(self.adopted[c]),
                    "value": self.package[c],
                    "round": int(self.settled_round[c]) if self.adopted[c] else None,
                    "settled_by": self.settled_by[c] or "not adopted",
                    "rule": self.rules["fallback" if row.stage == "fallback" else "decision"]
                    if row
                    else None,
                    "yes": int(result.yes[c]) if result else 0,
                    "no": int(result.no[c]) if result else 0,
                    "abstain": int(result.abstain[c]) if result else 0,
                    "objector_capability": float(result.objector_capability[c]) if result else 0.0,
                    "objectors": ";".join(self.objectors(row, c)) if row else "",
                    "pivotal": ";".join(self.pivotal(row, c)) if row else "",
                }
            )
        return pd.DataFrame(rows)

    @cached_property
    def delegations(self) -> pd.DataFrame:
        """One row per delegation: bloc, signing decision and its decomposition, final preferences."""
        a = self.arrays
        table = pd.DataFrame(
            {
                "delegation": a.delegation_ids,
                "bloc": a.delegation_blocs,
                "capability": a.capability,
                "domestic_openness": a.domestic_openness,
                "seated": self.seated,
                "decision": self.decisions,
                "score": self.score,
                "expected": self.expected,
                **self.terms,
                "informed": self.informed,
            }
        )
        for c, pid in enumerate(a.provision_ids):
            table[f"pref_{pid}"] = self.final_preferences[:, c]
        for c, pid in enumerate(a.provision_ids):
            table[f"home_{pid}"] = self.home_view[:, c]
        for c, pid in enumerate(a.provision_ids):
            table[f"overruled_{pid}"] = self.overruled[:, c]
        return table

    @cached_property
    def events(self) -> pd.DataFrame:
        """The event log: one row per decision on a provision, the final vote, each signing step."""
        a = self.arrays
        ids = a.delegation_ids
        records = []
        for row in self.log_rows:
            round_, stage, draft, decided, result, _, objectors, reservation = row
            decisive = pivotal(
                self.rule_of(row), row.supporters, objectors, a.votes, a.capability, result
            )
            for c in np.flatnonzero(decided):
                who = np.flatnonzero(objectors[:, c])
                lead = ids[who[np.argmax(a.capability[who])]] if who.size else ""
                records.append(
                    {
                        "round": round_,
                        "stage": stage,
                        "provision": a.provision_ids[c],
                        "draft": draft[c],
                        "reservation": float(reservation[c]),
                        "passed": bool(result.passed[c]),
                        "yes": int(result.yes[c]),
                        "no": int(result.no[c]),
                        "abstain": int(result.abstain[c]),
                        "objector_capability": float(result.objector_capability[c]),
                        "lead_objector": lead,
                        "objectors": ";".join(ids[i] for i in who),
                        "pivotal": ";".join(ids[i] for i in np.flatnonzero(decisive[:, c])),
                    }
                )
        end_round = self.rounds_used
        if self.final_tally is not None:
            t = self.final_tally
            records.append(
                {
                    "round": end_round,
                    "stage": "final",
                    "passed": bool(t.passed[0]),
                    "yes": int(t.yes[0]),
                    "no": int(t.no[0]),
                    "abstain": int(t.abstain[0]),
                    "objector_capability": float(t.objector_capability[0]),
                }
            )
        for step, changed, codes in self.cascade_steps:
            for i, code in zip(changed, codes, strict=True):
                records.append(
                    {
                        "round": end_round,
                        "stage": "signing",
                        "step": step,
                        "delegation": ids[i],
                        "decision": DECISIONS[code],
                    }
                )
        columns = [
            "round",
            "stage",
            "provision",
            "draft",
            "reservation",
            "passed",
            "yes",
            "no",
            "abstain",
            "objector_capability",
            "lead_objector",
            "objectors",
            "pivotal",
            "step",
            "delegation",
            "decision",
        ]
        return pd.DataFrame.from_records(records, columns=columns)

    @cached_property
    def trajectory(self) -> pd.DataFrame:
        """Bloc-mean table preferences by round (0 = the mandates).

        One row per round × provision × bloc; delegations without a bloc form "no bloc".
        """
        a = self.arrays
        blocs = np.array([b or "no bloc" for b in a.delegation_blocs], dtype=object)
        names = list(dict.fromkeys(blocs))
        history = np.asarray(self.preference_history)  # (R + 1, N, K)
        rows = []
        for bloc in names:
            means = history[:, blocs == bloc, :].mean(axis=1)  # (R + 1, K)
            for r in range(means.shape[0]):
                for c, pid in enumerate(a.provision_ids):
                    rows.append((r, pid, bloc, float(means[r, c])))
        frame = pd.DataFrame(rows, columns=["round", "provision", "bloc", "preference"])
        return frame.sort_values(["round", "provision", "bloc"], kind="stable", ignore_index=True)

    @cached_property
    def round_table(self) -> pd.DataFrame:
        """One row per round from the model's DataCollector."""
        return pd.DataFrame(self.round_records)

    # --- export ------------------------------------------------------------------------------

    def to_dict(self, digits: int = 6) -> dict:
        """A JSON-ready summary: seed, process, metrics, provisions, delegations."""

        def num(x):
            if x is None or (isinstance(x, float) and np.isnan(x)):
                return None
            return round(float(x), digits)

        provisions = []
        for rec in self.provisions.to_dict("records"):
            provisions.append(
                {
                    "id": rec["provision"],
                    "adopted": rec["adopted"],
                    "value": num(rec["value"]),
                    "round": None if pd.isna(rec["round"]) else int(rec["round"]),
                    "settled_by": rec["settled_by"],
                    "rule": rec["rule"],
                    "tally": {
                        "yes": rec["yes"],
                        "no": rec["no"],
                        "abstain": rec["abstain"],
                        "objector_capability": num(rec["objector_capability"]),
                    },
                    "objectors": rec["objectors"].split(";") if rec["objectors"] else [],
                    "pivotal": rec["pivotal"].split(";") if rec["pivotal"] else [],
                }
            )
        delegations = []
        for i, did in enumerate(self.arrays.delegation_ids):
            entry = {
                "id": did,
                "bloc": self.arrays.delegation_blocs[i] or None,
                "decision": self.decisions[i],
                "seated": bool(self.seated[i]),
                "score": num(self.score[i]),
                "expected": num(self.expected[i]),
            }
            entry.update({term: num(self.terms[term][i]) for term in TERMS})
            entry["overruled"] = [
                pid for c, pid in enumerate(self.arrays.provision_ids) if self.overruled[i, c]
            ]
            delegations.append(entry)
        metrics = {k: (num(v) if isinstance(v, float) else v) for k, v in self.metrics.items()}
        return {
            "scenario": self.scenario_name,
            "seed": self.seed,
            "process": {
                "rules": self.rules,
                "openness": {k: num(v) for k, v in self.openness.items()},
                "rounds": self.rounds,
                "sign_threshold": num(self.sign_threshold),
            },
            "metrics": metrics,
            "provisions": provisions,
            "delegations": delegations,
        }
