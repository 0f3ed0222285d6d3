"""Voting power: published values, the axioms, exact = enumeration, the command, decisive voters."""

import json
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli import app
from sim import load_scenario, run_conference
from sim.model.mechanisms.decision import RuleSpec, classify, pivotal, tally
from sim.power.indices import Game, analyse, brute_force_power, exact_power, game_for
from sim.power.report import fraction, readable, render
from tests.conftest import CLASSROOM, ROOT, build, one_dimension, spatial_process

runner = CliRunner()


# --- published results ---------------------------------------------------------------------


def test_un_security_council_since_1965():
    """5 permanent members with a veto and 10 others, 9 votes needed: weights 7/1, quota 39.

    Shapley–Shubik 421/2145 and 4/2145 (Straffin 1983, ch. 11; Felsenthal & Machover 1998, §4.3);
    normalised Banzhaf 0.1669 and 0.0165 (Straffin 1983).
    """
    names = tuple(f"P{i}" for i in range(5)) + tuple(f"E{i}" for i in range(10))
    power = analyse(Game(names, (7.0,) * 5 + (1.0,) * 10, 0, 39))
    assert power.exact["shapley_shubik"]["P0"] == Fraction(421, 2145)
    assert power.exact["shapley_shubik"]["E0"] == Fraction(4, 2145)
    assert power.banzhaf["P0"] == pytest.approx(0.1669, abs=5e-5)
    assert power.banzhaf["E0"] == pytest.approx(0.0165, abs=5e-5)
    assert power.veto == list(names[:5])
    assert power.smallest_blocking["size"] == 1


def test_un_security_council_of_1945():
    """5 permanent and 6 elected members, 7 votes including all permanent ones (Shapley & Shubik 1954):
    each permanent member 76/385, each elected member 1/462."""
    names = tuple(f"P{i}" for i in range(5)) + tuple(f"E{i}" for i in range(6))
    ss = exact_power(Game(names, (5.0,) * 5 + (1.0,) * 6, 0, 27))["shapley_shubik"]
    assert ss["P0"] == Fraction(76, 385)
    assert ss["E0"] == Fraction(1, 462)


def test_council_of_the_eec_1958():
    """France, Germany, Italy 4; Belgium, Netherlands 2; Luxembourg 1; quota 12.

    Luxembourg is a dummy; Shapley–Shubik 7/30 and 3/20; Banzhaf 5/21 and 1/7
    (Felsenthal & Machover 1998, §3.3).
    """
    power = analyse(Game(("FR", "DE", "IT", "BE", "NL", "LU"), (4, 4, 4, 2, 2, 1), 0, 12))
    assert power.exact["shapley_shubik"] == {
        "FR": Fraction(7, 30),
        "DE": Fraction(7, 30),
        "IT": Fraction(7, 30),
        "BE": Fraction(3, 20),
        "NL": Fraction(3, 20),
        "LU": Fraction(0),
    }
    assert power.exact["banzhaf"]["FR"] == Fraction(5, 21)
    assert power.exact["banzhaf"]["BE"] == Fraction(1, 7)
    assert power.exact["banzhaf_absolute"]["FR"] == Fraction(10, 32)
    assert power.dummies == ["LU"]


def test_nassau_county_board_1958():
    """Banzhaf (1965): weights 9, 9, 7, 3, 1, 1 with quota 16 leave the last three powerless."""
    power = analyse(Game(("H1", "H2", "NH", "OB", "GC", "LB"), (9, 9, 7, 3, 1, 1), 0, 16))
    assert power.dummies == ["OB", "GC", "LB"]
    assert power.exact["banzhaf"]["H1"] == Fraction(1, 3)


def test_weights_are_not_power():
    """[51; 49, 48, 3]: any two players win, so all three have a third of the power."""
    power = exact_power(Game(("a", "b", "c"), (49, 48, 3), 0, 51))
    assert set(power["shapley_shubik"].values()) == {Fraction(1, 3)}
    assert set(power["banzhaf"].values()) == {Fraction(1, 3)}


# --- rules as games ------------------------------------------------------------------------


