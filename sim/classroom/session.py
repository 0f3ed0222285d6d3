"""One classroom session: the conference model driven round by round, some seats played by people.

The session is the model itself (no second copy of the rules): each round it opens the round
(:meth:`ConferenceModel.open_round`), shows every human seat the drafts with what the agent in
that seat would do, takes their moves, and closes the round with them
(:meth:`ConferenceModel.close_round`). At the end it shows each human seat the package and its
agent's signing choice, takes their decisions, and solves the signing stage with them. Every
prompt, move and event is recorded; the same scenario, seed and moves replay to the same session.

Moves: for each open provision ``accept`` or ``object`` (missing: the agent's choice), at most
one proposed text for one provision (tabled by the chair in the next round in place of its own
draft), and at the end ``sign``, ``refuse`` or ``defer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.errors import InputError
from sim.model.conference import ConferenceModel
from sim.model.mechanisms.signing import DECISIONS
from sim.results.outcome import Outcome
from sim.scenario.schema import Scenario

CODES = {name: code for code, name in enumerate(DECISIONS)}


@dataclass
class RoundMove:
    """One human seat's moves in one round."""

    votes: dict[str, bool] = field(default_factory=dict)  # provision → accept (True) / object
    proposal: tuple[str, float] | None = None  # (provision, text) tabled next round


class Session:
    """A conference with people in some seats.

    Args:
        scenario: a validated scenario.
        seed: the run's seed.
        humans: delegation ids played by people, in the order they are asked.

    Raises:
        InputError: for an unknown or repeated delegation id.
    """

    def __init__(self, scenario: Scenario, seed: int, humans: list[str]):
        ids = list(scenario.arrays.delegation_ids)
        problems = [h for h in humans if h not in ids]
        if problems:
            raise InputError.single(
                "--human", problems[0], f"no such delegation (choose from {', '.join(ids)})"
            )
        if len(set(humans)) != len(humans) or not humans:
            raise InputError.single(
                "--human", ",".join(humans), "give each seat once, at least one"
            )
        self.scenario = scenario
        self.seed = int(seed)
        self.humans = list(humans)
        self.seats = {h: ids.index(h) for h in humans}
        self.model = ConferenceModel(scenario, seed)
        self.model.hold_signing = True
        self.provision_ids = list(scenario.arrays.provision_ids)
        self.titles = {p.id: p.title for p in scenario.provisions}
        self.record: dict = {
            "scenario": scenario.name,
            "seed": self.seed,
            "humans": self.humans,
            "rounds": [],
            "signing": None,
            "finished": False,
        }
        self._floor = None
        self._open = False
        self.prompts: dict = {}  # what each human seat was last shown

    # --- rounds -------------------------------------------------------------------------------

    @property
    def negotiating(self) -> bool:
        """Whether rounds remain to be played."""
        return self.model.running

    def open_round(self) -> dict:
        """Open the next round; returns what each human seat is shown (its prompt)."""
        if not self.model.running or self._open:
            raise RuntimeError("no round to open")
        self._floor = self.model.open_round()
        self._open = True
        yes, _, _, _ = self.model.judge()
        m = self.model
        prompts = {}
        for human, i in self.seats.items():
            rows = []
            for c, pid in enumerate(self.provision_ids):
                if m.settled[c]:
                    continue
                rows.append(
                    {
                        "provision": pid,
                        "title": self.titles[pid],
                        "draft": round(float(m.draft[c]), 1),
                        "status_quo": float(self.scenario.arrays.status_quo[c]),
                        "position": round(float(m.preferences[i, c]), 1),
                        "default": "accept" if yes[i, c] else "object",
                    }
                )
            prompts[human] = {"round": m.round, "rounds": m.process.rounds, "provisions": rows}
        self.prompts = prompts
        return prompts

    def close_round(self, moves: dict[str, RoundMove]) -> dict:
        """Apply the human seats' moves and decide the round; returns what happened."""
        if not self._open:
            raise RuntimeError("no open round")
        m = self.model
        unknown = set(moves) - set(self.seats)
        if unknown:
            raise ValueError(f"not a human seat: {sorted(unknown)}")
        recorded = {}
        for human, move in moves.items():
            i = self.seats[human]
            choices = {}
            for pid, accept in move.votes.items():
                c = self.provision_ids.index(pid)
                if not m.settled[c]:
                    choices[c] = bool(accept)
            if choices:
                m.seat_votes[i] = choices
            if move.proposal is not None:
                pid, text = move.proposal
                m.seat_texts[i] = (self.provision_ids.index(pid), float(np.clip(text, 0, 100)))
            recorded[human] = {
                "votes": {pid: ("accept" if a else "object") for pid, a in move.votes.items()},
                "proposal": list(move.proposal) if move.proposal else None,
            }
        before = m.settled.copy()
        proposals = {h: r["proposal"] for h, r in recorded.items() if r["proposal"]}
        m.close_round(self._floor)
        self._open = False
        adopted = [
            {
                "provision": pid,
                "text": round(float(m.value[c]), 1),
                "how": m.settled_by[c],
            }
            for c, pid in enumerate(self.provision_ids)
            if m.settled[c] and not before[c] and m.adopted[c]
        ]
        event = {
            "round": m.round,
            "prompts": self.prompts,
            "moves": recorded,
            "proposals_tabled_next": proposals,
            "adopted": adopted,
            "objections": m.objections,
            "ended": not m.running,
        }
        self.record["rounds"].append(event)
        return event

    # --- signing ------------------------------------------------------------------------------

    def signing_prompt(self) -> dict:
        """After the last round: the package and each human seat's agent choice."""
        if self.model.running:
            raise RuntimeError("the conference is still negotiating")
        m = self.model
        m.seat_signatures = {}
        m.sign()  # the agents' choices, shown as defaults
        codes = m.signing_codes
        package = {
            pid: {"text": round(float(m.package[c]), 1), "adopted": bool(m.adopted[c])}
            for c, pid in enumerate(self.provision_ids)
        }
        seats = {
            human: {
                "default": DECISIONS[codes[i]],
                "home_value": round(float(m.end["home_value"][i]), 3),
            }
            for human, i in self.seats.items()
        }
        return {"treaty": bool(m.end["treaty"]), "package": package, "seats": seats}

    def finish(self, decisions: dict[str, str]) -> Outcome:
        """Solve the signing stage with the human seats' decisions; returns the outcome."""
        m = self.model
        prompt = self.signing_prompt()
        chosen = {}
        for human in self.humans:
            decision = decisions.get(human) or prompt["seats"][human]["default"]
            if prompt["treaty"] and decision not in ("sign", "refuse", "defer"):
                raise ValueError(f"{human}: {decision!r} is not sign, refuse or defer")
            chosen[human] = decision
        if prompt["treaty"]:
            m.seat_signatures = {self.seats[h]: CODES[d] for h, d in chosen.items()}
            m.sign()
        outcome = Outcome.from_model(m)
        self.record["signing"] = {"prompt": prompt, "decisions": chosen}
        self.record["finished"] = True
        self.record["metrics"] = outcome.to_dict()["metrics"]
        return outcome
