"""The scenario schema: what a conference is made of and how it is run.

Every model is frozen and forbids unknown keys, so a typo in a scenario is an error naming the
field, never a silent default. Cross-field checks (references between tables, inheritance of
positions from blocs) run when a ``Scenario`` is built, so a ``Scenario`` that exists is valid.
``docs/scenario-format.md`` documents every key; a test keeps the two in step.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator

from sim.errors import CrossFieldProblems
from sim.model.mechanisms.decision import VOTING
from sim.scenario.presets import OPENNESS_PRESETS, ConcessionStyleName, OpennessPreset

Id = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$",
        description="letters, digits, '_' or '-', starting with a letter or digit",
    ),
]
#: The largest scale-free number (capability, votes, resources, salience, quota): 10¹⁵ holds a
#: GDP in dollars, and sums of a million of them stay far from overflow.
MAX_SCALE = 1e15
#: The largest conference treatysim runs: actors per table, provisions, and actor × provision
#: cells. Memory is linear in the cells: at the cell limit (19,800 actors × 100 provisions) one
#: run peaks at 1.2 GB and validating and running it takes 8 s (100,000 delegations × 9
#: provisions: 0.9 GB, 7 s). Every UN member with a hundred stakeholders each is well inside it.
MAX_ACTORS = 100_000
MAX_PROVISIONS = 1_000
MAX_CELLS = 2_000_000
#: The largest coefficient in value units (a package is worth −1 to 1) or concession exponent.
MAX_COEFFICIENT = 100.0


def _not_a_boolean(value: object) -> object:
    """Refuse ``true``/``false`` where a number is wanted (pydantic would read them as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


def _number(**bounds) -> object:
    """A finite float within ``bounds``; booleans refused."""
    return Annotated[float, BeforeValidator(_not_a_boolean), Field(allow_inf_nan=False, **bounds)]


Score = _number(ge=0, le=100)
Share = _number(ge=0, le=1)
Weight = _number(ge=0, le=MAX_SCALE)  # relative weights: salience, votes
Magnitude = _number(gt=0, le=MAX_SCALE)  # positive scale: capability, resources, quota
Points = _number(ge=0, le=100)  # a spread in points on the 0–100 scale
Coefficient = _number(ge=0, le=MAX_COEFFICIENT)  # in value units
Cost = _number(ge=-MAX_COEFFICIENT, le=MAX_COEFFICIENT)  # a signed amount in value units
Count = Annotated[int, BeforeValidator(_not_a_boolean)]
Flag = Annotated[bool, Field(strict=True)]  # true or false, never 1 or "yes"

DecisionRule = Literal[("unanimity", "consensus", *VOTING)]  # type: ignore[valid-type]
ConcessionStyle = _number(gt=0, le=MAX_COEFFICIENT) | ConcessionStyleName
StakeholderKind = Literal["ngo", "industry", "technical", "academic"]


class Frozen(BaseModel):
    """Base for every scenario table: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Provision(Frozen):
    """One contested item of the treaty text, a dimension on a 0–100 scale."""

    id: Id
    title: str = Field(min_length=1)
    description: str = ""
    status_quo: Score = Field(0.0, description="the reversion point if nothing is adopted")


class Bloc(Frozen):
    """A coalition; members inherit its positions and salience unless they give their own."""

    id: Id
    name: str = ""
    parent: Id | None = Field(None, description="the bloc this one nests in")
    positions: dict[Id, Score] = Field(default_factory=dict)
    salience: dict[Id, Weight] = Field(default_factory=dict)


class Delegation(Frozen):
    """A state delegation: the actors who decide and sign."""

    id: Id
    name: str = ""
    bloc: Id | None = Field(None, description="primary bloc; positions are inherited from it")
    coalitions: list[Id] = Field(
        default_factory=list, description="further blocs it belongs to (peers, bloc pull)"
    )
    capability: Magnitude = Field(1.0, description="bargaining clout, any positive scale")
    votes: Weight = Field(1.0, description="formal voting weight (weighted rules)")
    domestic_openness: Share = Field(
        0.5, description="how far home stakeholders and public hold it to account"
    )
    positions: dict[Id, Score] = Field(default_factory=dict)
    salience: dict[Id, Weight] = Field(default_factory=dict)
    concession: ConcessionStyle | None = Field(
        None,
        description="β of the concession tactic or a style name; default process.concession.style",
    )
    seated: Flag | None = Field(
        None, description="fix whether it seats its home stakeholders (else drawn with inclusion)"
    )


class Stakeholder(Frozen):
    """A non-state actor: NGO, industry, technical community or academia."""

    id: Id
    name: str = ""
    kind: StakeholderKind
    home: Id | None = Field(None, description="home delegation id; none = transnational")
    resources: Magnitude = 1.0
    positions: dict[Id, Score] = Field(min_length=1)
    salience: dict[Id, Weight] = Field(default_factory=dict)


class Openness(Frozen):
    """The process design: a preset, the three dimensions, or a preset with some overridden."""

    preset: OpennessPreset | None = None
    access: Share | None = Field(
        None, description="α: 0 nothing, 0.25 observe, 0.6 speak, 1 co-draft"
    )
    transparency: Share | None = Field(None, description="τ: share of drafts/sessions/votes public")
    inclusion: Share | None = Field(
        None, description="μ: share of delegations seating stakeholders"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_preset_name(cls, data: object) -> object:
        return {"preset": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _complete(self) -> Openness:
        if self.preset is None:
            missing = [
                name
                for name in ("access", "transparency", "inclusion")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(
                    f"give a preset or all of access, transparency, inclusion (missing {', '.join(missing)})"
                )
        return self

    def values(self) -> tuple[float, float, float]:
        """Return (access, transparency, inclusion), presets filled in."""
        base = OPENNESS_PRESETS[self.preset] if self.preset else (0.0, 0.0, 0.0)
        given = (self.access, self.transparency, self.inclusion)
        return tuple(b if g is None else g for b, g in zip(base, given, strict=True))  # type: ignore[return-value]


class Mechanisms(Frozen):
    """Switch each mechanism on or off, to ablate it (docs/model.md §4 lists what each does)."""

    persuasion: Flag = Field(True, description="Friedkin–Johnsen preference change at the table")
    lobbying: Flag = Field(
        True, description="stakeholders in the room: heard in persuasion and drafting, by access"
    )
    oversight: Flag = Field(
        True, description="a home that follows the negotiation holds its delegate to its view"
    )
    redrafting: Flag = Field(True, description="chair moves a failed draft toward its objectors")
    concession: Flag = Field(True, description="tolerance grows toward the deadline")
    vote_calling: Flag = Field(
        True,
        description="under consensus practice a vote is called only when someone's stake is worth its cost",
    )
    two_level: Flag = Field(
        True, description="the package is judged at home by the constituency, not by the delegate"
    )
    home_learning: Flag = Field(
        True, description="a home that follows the negotiation moves toward its delegation's view"
    )
    grievance: Flag = Field(
        True, description="delegations overruled on a provision carry it into signing"
    )
    deferral: Flag = Field(
        True, description="a delegation that expected its home to accept, but home does not, defers"
    )
    bloc_cascade: Flag = Field(True, description="bloc peers pull signing decisions together")


class ConsensusParams(Frozen):
    """The chair's sense of the room."""

    capability_share: Share = Field(0.10, description="objectors holding more capability block")
    count_share: Share = Field(0.10, description="objectors more numerous than this share block")


class PersuasionParams(Frozen):
    """Friedkin–Johnsen deliberation (docs/model.md §7.1)."""

    susceptibility: Share = Field(0.5, description="λ₀: openness to influence at zero salience")
    salience_resistance: Share = Field(
        0.5, description="susceptibility falls with relative salience"
    )
    bloc_weight: Share = Field(0.5, description="share of attention on bloc peers vs the plenary")
    oversight: Share = Field(
        0.5,
        description="η: share of susceptibility a fully informed, fully accountable home removes",
    )


class LobbyingParams(Frozen):
    """Stakeholders in the room (docs/model.md §7.1–7.2)."""

    voice: Share = Field(
        0.2,
        description="v: share of the floor and of the chair's text civil society holds at full access and engagement",
    )


class DomesticParams(Frozen):
    """The home constituency that judges the package (docs/model.md §7.6)."""

    stakeholder_weight: Share = Field(
        0.5,
        description="weight of organised home stakeholders in the constituency's view where they take a position",
    )
    uncertainty: Points = Field(
        8.0,
        description="sd, in points, of the constituency's unobserved departure from the mandate (× o_i)",
    )
    learning: Share = Field(
        0.5,
        description="ψ: share of the way to its delegation's view a home that followed everything moves",
    )


class ChairParams(Frozen):
    """The chair's drafting (docs/model.md §7.2)."""

    accommodation: Share = Field(
        0.3,
        description="η: first pull of a failed draft toward its objectors (halved when they switch sides)",
    )


class ConcessionParams(Frozen):
    """Time-dependent tolerance (docs/model.md §7.4)."""

    base_tolerance: Score = Field(2.0, description="θ₀: tolerance from the first round")
    style: ConcessionStyle = Field(1.0, description="default β: <1 Boulware, 1 linear, >1 Conceder")
    salience_holdout: Share = Field(0.5, description="κ: hold out longer on salient provisions")


class VotingParams(Frozen):
    """Votes under a consensus practice (docs/model.md §7.5)."""

    call_cost: Coefficient = Field(
        0.02,
        description="c_v: stake (value units) a delegation needs on a provision to call a vote on it",
    )


class SigningParams(Frozen):
    """The two-level signing stage (docs/model.md §7.6)."""

    sign_threshold: Cost = Field(
        0.0, description="θ: a home signs when its score reaches this (the cost of an obligation)"
    )
    grievance: Coefficient = Field(
        0.1, description="ζ: score lost per unit of salience on which a delegation was overruled"
    )
    bloc_pull: Coefficient = Field(0.1, description="β_bloc: pull of bloc peers' signing share")


class Process(Frozen):
    """How the conference decides."""

    decision_rule: DecisionRule = "consensus"
    threshold: Share | None = Field(
        None, description="share of present-and-voting needed (voting rules; default by rule)"
    )
    quota: Magnitude | None = Field(None, description="absolute votes needed (weighted rule)")
    weight_threshold: Share | None = Field(
        None, description="double majority: share of vote weight needed (default 0.5)"
    )
    fallback_rule: Literal[("none", *VOTING)] = Field(  # type: ignore[valid-type]
        "none", description="vote on provisions still open at the deadline"
    )
    final_rule: DecisionRule | Literal["none"] | None = Field(
        None, description="rule for the package; default: the decision rule"
    )
    fallback_procedure: Literal["amendment", "closed"] = Field(
        "amendment",
        description="amendment: the floor may amend the text before the vote; closed: the chair's text, yes or no",
    )
    rounds: Count = Field(10, ge=1, le=1000)
    drafting: Literal["compromise", "median", "amendment"] = "compromise"
    openness: Openness = Field(default_factory=lambda: Openness(preset="observer"))
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    abstain_band: Score = Field(1.0, description="delegations this near indifference abstain")
    consensus: ConsensusParams = Field(default_factory=ConsensusParams)
    persuasion: PersuasionParams = Field(default_factory=PersuasionParams)
    lobbying: LobbyingParams = Field(default_factory=LobbyingParams)
    domestic: DomesticParams = Field(default_factory=DomesticParams)
    chair: ChairParams = Field(default_factory=ChairParams)
    concession: ConcessionParams = Field(default_factory=ConcessionParams)
    voting: VotingParams = Field(default_factory=VotingParams)
    signing: SigningParams = Field(default_factory=SigningParams)

    @model_validator(mode="after")
    def _rule_parameters(self) -> Process:
        rule = self.decision_rule
        problems: list[tuple[str, str]] = []
        if self.threshold is not None:
            if rule in ("unanimity", "consensus"):
                problems.append(
                    ("threshold", f"has no meaning under {rule}; see process.consensus")
                )
            elif rule == "majority":
                problems.append(
                    (
                        "threshold",
                        "majority means more yes than no; use qualified_majority for a threshold",
                    )
                )
            elif self.threshold < 0.5:
                problems.append(("threshold", "must be at least 0.5 (a minority cannot decide)"))
        if self.quota is not None:
            if rule != "weighted":
                problems.append(("quota", f"applies to the weighted rule, not {rule}"))
            if self.threshold is not None:
                problems.append(("quota", "give threshold or quota, not both"))
        if self.weight_threshold is not None and rule != "double_majority":
            problems.append(("weight_threshold", f"applies to double_majority, not {rule}"))
        if problems:
            raise CrossFieldProblems(problems)
        return self

    @property
    def final(self) -> str:
        """The final rule with its default resolved."""
        return self.decision_rule if self.final_rule is None else self.final_rule


class Scenario(Frozen):
    """A conference: provisions, actors, and the process that decides."""

    name: str = Field(min_length=1)
    description: str = ""
    provisions: list[Provision] = Field(min_length=1)
    blocs: list[Bloc] = Field(default_factory=list)
    delegations: list[Delegation] = Field(min_length=1)
    stakeholders: list[Stakeholder] = Field(default_factory=list)
    process: Process = Field(default_factory=Process)

    _arrays: object = PrivateAttr(default=None)
    _terms: object = PrivateAttr(default=None)  # sim.model.terms.Terms, filled on first run

    @model_validator(mode="after")
    def _cross_check(self) -> Scenario:
        from sim.scenario.compiled import compile_scenario  # the arrays are built once, here

        arrays, problems = compile_scenario(self)
        if problems:
            raise CrossFieldProblems(problems)
        self._arrays = arrays
        return self

    @property
    def arrays(self):  # -> sim.scenario.compiled.ScenarioArrays
        """The scenario as numpy arrays (inheritance resolved, salience normalised)."""
        return self._arrays
