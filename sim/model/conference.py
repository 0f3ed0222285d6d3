"""ConferenceModel: the round loop of a treaty conference (docs/model.md §3).

Each round: deliberate → draft → decide (with this round's tolerances). The conference stops
when every provision is settled or at the deadline, where open provisions go to the fallback
vote if one is called, the package to the final rule, and the delegations to the signing stage.

All state is in arrays; ``Delegation`` and ``Stakeholder`` agents are views onto their rows.
Random draws (who seats stakeholders, the constituencies' unobserved views) come only from
``self.rng``, in a fixed order and number, so the same seed gives the same conference.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np
from mesa import DataCollector, Model

from sim.model.agents import Delegation, Stakeholder
from sim.model.mechanisms import (
    concession,
    constituency,
    decision,
    deliberation,
    drafting,
    shadow,
    signing,
    valuation,
)
from sim.model.mechanisms.amendment import (
    Floor,
    amend,
    fallback_outcome,
    median_is_stable,
    weighted_median,
)
from sim.model.mechanisms.decision import RuleSpec, Tally
from sim.model.terms import terms
from sim.scenario.schema import Scenario

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
        n, _, k = a.shape
        self.terms = t = terms(scenario)
        self.access, self.transparency, self.inclusion = t.access, t.transparency, t.inclusion
        self.band = process.abstain_band

        # the run's random draws, always in this order and number
        seat_draws = self.rng.random(n)
        view_draws = self.rng.standard_normal((n, k))
        fixed = a.seated_fixed
        self.seated = np.where(fixed >= 0, fixed == 1, seat_draws < self.inclusion)

        # the home constituency, what it follows, and how it holds the delegate
        dp = process.domestic
        self.home = constituency.home_view(
            a.ideal,
            a.domestic_openness,
            t.home_engagement,
            t.home_centre,
            dp.stakeholder_weight,
            dp.uncertainty,
            view_draws,
        )
        self.informed = constituency.information(self.transparency, self.seated)
        self.oversight = a.domestic_openness * self.informed if mech.oversight else np.zeros(n)
        lam = t.base_susceptibility * (1.0 - process.persuasion.oversight * self.oversight)[:, None]
        self.update = deliberation.update(
            self.home, t.peer_weights, lam, t.stakeholder_pull, t.stakeholder_target
        )

        # state
        self.round = 0
        self.preferences = self.home.copy()
        self.history = [self.preferences]  # table preferences after each round's deliberation
        self.draft = a.status_quo.copy()
        self.settled = np.zeros(k, dtype=bool)
        self.adopted = np.zeros(k, dtype=bool)
        self.value = a.status_quo.copy()
        self.package = a.status_quo.copy()  # the agreed texts, once settled
        self.settled_round = np.zeros(k, dtype=int)
        self.settled_by = np.full(k, "", dtype=object)
        self.objectors = np.zeros((n, k), dtype=bool)
        self.overruled = np.zeros((n, k), dtype=bool)
        self.called = np.zeros(k, dtype=bool)
        self.chair = drafting.Accommodation.start(k, process.chair.accommodation)
        self.objections = 0
        self.signing_codes: np.ndarray | None = None
        self.log: list[Decision] = []  # every decision taken, in order
        self.end: dict = {}
        # moves of seats played by people (sim.classroom): they replace the agent's choice
        self.seat_votes: dict[int, dict[int, bool]] = {}  # this round: seat → provision → accept
        self.seat_texts: dict[int, tuple[int, float]] = {}  # tabled next round: seat → (c, text)
        self.seat_signatures: dict[int, int] = {}  # seat → signing code
        self.hold_signing = False  # a session asks its people before calling sign()

        self.agent_ids = itertools.count(1)  # see sim.model.agents._IdsOnModel
        self.delegations = [Delegation(self, i, did) for i, did in enumerate(a.delegation_ids)]
        self.stakeholders = [Stakeholder(self, j, sid) for j, sid in enumerate(a.stakeholder_ids)]
        self.datacollector = DataCollector(
            model_reporters={
                "round": "round",
                "open": "open_count",
                "adopted": "adopted_count",
                "objections": "objections",
            }
        )

    @property
    def open_count(self) -> int:
        """Provisions still open."""
        return int(len(self.settled) - self.settled.sum())

    @property
    def adopted_count(self) -> int:
        """Provisions adopted so far."""
        return int(self.adopted.sum())

    @property
    def consensus_practice(self) -> bool:
        """Whether the rounds decide by the room (consensus, unanimity) rather than by votes."""
        return not self.arrays.decision_rule.is_vote

    # --- one round ---------------------------------------------------------------------------

    def step(self) -> None:
        """Run one negotiating round; at the deadline or when all is settled, end the conference."""
        floor = self.open_round()
        self.close_round(floor)

    def open_round(self) -> Floor | None:
        """The first half of a round: deliberation, then the chair tables the drafts.

        A session with people in some seats (:mod:`sim.classroom`) shows them the drafts here,
        before :meth:`close_round` decides.
        """
        self.round += 1
        if self.mechanisms.persuasion:
            self.deliberate()
        self.history.append(self.preferences)
        floor = (
            Floor(self.preferences, self.arrays.votes, self.terms.floor_weighs_votes)
            if self.terms.needs_floor
            else None
        )
        self.draft_texts(floor)
        return floor

    def close_round(self, floor: Floor | None) -> None:
        """The second half of a round: the decision; at the deadline, the end of the conference."""
        self.decide(floor)
        self.datacollector.collect(self)
        if self.settled.all() or self.round >= self.process.rounds:
            self.settle()
            if not self.hold_signing:
                self.sign()
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
            text = drafting.compromise_with(self.preferences, t.draft_weights, t.stakeholder_target)
        if self.mechanisms.redrafting:
            text = np.minimum(np.maximum(text + self.chair.offset, 0.0), 100.0)
        if process.drafting == "amendment":
            rule = a.decision_rule if a.decision_rule.is_vote else _MAJORITY
            text = amend(text, floor, rule, self.band)
        if self.seat_texts:  # a seat's proposal is tabled instead; the largest proposer last wins
            text = text.copy()
            for _seat, (c, proposed) in sorted(
                self.seat_texts.items(), key=lambda item: (a.capability[item[0]], -item[0])
            ):
                text[c] = proposed
            self.seat_texts = {}
        self.draft = np.where(self.settled, self.value, text)

    def expected_vote(self) -> np.ndarray:
        """(K,) the text delegations expect a fallback vote to adopt (:mod:`sim.model.mechanisms.shadow`)."""
        a, process = self.arrays, self.process
        if process.fallback_procedure == "closed":
            return self.draft
        if median_is_stable(a.fallback_rule):
            return shadow.expected_text(
                self.preferences, a.fallback_rule, a.votes, self.terms.median_rank
            )
        floor = Floor(self.preferences, a.votes, a.fallback_rule.weighs_votes)
        return amend(self.draft, floor, a.fallback_rule, self.band, only=~self.settled)

    def calls(self, yes, gain, gap_to_status_quo, distance) -> np.ndarray:
        """(K,) where a sincere vote (:func:`shadow.supporters`) would be called.

        Everywhere, unless calling a vote has a cost (a consensus practice with vote calling).
        """
        if not (self.consensus_practice and self.mechanisms.vote_calling):
            return np.ones(yes.shape[1], dtype=bool)
        return shadow.called(
            yes,
            gain,
            gap_to_status_quo,
            distance,
            self.arrays.salience,
            self.process.voting.call_cost,
        )

    def decide(self, floor: Floor | None) -> None:
        """Each open provision's draft is put to the decision rule.

        Under a voting rule the draft is voted against the status quo. Under a consensus
        practice with a fallback vote, failing leads to what that vote would produce where it
        is credible (bargaining in the shadow of the vote, Golub 1999), else to the status quo;
        a loss against a credible vote smaller than the cost of calling it is let pass.
        """
        a = self.arrays
        open_ = ~self.settled
        yes, no, reservation, tol = self.judge()
        for seat, choices in self.seat_votes.items():
            for c, accept in choices.items():
                if open_[c]:
                    yes[seat, c], no[seat, c] = accept, not accept
        self.seat_votes = {}
        result = decision.tally(
            a.decision_rule, yes, no, a.votes, a.capability, self._changes(self.draft)
        )
        newly = open_ & result.passed
        self._adopt(newly, self.draft, no, "decision")
        self.objectors = no & (open_ & ~result.passed)
        if self.mechanisms.redrafting:
            reach = np.minimum(tol, np.abs(reservation - self.preferences) + self.band)
            self.chair = drafting.accommodate(
                self.chair, self.draft, self.preferences, self.objectors, a.capability, reach
            )
        self.objections = int(result.no[open_].sum())
        self.log.append(
            Decision(self.round, "decision", self.draft, open_, result, yes, no, reservation)
        )

    def judge(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """What every delegation would do with the drafts on the table, changing nothing.

        Returns:
            (supporters, objectors, reservation, tolerance): (N, K), (N, K), (K,), (N, K).
        """
        a, process = self.arrays, self.process
        open_ = ~self.settled
        stake = np.abs(a.status_quo - self.preferences)
        reservation, slack = a.status_quo, None
        if a.fallback_rule is not None and self.consensus_practice:
            voted = self.expected_vote()
            yes, no, gain, distance = shadow.supporters(voted, self.preferences, stake, self.band)
            credible = open_ & shadow.carries(
                a.fallback_rule, yes, no, a.votes, self._changes(voted)
            )
            credible &= self.calls(yes, gain, stake, distance)
            reservation = np.where(credible, voted, a.status_quo)
            if self.mechanisms.vote_calling:
                slack = np.where(credible, process.voting.call_cost, 0.0)
        # how far a delegation will go: a share of what any agreement can give it (its distance
        # from the status quo), never beyond what failing would give it (its reservation)
        if self.mechanisms.concession:
            tol = concession.tolerance(
                stake,
                self.round,
                process.rounds,
                a.concession_style,
                self.terms.hold,
                process.concession.base_tolerance,
            )
        else:
            tol = stake
        yes, no = decision.classify(
            self.draft,
            self.preferences,
            reservation,
            tol,
            self.band,
            vote=not self.consensus_practice,
            salience=a.salience,
            slack=slack,
        )
        return yes, no, reservation, tol

    def _adopt(self, newly: np.ndarray, text: np.ndarray, objectors: np.ndarray, how: str) -> None:
        if not newly.any():
            return
        self.adopted |= newly
        self.value = np.where(newly, text, self.value)
        self.settled_round[newly] = self.round
        self.settled_by[newly] = how
        self.settled |= newly
        self.overruled |= objectors & newly

    def _changes(self, text: np.ndarray) -> np.ndarray:
        """Which texts differ from the status quo by more than the abstention band."""
        return np.abs(text - self.arrays.status_quo) > max(self.band, 1e-9)

    # --- the end -----------------------------------------------------------------------------

    def conclude(self) -> None:
        """Fallback votes on open provisions, the vote on the package, then signing."""
        self.settle()
        self.sign()

    def settle(self) -> None:
        """Fallback votes on the open provisions; home learns what it followed."""
        a, mech = self.arrays, self.mechanisms
        open_ = ~self.settled
        if a.fallback_rule is not None and open_.any():
            floor = Floor(self.preferences, a.votes, a.fallback_rule.weighs_votes)
            voted, _, _ = fallback_outcome(
                self.draft,
                a.status_quo,
                floor,
                a.fallback_rule,
                self.band,
                only=open_,
                procedure=self.process.fallback_procedure,
            )
            gap = np.abs(a.status_quo - self.preferences)
            yes, no, gain, distance = shadow.supporters(voted, self.preferences, gap, self.band)
            result = decision.tally(
                a.fallback_rule, yes, no, a.votes, a.capability, self._changes(voted)
            )
            self.called = open_ & self.calls(yes, gain, gap, distance)
            self._adopt(self.called & result.passed, voted, no, "fallback")
            self.settled_by[open_ & ~self.called] = "no vote called"
            if self.called.any():
                self.log.append(
                    Decision(
                        self.round, "fallback", voted, self.called, result, yes, no, a.status_quo
                    )
                )
        self.settled[:] = True

        self.package = np.where(self.adopted, self.value, a.status_quo)
        if mech.home_learning:
            self.home = constituency.learn(
                self.home, self.preferences, self.informed, self.process.domestic.learning
            )

    def sign(self) -> None:
        """The vote on the package, then each home's signing decision (a refusal cascade).

        Depends only on the settled state, so it may be solved again (a session does, once
        with the agents' choices to show them as defaults and once with the people's).
        """
        a, mech = self.arrays, self.mechanisms
        package = self.package
        table = valuation.package_value(package, a.status_quo, self.preferences, a.salience)
        home = (
            valuation.package_value(package, a.status_quo, self.home, a.salience)
            if mech.two_level
            else table
        )
        sp = self.process.signing
        grievance = (
            signing.grievance(self.overruled, a.salience, sp.grievance)
            if mech.grievance
            else np.zeros(len(table))
        )
        verdict = home + grievance - sp.sign_threshold
        belief = signing.expectation(verdict, table, home, self.informed)
        treaty, final = self._final_vote(belief)
        self.end = {
            "package": package,
            "table_value": table,
            "home_value": home,
            "grievance": grievance,
            "verdict": verdict,
            "belief": belief,
            "treaty": treaty,
            "final": final,
        }
        if treaty:
            fixed = None
            if self.seat_signatures:
                fixed = np.full(len(table), -1, dtype=np.int8)
                for seat, code in self.seat_signatures.items():
                    fixed[seat] = code
            result = signing.cascade(
                verdict,
                belief,
                self.terms.peer_shares,
                sp.bloc_pull if mech.bloc_cascade else 0.0,
                mech.deferral,
                fixed,
            )
            self.signing_codes = result.decisions
            self.end.update(bloc_pull=result.pull, cascade=result)
        else:
            self.signing_codes = np.full(len(table), signing.NONE, dtype=np.int8)

    def _final_vote(self, belief: np.ndarray) -> tuple[bool, Tally | None]:
        """The package vote: each delegation votes by whether it expects its home to sign."""
        a = self.arrays
        if not self.adopted.any():
            return False, None
        if a.final_rule is None:
            return True, None
        result = signing.package_vote(belief, a.final_rule, a.votes, a.capability, self.band)
        return bool(result.passed[0]), result


class Decision(NamedTuple):
    """One decision on the open provisions: arrays over K provisions (objectors N × K).

    The model never changes these arrays in place after recording them.
    """

    round: int
    stage: str  # "decision" or "fallback"
    draft: np.ndarray
    decided: np.ndarray  # which provisions were put to this decision
    tally: Tally
    supporters: np.ndarray
    objectors: np.ndarray
    reservation: np.ndarray