def test_rules_become_the_documented_games():
    names = [f"d{i}" for i in range(10)]
    votes = np.arange(1.0, 11.0)
    capability = np.ones(10)
    assert game_for(RuleSpec("majority"), names, votes, capability).count_quota == 6
    assert (
        game_for(
            RuleSpec("qualified_majority", threshold=2 / 3), names, votes, capability
        ).count_quota
        == 7
    )
    assert game_for(RuleSpec("unanimity"), names, votes, capability).count_quota == 10
    weighted = game_for(RuleSpec("weighted", threshold=0.5), names, votes, capability).integral()
    assert weighted.weight_quota == 28  # more than half of 55
    consensus = game_for(
        RuleSpec("consensus", capability_share=0.1, count_share=0.2), names, votes, capability
    )
    assert (consensus.count_quota, consensus.weight_quota) == (8, pytest.approx(9.0))
    with pytest.raises(ValueError, match="exceeds the total"):
        game_for(RuleSpec("weighted", quota=100.0), names, votes, capability)
    with pytest.raises(ValueError, match="negative"):
        game_for(RuleSpec("weighted"), names, -votes, capability)


def test_unanimity_and_veto():
    power = analyse(game_for(RuleSpec("unanimity"), list("abcd"), np.ones(4), np.ones(4)))
    assert set(power.shapley_shubik.values()) == {0.25}
    assert power.veto == list("abcd")


# --- axioms and agreement with enumeration -------------------------------------------------

games = st.builds(
    lambda weights, count, share: Game(
        tuple(f"p{i}" for i in range(len(weights))),
        tuple(float(w) for w in weights),
        min(count, len(weights)),
        round(share * sum(weights)),
    ),
    st.lists(st.integers(0, 9), min_size=1, max_size=7),
    st.integers(0, 7),
    st.floats(0.0, 1.0),
)


@given(games)
def test_exact_method_agrees_with_enumeration(game):
    assert exact_power(game) == brute_force_power(game)


@given(games)
def test_efficiency_symmetry_and_dummies(game):
    power = analyse(game)
    ss, bz = power.exact["shapley_shubik"], power.exact["banzhaf"]
    if game.wins(game.n, game.total) and not game.wins(0, 0):
        assert sum(ss.values()) == 1
        assert sum(bz.values()) == 1
    for i in range(game.n):
        for j in range(game.n):
            if game.weights[i] == game.weights[j]:
                assert ss[game.names[i]] == ss[game.names[j]]
    for name in power.dummies:
        assert ss[name] == 0


def test_monte_carlo_estimates_carry_their_error():
    rng = np.random.default_rng(3)
    weights = tuple(float(w) for w in rng.uniform(1, 10, 8) + 1e-7)  # not integral: estimated
    game = Game(tuple(f"p{i}" for i in range(8)), weights, 0, 0.6 * sum(weights))
    estimate = analyse(game, samples=40_000, seed=1)
    assert estimate.method.startswith("monte carlo")
    truth = brute_force_power(game)  # enumeration works on the real weights directly
    for kind in ("shapley_shubik", "banzhaf_absolute"):
        for name in game.names:
            error = estimate.standard_error[kind][name]
            assert abs(getattr(estimate, kind)[name] - float(truth[kind][name])) < 5 * error + 1e-9


def test_193_equal_members():
    """The ITU: one state, one vote. Everyone has 1/193; 65 can block a two-thirds majority."""
    members = [f"d{i}" for i in range(193)]
    power = analyse(game_for(RuleSpec("qualified_majority", threshold=2 / 3), members, None, None))
    assert set(power.exact["shapley_shubik"].values()) == {Fraction(1, 193)}
    assert power.smallest_blocking["size"] == 65  # 128 of 193 fall short of the 129 needed
    assert power.veto == [] and power.dummies == []


# --- the command ---------------------------------------------------------------------------


