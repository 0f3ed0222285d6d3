"""Invariants on random valid scenarios (Hypothesis)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim import run_conference
from sim.model.mechanisms.decision import vote_passes
from sim.model.mechanisms.signing import DEFER, NONE, SIGN
from tests.conftest import build

RULES = ["unanimity", "consensus", "majority", "qualified_majority", "weighted", "double_majority"]
VOTING = ["none", "majority", "qualified_majority", "weighted", "double_majority"]
score = st.integers(0, 100).map(float)


@st.composite
def scenarios(draw):
    k = draw(st.integers(1, 4))
    n = draw(st.integers(1, 9))
    m = draw(st.integers(0, 3))
    pids = [f"p{c}" for c in range(k)]
    delegations = []
    for i in range(n):
        delegations.append(
            {
                "id": f"d{i}",
                "bloc": draw(st.sampled_from(["a", "b"])),
                "capability": draw(st.floats(0.1, 20)),
                "votes": float(draw(st.integers(1, 5))),
                "domestic_openness": draw(st.floats(0, 1)),
                "positions": {p: draw(score) for p in pids},
                "salience": {p: draw(st.floats(0.05, 1)) for p in pids},
                "concession": draw(st.sampled_from([0.5, 1.0, 2.0, "boulware", "conceder"])),
            }
        )
    stakeholders = []
    for j in range(m):
        held = draw(st.lists(st.sampled_from(pids), min_size=1, max_size=k, unique=True))
        entry = {
            "id": f"s{j}",
            "kind": draw(st.sampled_from(["ngo", "industry", "technical", "academic"])),
            "resources": draw(st.floats(0.1, 5)),
            "positions": {p: draw(score) for p in held},
        }
        if draw(st.booleans()):
            entry["home"] = f"d{draw(st.integers(0, n - 1))}"
        stakeholders.append(entry)
    rule = draw(st.sampled_from(RULES))
    process = {
        "decision_rule": rule,
        "fallback_rule": draw(st.sampled_from(VOTING)),
        "final_rule": draw(st.sampled_from([*RULES, "none"])),
        "rounds": draw(st.integers(1, 6)),
        "drafting": draw(st.sampled_from(["compromise", "median", "amendment"])),
        "openness": {
            "access": draw(st.floats(0, 1)),
            "transparency": draw(st.floats(0, 1)),
            "inclusion": draw(st.floats(0, 1)),
        },
        "fallback_procedure": draw(st.sampled_from(["amendment", "closed"])),
        "domestic": {"uncertainty": draw(st.sampled_from([0.0, 8.0]))},
        "voting": {"call_cost": draw(st.sampled_from([0.0, 0.02, 0.5]))},
        "abstain_band": draw(st.sampled_from([0.0, 1.0])),
        "mechanisms": {
            name: draw(st.booleans())
            for name in (
                "persuasion",
                "lobbying",
                "oversight",
                "home_learning",
                "concession",
                "redrafting",
                "vote_calling",
                "two_level",
                "grievance",
                "deferral",
                "bloc_cascade",
            )
        },
    }
    if rule == "qualified_majority":
        process["threshold"] = draw(st.sampled_from([0.6, 2 / 3, 0.75]))
    return {
        "name": "random",
        "provisions": [{"id": p, "title": p, "status_quo": draw(score)} for p in pids],
        "blocs": [{"id": "a"}, {"id": "b"}],
        "delegations": delegations,
        "stakeholders": stakeholders,
        "process": process,
    }


def rule_satisfied(rule, result, c, n):
    if rule.kind == "unanimity":
        return result.no[c] == 0
    if rule.kind == "consensus":
        return (
            result.objector_capability[c] <= rule.capability_share + 1e-9
            and result.no[c] <= rule.count_share * n + 1e-9
        )
    return bool(
        vote_passes(
            rule,
            result.yes[c],
            result.no[c],
            None if result.yes_votes is None else result.yes_votes[c],
            None if result.no_votes is None else result.no_votes[c],
        )
    )


@given(raw=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_random_scenarios_run_and_keep_their_invariants(raw, seed):
    spec = build(raw)
    outcome = run_conference(spec, seed)
    a = spec.arrays
    n = len(a.delegation_ids)
    # values stay on the scale; preferences too
    assert ((outcome.package >= 0) & (outcome.package <= 100)).all()
    assert ((outcome.final_preferences >= -1e-9) & (outcome.final_preferences <= 100 + 1e-9)).all()
    # a provision not adopted sits at its status quo
    assert np.array_equal(outcome.package[~outcome.adopted], a.status_quo[~outcome.adopted])
    # every adopted provision satisfied its rule on the tally recorded for it
    for c in np.flatnonzero(outcome.adopted):
        row = outcome.deciding_vote(c)
        result, objectors, draft = row.tally, row.objectors, row.draft
        rule = a.fallback_rule if row.stage == "fallback" else a.decision_rule
        assert result.passed[c] and rule_satisfied(rule, result, c, n)
        assert draft[c] == outcome.package[c]
        assert abs(draft[c] - a.status_quo[c]) > max(raw["process"]["abstain_band"], 1e-9)
        assert result.yes[c] + result.no[c] + result.abstain[c] == n
        assert objectors[:, c].sum() == result.no[c]
    # counts add up
    m = outcome.metrics
    if outcome.treaty_adopted:
        assert m["signed"] + m["refused"] + m["deferred"] == n
    else:
        assert (outcome.decision_codes == NONE).all()
        assert m["signed"] == m["refused"] == m["deferred"] == 0
    assert m["n_adopted"] == outcome.adopted.sum()
    assert 1 <= m["rounds_used"] <= raw["process"]["rounds"]
    assert 0 <= m["defection_rate"] <= 1 and 0 <= m["weighted_defection"] <= 1
    assert 0 <= m["welfare_gini"] <= 1
    # the decomposition adds up to home's score, and the delegation's expectation differs from
    # it only by what home did not follow of the gap between table and home
    if outcome.treaty_adopted:
        t = outcome.terms
        total = t["home_value"] + t["grievance"] + t["bloc_pull"] - outcome.sign_threshold
        assert np.allclose(total, outcome.score)
        gap = (1 - outcome.informed) * (t["table_value"] - t["home_value"])
        assert np.allclose(outcome.expected, outcome.score + gap)
        # one valuation: a delegation signs exactly when home's score reaches zero
        codes = outcome.decision_codes
        assert ((codes == SIGN) == (outcome.score >= 0)).all()
        # and defers only when it expected what home did not give
        assert (outcome.expected[codes == DEFER] >= 0).all()
        # nobody is overruled on a provision that was not adopted
        assert not outcome.overruled[:, ~outcome.adopted].any()
