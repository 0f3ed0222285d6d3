"""ConferenceModel: the round loop of a treaty conference (docs/model.md §3).

Each round: deliberate → draft → decide (with this round's tolerances). The conference stops
when every provision is settled or at the deadline, where open provisions go to the fallback
rule, the package to the final rule, and the delegations to the signing stage.

All state is in arrays; ``Delegation`` and ``Stakeholder`` agents are views onto their rows.
Random draws (who seats stakeholders, signing noise) come only from ``self.rng``, in a fixed
order, so the same seed gives the same conference.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np
from mesa import DataCollector, Model

from sim.agents import Delegation, Stakeholder
from sim.mechanisms import concession, deliberation, drafting, signing
from sim.mechanisms.amendment import Floor, amend, fallback_outcome, weighted_median
from sim.mechanisms.decision import RuleSpec, Tally, classify, tally
from sim.scenario import Scenario
from sim.terms import terms

_MAJORITY = RuleSpec("majority")


class ConferenceModel(Model):
    """A conference run on a validated scenario.

    Args:
        scenario: the validated scenario (kept as ``self.spec``; Mesa 3.5 reserves
            ``self.scenario`` for its own use).
        seed: a plain integer; the run's only source of randomness.
    """

    def __init__(self, scenario: Scenario, seed: int):
        super().__init__(rng=int(seed))
        self.spec = scenario
        self.seed = int(seed)
        self.arrays = a = scenario.arrays
        self.process = process = scenario.process
        self.mechanisms = mech = process.mechanisms
        n, m, k = a.shape
        self.terms = t = terms(scenario)
        self.access, self.transparency, self.inclusion = t.access, t.transparency, t.inclusion
        self.band = process.abstain_band

        # the run's random draws, always in this order and number
        seat_draws = self.rng.random(n)
        fixed = a.seated_fixed
        self.seated = np.where(fixed >= 0, fixed == 1, seat_draws < self.inclusion)

        # lobbying depends on who is seated, so on the draws
        pp = process.persuasion
        lobbying = (
            deliberation.lobbying_weights(
                a.resources,
                a.stakeholder_home,
                a.domestic_openness,
                self.seated,
                self.access,
                self.transparency,
                pp.lobby_weight,
                pp.domestic_weight,
                pp.aim_floor,
            )
            if mech.lobbying and m > 0
            else np.zeros((n, m))
        )
        self.pull, self.target = deliberation.stakeholder_pull(
            lobbying, a.stakeholder_salience, a.stakeholder_positions
        )
        self.update = deliberation.update(
            a.ideal, t.peer_weights, t.susceptibility, self.pull, self.target
        )

        # state
        self.round = 0
        self.preferences = a.ideal.copy()
        self.draft = a.status_quo.copy()
        self.settled = np.zeros(k, dtype=bool)
        self.adopted = np.zeros(k, dtype=bool)
        self.value = a.status_quo.copy()
        self.settled_round = np.zeros(k, dtype=int)
        self.settled_by = np.full(k, "", dtype=object)
        self.objectors = np.zeros((n, k), dtype=bool)
        self.chair = drafting.Accommodation.start(k, process.chair.accommodation)
        self.objections = 0
        self.signing_codes: np.ndarray | None = None
        self.log = RoundLog()
        self.end: dict = {}

        self.agent_ids = itertools.count(1)  # see sim.agents._IdsOnModel
        self.delegations = [Delegation(self, i, did) for i, did in enumerate(a.delegation_ids)]
        self.stakeholders = [Stakeholder(self, j, sid) for j, sid in enumerate(a.stakeholder_ids)]
        self.datacollector = DataCollector(
            model_reporters={
                "round": lambda model: model.round,
                "open": lambda model: int((~model.settled).sum()),
                "adopted": lambda model: int(model.adopted.sum()),
                "objections": lambda model: model.objections,
            }
        )

    # --- one round ---------------------------------------------------------------------------

    def step(self) -> None:
        """Run one negotiating round; at the deadline or when all is settled, end the conference."""
        self.round += 1
        if self.mechanisms.persuasion:
            self.deliberate()
        floor = (
            Floor(self.preferences, self.arrays.votes, self.terms.floor_weighs_votes)
            if self.terms.needs_floor
            else None
        )
        self.draft_texts(floor)
        self.decide(floor)
        self.datacollector.collect(self)
        if self.settled.all() or self.round >= self.process.rounds:
            self.conclude()
            self.running = False

    def deliberate(self) -> None:
        """Friedkin–Johnsen step on every provision."""
        self.preferences = deliberation.deliberate(self.preferences, self.update)

    def draft_texts(self, floor: Floor | None) -> None:
        """The chair tables a text on every open provision."""
        process, a = self.process, self.arrays
        if process.drafting == "median":
            weights = a.votes if a.decision_rule.uses_votes else np.ones(len(a.votes))
            text = weighted_median(self.preferences, weights)
        else:
            t = self.terms
            text = drafting.compromise_with(
                self.preferences, t.draft_weight, t.draft_fixed, t.draft_total
            )
        if self.mechanisms.redrafting:
            text = np.clip(text + self.chair.offset, 0.0, 100.0)
        if process.drafting == "amendment":
            rule = a.decision_rule if a.decision_rule.is_vote else _MAJORITY
            text = amend(text, floor, rule, self.band)
        self.draft = np.where(self.settled, self.value, text)

    def reservation(self, floor: Floor | None) -> np.ndarray:
        """(K,) what failing a draft leads to: the fallback vote's outcome, or the status quo."""
        a = self.arrays
        if a.fallback_rule is None:
            return a.status_quo
        outcome, _ = fallback_outcome(
            self.draft, a.status_quo, floor, a.fallback_rule, self.band, only=~self.settled
        )
        return outcome

    def decide(self, floor: Floor | None) -> None:
        """Each open provision's draft is put to the decision rule."""
        a, process = self.arrays, self.process
        reservation = self.reservation(floor)
        gap = np.abs(reservation - self.preferences)
        if self.mechanisms.concession:
            tol = concession.tolerance(
                gap,
                self.round,
                process.rounds,
                a.concession_style,
                self.terms.hold,
                process.concession.base_tolerance,
                self.terms.keep,
            )
        else:
            tol = gap
        yes, no = classify(self.draft, self.preferences, reservation, tol, self.band)
        result = tally(a.decision_rule, yes, no, a.votes, a.capability, self._changes(self.draft))
        open_ = ~self.settled
        newly = open_ & result.passed
        self.adopted |= newly
        self.value = np.where(newly, self.draft, self.value)
        self.settled_round[newly] = self.round
        self.settled_by[newly] = "decision"
        self.settled |= newly
        self.objectors = no & (open_ & ~result.passed)
        if self.mechanisms.redrafting:
            reach = np.minimum(tol, gap)
            self.chair = drafting.accommodate(
                self.chair, self.draft, self.preferences, self.objectors, a.capability, reach
            )
        self.objections = int(result.no[open_].sum())
        self.log.record(self.round, "decision", self.draft, open_, result, yes, no, reservation)

    def _changes(self, text: np.ndarray) -> np.ndarray:
        """Which texts differ from the status quo by more than the abstention band."""
        return np.abs(text - self.arrays.status_quo) > max(self.band, 1e-9)

    # --- the end -----------------------------------------------------------------------------

    def conclude(self) -> None:
        """Fallback on open provisions, the final vote on the package, then signing."""
        a = self.arrays
        open_ = ~self.settled
        if a.fallback_rule is not None and open_.any():
            floor = Floor(self.preferences, a.votes, a.fallback_rule.weighs_votes)
            amended = amend(self.draft, floor, a.fallback_rule, self.band, only=open_)
            yes, no = classify(amended, self.preferences, a.status_quo, np.inf, self.band)
            result = tally(a.fallback_rule, yes, no, a.votes, a.capability, self._changes(amended))
            newly = open_ & result.passed
            self.adopted |= newly
            self.value = np.where(newly, amended, self.value)
            self.settled_round[newly] = self.round
            self.settled_by[newly] = "fallback"
            self.log.record(self.round, "fallback", amended, open_, result, yes, no, a.status_quo)
        self.settled[:] = True

        package = np.where(self.adopted, self.value, a.status_quo)
        own = signing.package_value(package, a.status_quo, self.preferences, a.salience)
        treaty, final = self._final_vote(own)
        sp = self.process.signing
        omega = signing.experienced_openness(self.access, self.transparency, self.seated)
        legit = (
            signing.legitimacy(
                a.domestic_openness, omega, sp.legitimacy_weight, sp.reference_openness
            )
            if self.mechanisms.legitimacy
            else np.zeros(len(own))
        )
        self.end = {
            "package": package,
            "own_value": own,
            "treaty": treaty,
            "final": final,
            "openness": omega,
            "legitimacy": legit,
        }
        if treaty:
            self.sign(package, own)
        else:
            self.signing_codes = np.full(len(own), signing.NONE, dtype=np.int8)

    def _final_vote(self, own: np.ndarray) -> tuple[bool, Tally | None]:
        a = self.arrays
        if not self.adopted.any():
            return False, None
        if a.final_rule is None:
            return True, None
        gain = (100.0 * own)[:, None]
        yes, no = gain > self.band, gain < -self.band
        result = tally(a.final_rule, yes, no, a.votes, a.capability)
        return bool(result.passed[0]), result

    def sign(self, package: np.ndarray, own: np.ndarray) -> None:
        """The two-level signing stage with the bloc cascade."""
        a, sp, mech = self.arrays, self.process.signing, self.mechanisms
        # always drawn, so the stream stays aligned across designs; + 0.0 clears negative zeros
        noise = self.rng.standard_normal(len(own)) * self.process.noise + 0.0
        o = a.domestic_openness
        if mech.domestic:
            st_value = signing.package_value(
                package, a.status_quo, a.stakeholder_positions, a.stakeholder_salience
            )
            domestic = signing.domestic_value(st_value, a.resources, a.stakeholder_home, own)
        else:
            domestic = own
        legit = self.end["legitimacy"]
        base = (1.0 - o) * own + o * domestic + legit + noise
        may_defer = (
            (o >= sp.defer_openness) & ~self.seated if mech.deferral else np.zeros(len(own), bool)
        )
        result = signing.cascade(
            base,
            a.peers,
            sp.bloc_pull if mech.bloc_cascade else 0.0,
            sp.sign_threshold,
            sp.refuse_threshold,
            may_defer,
        )
        self.signing_codes = result.decisions
        self.end.update(
            domestic_value=domestic,
            noise=noise,
            bloc_pull=result.pull,
            score=base + result.pull,
            cascade=result,
        )


class Decision(NamedTuple):
    """One decision on the open provisions: arrays over K provisions (objectors N × K)."""

    round: int
    stage: str  # "decision" or "fallback"
    draft: np.ndarray
    decided: np.ndarray  # which provisions were put to this decision
    tally: Tally
    supporters: np.ndarray
    objectors: np.ndarray
    reservation: np.ndarray


class RoundLog:
    """Every decision taken, in order."""

    def __init__(self):
        self.rows: list[Decision] = []

    def record(
        self,
        round_: int,
        stage: str,
        draft: np.ndarray,
        decided: np.ndarray,
        result: Tally,
        supporters: np.ndarray,
        objectors: np.ndarray,
        reservation: np.ndarray,
    ) -> None:
        """Keep one decision's arrays (the model never changes them in place after this)."""
        self.rows.append(
            Decision(
                round_,
                stage,
                draft,
                decided,
                result,
                supporters,
                objectors,
                np.broadcast_to(reservation, draft.shape),
            )
        )
