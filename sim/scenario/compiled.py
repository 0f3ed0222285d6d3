"""A scenario as arrays: inheritance resolved, salience normalised, references checked.

``compile_scenario`` is the only place that walks the scenario's tables; everything downstream
works on the arrays of ``ScenarioArrays``. Problems are returned as ``(field path, message)``
pairs with paths like ``delegations[USA].positions.scope``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.model.mechanisms.decision import DEFAULT_THRESHOLD, RuleSpec
from sim.model.mechanisms.ties import Ties
from sim.scenario.presets import CONCESSION_STYLES

if TYPE_CHECKING:
    from sim.scenario.schema import Process, Scenario

Problems = list[tuple[str, str]]


@dataclass(frozen=True, eq=False)
class ScenarioArrays:
    """Everything the model needs, as read-only arrays (N delegations, M stakeholders, K provisions)."""

    provision_ids: tuple[str, ...]
    status_quo: np.ndarray  # (K,)
    delegation_ids: tuple[str, ...]
    delegation_blocs: tuple[str, ...]  # primary bloc id, "" for none
    capability: np.ndarray  # (N,)
    votes: np.ndarray  # (N,)
    domestic_openness: np.ndarray  # (N,)
    ideal: np.ndarray  # (N, K)
    salience: np.ndarray  # (N, K), rows sum to 1
    concession_style: np.ndarray  # (N,) β
    seated_fixed: np.ndarray  # (N,) int8: -1 drawn, 0 not seated, 1 seated
    ties: Ties  # bloc memberships: the overlap O_ij as an operator (sim.model.mechanisms.ties)
    stakeholder_ids: tuple[str, ...]
    stakeholder_kinds: tuple[str, ...]
    stakeholder_home: np.ndarray  # (M,) index of home delegation, -1 transnational
    resources: np.ndarray  # (M,)
    stakeholder_positions: np.ndarray  # (M, K), 0 where it takes no position
    stakeholder_salience: np.ndarray  # (M, K), 0 where it takes no position; rows sum to 1
    decision_rule: RuleSpec
    fallback_rule: RuleSpec | None
    final_rule: RuleSpec | None

    @property
    def shape(self) -> tuple[int, int, int]:
        """(N, M, K)."""
        return len(self.delegation_ids), len(self.stakeholder_ids), len(self.provision_ids)


def compile_scenario(scenario: Scenario) -> tuple[ScenarioArrays | None, Problems]:
    """Check references between tables and build the arrays.

    Returns:
        (arrays, problems): arrays is None when there are problems.
    """
    problems: Problems = []
    pids = [p.id for p in scenario.provisions]
    for table in ("provisions", "blocs", "delegations", "stakeholders"):
        counts = Counter(item.id for item in getattr(scenario, table))
        problems += [(f"{table}[{i}]", f"duplicate id '{i}'") for i, c in counts.items() if c > 1]
    if problems:
        return None, problems

    known = set(pids)
    blocs = {b.id: b for b in scenario.blocs}
    dels = scenario.delegations
    did = {d.id: n for n, d in enumerate(dels)}

    def unknown_keys(path: str, mapping: dict) -> None:
        for key in mapping:
            if key not in known:
                problems.append((f"{path}.{key}", f"unknown provision '{key}'"))

    for b in scenario.blocs:
        unknown_keys(f"blocs[{b.id}].positions", b.positions)
        unknown_keys(f"blocs[{b.id}].salience", b.salience)
        if b.parent is not None and b.parent not in blocs:
            problems.append((f"blocs[{b.id}].parent", f"unknown bloc '{b.parent}'"))
    problems += _bloc_cycles(blocs)
    for d in dels:
        unknown_keys(f"delegations[{d.id}].positions", d.positions)
        unknown_keys(f"delegations[{d.id}].salience", d.salience)
        for field, ref in [("bloc", d.bloc)] + [("coalitions", c) for c in d.coalitions]:
            if ref is not None and ref not in blocs:
                problems.append((f"delegations[{d.id}].{field}", f"unknown bloc '{ref}'"))
    for s in scenario.stakeholders:
        unknown_keys(f"stakeholders[{s.id}].positions", s.positions)
        unknown_keys(f"stakeholders[{s.id}].salience", s.salience)
        for key in s.salience:
            if key in known and key not in s.positions:
                problems.append(
                    (
                        f"stakeholders[{s.id}].salience.{key}",
                        "salience for a provision it takes no position on",
                    )
                )
        if s.home is not None and s.home not in did:
            problems.append((f"stakeholders[{s.id}].home", f"unknown delegation '{s.home}'"))
    if problems:
        return None, problems

    ideal, salience = _resolve_delegations(scenario, pids, blocs, problems)
    st_pos, st_sal = _resolve_stakeholders(scenario, pids, problems)
    rules = _resolve_rules(scenario.process, float(sum(d.votes for d in dels)), problems)
    if problems:
        return None, problems

    process = scenario.process
    default_style = _style(process.concession.style)
    arrays = ScenarioArrays(
        provision_ids=tuple(pids),
        status_quo=_frozen([p.status_quo for p in scenario.provisions]),
        delegation_ids=tuple(d.id for d in dels),
        delegation_blocs=tuple(d.bloc or "" for d in dels),
        capability=_frozen([d.capability for d in dels]),
        votes=_frozen([d.votes for d in dels]),
        domestic_openness=_frozen([d.domestic_openness for d in dels]),
        ideal=_frozen(ideal),
        salience=_frozen(salience),
        concession_style=_frozen(
            [default_style if d.concession is None else _style(d.concession) for d in dels]
        ),
        seated_fixed=_frozen([-1 if d.seated is None else int(d.seated) for d in dels], np.int8),
        ties=_ties(dels, blocs),
        stakeholder_ids=tuple(s.id for s in scenario.stakeholders),
        stakeholder_kinds=tuple(s.kind for s in scenario.stakeholders),
        stakeholder_home=_frozen(
            [-1 if s.home is None else did[s.home] for s in scenario.stakeholders], np.intp
        ),
        resources=_frozen([s.resources for s in scenario.stakeholders]),
        stakeholder_positions=_frozen(st_pos),
        stakeholder_salience=_frozen(st_sal),
        decision_rule=rules[0],
        fallback_rule=rules[1],
        final_rule=rules[2],
    )
    return arrays, []


def _frozen(values, dtype=float) -> np.ndarray:
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array


def _style(style: float | str) -> float:
    return CONCESSION_STYLES[style] if isinstance(style, str) else float(style)


def _bloc_cycles(blocs: dict) -> Problems:
    problems = []
    for start in blocs:
        seen, current = [start], blocs[start].parent
        while current is not None and current in blocs:
            if current == start:
                problems.append(
                    (
                        f"blocs[{start}].parent",
                        f"blocs nest in a cycle: {' → '.join([*seen, start])}",
                    )
                )
                break
            if current in seen:
                break
            seen.append(current)
            current = blocs[current].parent
    return problems


def _chain(bloc_id: str | None, blocs: dict) -> list:
    chain = []
    while bloc_id is not None:
        chain.append(blocs[bloc_id])
        bloc_id = blocs[bloc_id].parent
    return chain


def _resolve_delegations(scenario: Scenario, pids: list[str], blocs: dict, problems: Problems):
    n, k = len(scenario.delegations), len(pids)
    ideal = np.zeros((n, k))
    salience = np.zeros((n, k))
    for i, d in enumerate(scenario.delegations):
        sources = [d, *_chain(d.bloc, blocs)]
        missing = []
        raw = {}
        for j, pid in enumerate(pids):
            position = next((s.positions[pid] for s in sources if pid in s.positions), None)
            if position is None:
                missing.append(pid)
            else:
                ideal[i, j] = position
            weight = next((s.salience[pid] for s in sources if pid in s.salience), None)
            if weight is not None:
                raw[pid] = weight
        where = f"delegations[{d.id}]"
        if missing:
            problems.append(
                (
                    f"{where}.positions",
                    f"no position on {', '.join(missing)} (neither the delegation nor its bloc gives one)",
                )
            )
        if not raw:
            salience[i] = 1.0 / k
        elif len(raw) < k:
            absent = [pid for pid in pids if pid not in raw]
            problems.append(
                (
                    f"{where}.salience",
                    f"salience missing for {', '.join(absent)}; give it for every provision or none",
                )
            )
        elif sum(raw.values()) <= 0:
            problems.append(
                (f"{where}.salience", "saliences sum to zero; at least one must be positive")
            )
        else:
            total = sum(raw.values())
            salience[i] = [raw[pid] / total for pid in pids]
    return ideal, salience


def _resolve_stakeholders(scenario: Scenario, pids: list[str], problems: Problems):
    m, k = len(scenario.stakeholders), len(pids)
    positions = np.zeros((m, k))
    salience = np.zeros((m, k))
    for j, s in enumerate(scenario.stakeholders):
        held = [c for c, pid in enumerate(pids) if pid in s.positions]
        for c in held:
            positions[j, c] = s.positions[pids[c]]
        if not s.salience:
            salience[j, held] = 1.0
        else:
            absent = [pids[c] for c in held if pids[c] not in s.salience]
            if absent:
                problems.append(
                    (
                        f"stakeholders[{s.id}].salience",
                        f"salience missing for {', '.join(absent)}; give it for every provision it takes a position on, or none",
                    )
                )
                continue
            for c in held:
                salience[j, c] = s.salience[pids[c]]
        total = salience[j].sum()
        if total <= 0:
            problems.append(
                (
                    f"stakeholders[{s.id}].salience",
                    "saliences sum to zero; at least one must be positive",
                )
            )
        else:
            salience[j] /= total
    return positions, salience


def _ties(dels: list, blocs: dict) -> Ties:
    """Each delegation's blocs (with the blocs they nest in), as memberships."""
    memberships = []
    for d in dels:
        member = set()
        for bloc_id in ([d.bloc] if d.bloc else []) + list(d.coalitions):
            member.update(b.id for b in _chain(bloc_id, blocs))
        memberships.append(member)
    names = sorted(set().union(*memberships))
    index = {b: c for c, b in enumerate(names)}
    return Ties([sorted(index[b] for b in member) for member in memberships], len(names))


def _rule(kind: str, process: Process, own: bool) -> RuleSpec:
    """Build a rule; ``own`` says it is the decision rule, whose parameters the process gives."""
    threshold = DEFAULT_THRESHOLD.get(kind, 0.5)
    quota = None
    weight_threshold = 0.5
    if own or kind == process.decision_rule:
        threshold = process.threshold if process.threshold is not None else threshold
        quota = process.quota
        weight_threshold = process.weight_threshold if process.weight_threshold is not None else 0.5
    return RuleSpec(
        kind=kind,
        threshold=threshold,
        quota=quota,
        weight_threshold=weight_threshold,
        capability_share=process.consensus.capability_share,
        count_share=process.consensus.count_share,
    )


def _resolve_rules(process: Process, total_votes: float, problems: Problems):
    decision = _rule(process.decision_rule, process, own=True)
    fallback = (
        None
        if process.fallback_rule == "none"
        else _rule(process.fallback_rule, process, own=False)
    )
    final = None if process.final == "none" else _rule(process.final, process, own=False)
    if process.quota is not None and process.quota > total_votes:
        problems.append(
            ("process.quota", f"{process.quota:g} exceeds the {total_votes:g} votes there are")
        )
    return decision, fallback, final