def test_power_command_json_shape():
    result = runner.invoke(app, ["power", str(CLASSROOM), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"shapley_shubik", "banzhaf", "banzhaf_absolute", "blocking"} <= set(data)
    assert sum(data["shapley_shubik"].values()) == pytest.approx(1)
    assert sum(data["banzhaf"].values()) == pytest.approx(1)
    assert data["veto"] == ["ALD"]  # the only one holding more than 25% of capability
    assert {"kind": "blocs", "size": 1, "members": ["north"]} in data["blocking"]


def test_power_command_rules_and_groups():
    result = runner.invoke(
        app,
        [
            "power",
            str(CLASSROOM),
            "--rule",
            "qualified_majority",
            "--threshold",
            "0.75",
            "--by",
            "bloc",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["rule"] == "qualified_majority (0.75)"
    assert data["shapley_shubik"] == pytest.approx(
        {"north": 4 / 12, "sovereign": 3 / 12, "development": 5 / 12}
    )
    text = runner.invoke(
        app, ["power", str(ROOT / "scenarios" / "wcit2012"), "--rule", "majority"]
    ).stdout
    assert "Smallest blocking coalition: 66 delegations" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--rule", "weighted", "--quota", "100"],
            "process.quota: 100 exceeds the 12 votes there are",
        ),
        (
            ["--rule", "qualified_majority", "--threshold", "0.4"],
            "process.threshold: must be at least 0.5",
        ),
        (["--rule", "consensus", "--threshold", "0.7"], "has no meaning under consensus"),
        (["--set", "x"], "No such option"),
    ],
)
def test_power_bad_input(args, message):
    result = runner.invoke(app, ["power", str(CLASSROOM), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_negative_votes_are_refused(tmp_path):
    raw = (CLASSROOM.read_text()).replace('id = "ALD"', 'id = "ALD"\nvotes = -1')
    path = tmp_path / "s.toml"
    path.write_text(raw)
    result = runner.invoke(app, ["power", str(path), "--rule", "weighted"])
    assert (
        result.exit_code == 2
        and "votes: Input should be greater than or equal to 0" in result.stderr
    )


# --- decisive delegations in runs ----------------------------------------------------------


def test_pivotal_voters_are_those_whose_switch_reverses_the_result():
    prefs = np.array([[10.0], [20.0], [80.0], [90.0], [95.0]])
    n = len(prefs)
    yes, no = classify(np.array([85.0]), prefs, np.array([0.0]), np.inf, band=0.0)
    rule = RuleSpec("majority")
    result = tally(rule, yes, no, np.ones(n), np.ones(n))
    assert result.passed[0]  # 3 to 2
    decisive = pivotal(rule, yes, no, np.ones(n), np.ones(n), result)[:, 0]
    assert decisive.tolist() == [
        False,
        False,
        True,
        True,
        True,
    ]  # any supporter switching makes 2 to 3
    wide = tally(RuleSpec("qualified_majority", threshold=0.6), yes, no, np.ones(n), np.ones(n))
    assert wide.passed[0]
    nobody = pivotal(
        RuleSpec("majority"),
        yes,
        no,
        np.ones(n),
        np.ones(n),
        tally(rule, yes | True, no & False, np.ones(n), np.ones(n)),
    )
    assert not nobody.any()  # 5 to 0: no single switch matters


def test_runs_report_decisive_delegations():
    process = spatial_process(decision_rule="majority", drafting="median", rounds=1)
    outcome = run_conference(build(one_dimension([10, 20, 60, 70, 80], process=process)), 0)
    data = outcome.to_dict()["provisions"][0]
    assert data["adopted"] and data["tally"]["yes"] == 3
    assert data["pivotal"] == ["d2", "d3", "d4"]
    # a strict chair (10% of capability, 20% of delegations): in the last round each of the
    # few remaining objectors blocks on its own
    strict = ["process.consensus.capability_share=0.1", "process.consensus.count_share=0.2"]
    spec = load_scenario(CLASSROOM, ["process.fallback_rule=none", *strict])
    events = run_conference(spec, 1).events
    charging = events[(events.provision == "charging") & (events["round"] == 6)].iloc[0]
    assert charging.objectors
    assert charging.pivotal.split(";") == charging.objectors.split(";")  # each objector blocks


# --- the text for readers ------------------------------------------------------------------

WCIT = ROOT / "scenarios" / "wcit2012"
SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def power_text(scenario, *args) -> str:
    result = runner.invoke(app, ["power", str(scenario), *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def table_of(text: str) -> tuple[list[str], list[list[str]], list[str]]:
    """The headings, the cells of each row and the legend lines of the text's power table."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(("  delegation", "  bloc")))
    end = lines.index("", start)
    headings = re.split(r"\s{3,}", lines[start].strip())
    rows = [
        re.split(r"\s{3,}", line.strip())
        for line in lines[start + 1 : end]
        if not line.startswith("  …")
    ]
    legend = lines[end + 1 : lines.index("", end + 1)]
    return headings, rows, legend


def number(cell: str) -> float:
    """The value of a cell: ``0.2256``, ``0.0965 ±0.0021``, ``7.3 × 10⁻⁴⁰`` or ``< 1.5 × 10⁻⁴``."""
    cell = cell.removeprefix("< ").split(" ±")[0]
    if " × 10" in cell:
        mantissa, exponent = cell.split(" × 10")
        return float(mantissa) * 10.0 ** int(exponent.translate(SUPERSCRIPT))
    return float(cell)


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (0, "0"),
        (7, "7"),
        (1234, "1,234"),
        (9_999_999, "9,999,999"),
        (10_000_000, "1.0 × 10⁷"),
        (12_449_999, "1.2 × 10⁷"),
        (12_500_000, "1.3 × 10⁷"),  # exactly half: rounded up (a float round would give 1.2)
        (-12_500_000, "-1.3 × 10⁷"),
        (99_499_999, "9.9 × 10⁷"),
        (99_500_000, "1.0 × 10⁸"),  # 9.95 rounds up to 10.0: one more power of ten
        (123_456_789_012, "1.2 × 10¹¹"),
        (188694833082770476622296176145946360850, "1.9 × 10³⁸"),
        (125 * 10**36, "1.3 × 10³⁸"),  # exact at any size
        (125 * 10**36 - 1, "1.2 × 10³⁸"),
        (10**100, "1.0 × 10¹⁰⁰"),
    ],
)
def test_large_counts_are_written_for_readers(n, shown):
    assert readable(n) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0"),
        (1, "1.0000"),
        (0.22564, "0.2256"),
        (0.001, "0.0010"),
        (0.00048828125, "4.9 × 10⁻⁴"),  # 1/2048: not 0.0005
        (2.0**-130, "7.3 × 10⁻⁴⁰"),  # not 0.0000
    ],
)
def test_small_fractions_are_not_shown_as_zero(value, shown):
    assert fraction(value) == shown


def test_no_long_numbers_and_a_legend_line_per_column():
    text = power_text(WCIT, "--rule", "majority", "--by", "bloc")
    flat = " ".join(text.split())  # long lines are wrapped
    assert "66 delegations voting no stop any proposal (1.9 × 10³⁸ such coalitions)" in flat
    assert not re.search(r"\d(,?\d){7}", text)  # no integer of more than seven digits
    headings, rows, legend = table_of(text)
    assert headings == ["bloc", "Shapley–Shubik share", "Banzhaf share"]
    for column, heading in enumerate(headings[1:], start=1):
        assert any(line.startswith(f"  {heading}: ") for line in legend)
        shares = [number(row[column]) for row in rows]
        assert all(0 <= v <= 1 for v in shares)
        assert sum(shares) == pytest.approx(1, abs=1e-3)
    assert all(len(line) <= 100 and not line.startswith("    ") for line in legend)  # one line each


def test_the_bloc_view_never_sums_the_absolute_index():
    text = power_text(CLASSROOM, "--rule", "unanimity", "--by", "bloc")
    headings, rows, _ = table_of(text)
    assert "P(decisive)" not in headings
    assert all(number(cell) <= 1 for row in rows for cell in row[1:])  # 12 × 1/2048 nowhere
    assert "  P(decisive) is per delegation and never added up over a bloc" in text
    data = json.loads(power_text(CLASSROOM, "--by", "bloc", "--json"))
    assert "banzhaf_absolute" not in data
    assert sum(data["banzhaf"].values()) == pytest.approx(1)


def test_the_delegation_view_labels_the_probability_of_being_decisive():
    headings, rows, legend = table_of(power_text(CLASSROOM, "--rule", "unanimity"))
    assert headings == ["delegation", "Shapley–Shubik", "Banzhaf", "P(decisive)"]
    assert {row[3] for row in rows} == {"4.9 × 10⁻⁴"}  # 1/2048 each
    assert any(
        line.startswith("  P(decisive): chance its vote decides") and "not a share" in line
        for line in legend
    )


def test_every_mark_is_explained_under_the_table():
    text = power_text(WCIT)  # consensus among 131: estimated
    _, rows, legend = table_of(text)
    assert {row[2] for row in rows} == {"—"}
    assert {row[3] for row in rows} == {"< 1.5 × 10⁻⁴"}  # never decisive in 20,000 samples
    assert all(" ±0.0" in row[1] for row in rows)
    assert "  — in Banzhaf: not estimated: none of 20,000 random coalitions" in legend[3]
    assert legend[4].startswith("  < in P(decisive): never decisive in 20,000 random samples")
    assert legend[5].startswith("  ±: standard error")
    explained = sum(line.count("—") for line in legend)
    assert text.count("—") == explained + sum(row.count("—") for row in rows)  # no other dash
    bloc = power_text(WCIT, "--by", "bloc")
    assert "  — in Banzhaf share: not estimated" in bloc
    data = json.loads(power_text(WCIT, "--by", "bloc", "--json"))
    assert set(data["standard_error"]["shapley_shubik"]) == set(data["shapley_shubik"])  # blocs
    exact = power_text(CLASSROOM)
    assert "—" not in exact and "±" not in exact and "<" not in exact


def test_marks_follow_the_columns_they_appear_in():
    result = {
        "rule": "weighted (quota 3)",
        "weights": "votes",
        "method": "monte carlo, 1000 samples",
        "by": "delegation",
        "shapley_shubik": {"a": 0.7, "b": 0.3, "c": 0.0},
        "banzhaf": {"a": None, "b": None, "c": None},
        "banzhaf_absolute": {"a": 0.01, "b": 0.0, "c": 0.0},
        "standard_error": {
            "shapley_shubik": {"a": 0.0145, "b": 0.0145, "c": 0.0},
            "banzhaf_absolute": {"a": 0.003, "b": 0.0, "c": 0.0},
        },
        "blocking": [],
        "veto": [],
        "dummies": None,
        "count_quota": 0,
        "weight_quota": 3.0,
    }
    text = render(result)
    assert "A coalition wins with at least 3 votes\n" in text  # no "at least 0 delegations"
    _, rows, legend = table_of(text)
    assert rows[2] == ["c", "< 0.0030", "—", "< 0.0030"]  # 3 in 1,000: a 95% bound
    assert any(line.startswith("  < in Shapley–Shubik and P(decisive): ") for line in legend)
    assert any(line.startswith("  — in Banzhaf: ") for line in legend)


def test_weights_and_quotas_are_given_with_their_unit():
    consensus = power_text(CLASSROOM)
    assert "Weights: capability (bargaining clout on the scenario's own scale" in consensus
    assert "at least 9 delegations and at least 52.875 units of capability" in consensus
    weighted = power_text(CLASSROOM, "--rule", "weighted")
    assert "Weights: formal votes" in weighted
    assert "at least 6 votes and more than half of all votes" in weighted
    quota = power_text(CLASSROOM, "--rule", "weighted", "--quota", "9")
    assert "A coalition wins with at least 9 votes\n" in quota
    majority = power_text(WCIT, "--rule", "majority")
    assert "Weights: one vote per delegation\nA coalition wins with at least 66 delegations\n" in (
        majority
    )
    assert (
        "1 delegation voting no stops any proposal (the only such coalition), e.g. ALD"
        in " ".join(consensus.split())
    )
