"""Classroom sessions: the model driven round by round with people in some seats."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cli import app
from sim import load_scenario, run_conference
from sim.classroom.session import RoundMove, Session
from sim.errors import InputError
from tests.conftest import CLASSROOM

runner = CliRunner()


def scenario():
    return load_scenario(CLASSROOM)


def play_through(session, moves=None, decisions=None):
    while session.negotiating:
        session.open_round()
        session.close_round(moves(session) if moves else {})
    return session.finish(decisions or {})


@pytest.mark.parametrize("seed", [0, 1, 5])
def test_a_session_where_every_team_takes_the_default_is_the_normal_run(seed):
    outcome = play_through(Session(scenario(), seed, ["ALD", "LUM", "FER"]))
    normal = run_conference(scenario(), seed)
    assert outcome.metrics == normal.metrics
    assert (outcome.decision_codes == normal.decision_codes).all()
    assert np.array_equal(outcome.package, normal.package)


def test_a_team_that_accepts_everything_changes_what_the_room_does():
    def accept_all(session):
        rows = session.prompts["ALD"]["provisions"]
        return {"ALD": RoundMove(votes={r["provision"]: True for r in rows})}

    outcome = play_through(Session(scenario(), 1, ["ALD"]), accept_all)
    normal = run_conference(scenario(), 1)
    assert outcome.metrics != normal.metrics or not np.array_equal(
        outcome.settled_round, normal.settled_round
    )
    # in every round ALD supported every open draft (the forced vote at the deadline is the
    # delegations' own: people play the rounds and the signature)
    ald = list(outcome.arrays.delegation_ids).index("ALD")
    rounds = [d for d in outcome.log_rows if d.stage == "decision"]
    assert rounds and all(d.supporters[ald][d.decided].all() for d in rounds)


def test_a_proposal_is_tabled_by_the_chair_next_round():
    session = Session(scenario(), 2, ["EST"])
    session.open_round()
    session.close_round({"EST": RoundMove(proposal=("charging", 33.0))})
    prompt = session.open_round()["EST"]
    drafts = {r["provision"]: r["draft"] for r in prompt["provisions"]}
    assert drafts["charging"] == 33.0
    assert session.record["rounds"][0]["proposals_tabled_next"] == {"EST": ["charging", 33.0]}


def test_a_team_signature_holds_and_pulls_on_its_bloc():
    normal = run_conference(scenario(), 1)
    ids = list(normal.arrays.delegation_ids)
    signer = next(d for d, c in zip(ids, normal.decision_codes, strict=True) if c == 0)
    outcome = play_through(Session(scenario(), 1, [signer]), decisions={signer: "refuse"})
    assert outcome.decision_codes[ids.index(signer)] == 1
    assert outcome.metrics["signed"] <= normal.metrics["signed"] - 1


def test_unknown_and_repeated_seats_are_input_errors():
    with pytest.raises(InputError, match="no such delegation"):
        Session(scenario(), 1, ["XXX"])
    with pytest.raises(InputError, match="give each seat once"):
        Session(scenario(), 1, ["ALD", "ALD"])


# --- the terminal -------------------------------------------------------------------------


def classroom(*args, input=""):
    result = runner.invoke(app, ["classroom", str(CLASSROOM), *map(str, args)], input=input)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_a_scripted_session_explains_bad_answers_and_replays_identically(tmp_path):
    script = ["a", "maybe", "o", "", "help", ""]  # round 1: security, content (after a bad one)…
    script += ["charging=150", "charging=35"]  # …a proposal out of range, then a good one
    script += [""] * 200  # every later question: the default
    out = tmp_path / "session"
    result = classroom("--human", "ALD", "--seed", 3, "--out", out, input="\n".join(script))
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "'maybe': answer accept (a) or object (o), or Enter for" in text
    assert "Answer accept (a) if your delegation can live with this draft" in text
    assert "150 is outside 0–100" in text
    assert "ALD proposes charging = 35: the chair tables it next round" in text
    assert "The conference has ended." in text and "Signatures:" in text
    record = json.loads((out / "session.json").read_text())
    assert record["finished"] and record["humans"] == ["ALD"]
    assert record["rounds"][0]["moves"]["ALD"]["votes"] == {
        "security": "accept",
        "content": "object",
    }
    assert (out / "metrics.json").exists() and (out / "trajectory.csv").exists()
    # the saved answers replay the same session
    again = tmp_path / "again"
    result = classroom(
        "--human", "ALD", "--seed", 3, "--answers", out / "answers.txt", "--out", again
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads((again / "session.json").read_text()) == record


def test_quit_and_end_of_input_keep_what_was_played(tmp_path):
    result = classroom(
        "--human", "ALD", "--human", "LUM", "--out", tmp_path / "q", input="a\nquit\n"
    )
    assert result.exit_code == 0
    assert "Session stopped (quit)" in result.stdout
    record = json.loads((tmp_path / "q" / "session.json").read_text())
    assert not record["finished"] and record["rounds"] == []
    assert not (tmp_path / "q" / "metrics.json").exists()
    result = classroom("--human", "ALD", input="")
    assert result.exit_code == 0 and "Session stopped (end of input)" in result.stdout


def test_classroom_input_errors_exit_2(tmp_path):
    result = classroom("--human", "ZZZ")
    assert result.exit_code == 2 and "--human: ZZZ: no such delegation" in result.stderr
    result = classroom("--human", "ALD", "--answers", tmp_path / "none.txt")
    assert result.exit_code == 2 and "no such file" in result.stderr


# --- the debrief --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("class") / "session"
    # ALD accepts everything in round 1 and proposes charging = 30; KES takes every default
    script = ["a", "a", "a", "a", "charging=30"] + [""] * 200
    result = runner.invoke(
        app,
        [
            "classroom",
            str(CLASSROOM),
            "--human",
            "ALD",
            "--human",
            "KES",
            "--seed",
            2,
            "--out",
            str(out),
        ],
        input="\n".join(script),
    )
    assert result.exit_code == 0, result.stderr
    return out


def test_the_debrief_compares_the_class_with_the_computer_and_credits_each_team(finished, tmp_path):
    from sim.classroom.debrief import debrief

    result = debrief(finished, seeds=4)
    agents = run_conference(scenario(), 2)
    assert result["agents"]["metrics"]["signed"] == agents.metrics["signed"]
    teams = {t["team"]: t for t in result["teams"]}
    # ALD's proposal was tabled in round 2, so the charging text is its doing
    assert "charging" in teams["ALD"]["texts_moved"]
    # KES only took defaults: without its moves nothing changes
    assert teams["KES"]["texts_moved"] == {} and teams["KES"]["signed_difference"] == 0
    assert set(result["openness"]) >= {"signed", "refused", "deferred"}
    out = tmp_path / "debrief.html"
    text = runner.invoke(app, ["debrief", str(finished), "--out", str(out), "--seeds", 3])
    assert text.exit_code == 0, text.stderr
    assert "What each team's moves changed" in text.stdout and "ALD: signatures" in text.stdout
    html = out.read_text()
    assert "The class against the computer in the same seats" in html
    assert "Questions for the debrief" in html and "<script" not in html


def test_a_debrief_needs_a_finished_session(tmp_path):
    result = classroom("--human", "ALD", "--out", tmp_path / "s", input="a\nquit\n")
    assert result.exit_code == 0
    result = runner.invoke(app, ["debrief", str(tmp_path / "s")])
    assert result.exit_code == 2 and "the session was not finished" in result.stderr
    result = runner.invoke(app, ["debrief", str(tmp_path)])
    assert result.exit_code == 2 and "not a classroom session" in result.stderr


# --- handouts -----------------------------------------------------------------------------


def test_briefs_state_what_the_computer_in_the_seat_acts_on():
    from sim.classroom.handouts import briefs
    from sim.model.mechanisms import concession
    from sim.model.terms import terms

    spec = scenario()
    a, t = spec.arrays, terms(spec)
    data = briefs(spec)
    assert [p["id"] for p in data["pages"]] == list(a.delegation_ids)
    stake = np.abs(a.ideal - a.status_quo)
    last = concession.tolerance(
        stake,
        spec.process.rounds,
        spec.process.rounds,
        a.concession_style,
        t.hold,
        spec.process.concession.base_tolerance,
    )
    for i, page in enumerate(data["pages"]):
        for c, row in enumerate(page["provisions"]):
            assert row["position"] == a.ideal[i, c]
            assert row["low"] == max(0.0, a.ideal[i, c] - last[i, c])
            assert row["high"] == min(100.0, a.ideal[i, c] + last[i, c])
        assert sum(r["red_line"] for r in page["provisions"]) >= 1
        assert page["id"] not in page["closest"]


def test_handouts_command_writes_a_page_per_delegation_and_a_sheet(tmp_path):
    result = runner.invoke(app, ["handouts", str(CLASSROOM), "--out", str(tmp_path / "h")])
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "h").iterdir())
    ids = sorted(scenario().arrays.delegation_ids)
    assert names == sorted(
        [f"brief-{i}.html" for i in ids] + ["facilitator.html", "index.html", "manifest.json"]
    )
    sheet = (tmp_path / "h" / "facilitator.html").read_text()
    assert "treatysim classroom" in sheet and 'href="brief-ALD.html"' in sheet
    brief = (tmp_path / "h" / "brief-ALD.html").read_text()
    assert "Your instructions" in brief and "(red line)" in brief and "<script" not in brief


# --- the teaching scenario gives a class real choices -------------------------------------


def test_the_teaching_scenario_varies_moves_and_answers_to_openness():
    open_ = load_scenario(CLASSROOM, ["process.openness=multistakeholder"])
    closed_runs = [run_conference(scenario(), s) for s in range(16)]
    open_runs = [run_conference(open_, s) for s in range(16)]
    # who signs differs across seeds
    assert len({o.metrics["signed"] for o in closed_runs}) >= 2
    # drafts move visibly round by round
    drafts = [np.array([d.draft for d in o.log_rows if d.stage == "decision"]) for o in closed_runs]
    assert max(np.abs(np.diff(d, axis=0)).max() for d in drafts) >= 2.0
    # an open process moves the contested texts toward the status quo
    c = list(scenario().arrays.provision_ids).index("security")
    closed_text = np.mean([o.package[c] for o in closed_runs])
    open_text = np.mean([o.package[c] for o in open_runs])
    assert open_text <= closed_text - 2.0


def test_in_the_teaching_scenario_the_largest_team_is_pivotal():
    def play(mode):
        session = Session(scenario(), 1, ["ALD"])
        while session.negotiating:
            rows = session.open_round()["ALD"]["provisions"]
            votes = {r["provision"]: mode == "accept" for r in rows}
            session.close_round({"ALD": RoundMove(votes=votes)})
        return session.finish({})

    accepting, objecting = play("accept"), play("object")
    # objecting keeps everything for the forced vote; accepting lets provisions pass earlier
    assert (objecting.settled_round == objecting.rounds_used).all()
    assert accepting.settled_round.min() < objecting.settled_round.min()


def test_the_wcit_teaching_scenario_gives_a_class_real_choices():
    path = CLASSROOM.parent / "classroom_wcit.toml"
    closed, opened = load_scenario(path), load_scenario(path, ["process.openness=multistakeholder"])
    closed_runs = [run_conference(closed, s) for s in range(16)]
    open_runs = [run_conference(opened, s) for s in range(16)]
    assert len({o.metrics["signed"] for o in closed_runs}) >= 2
    drafts = [np.array([d.draft for d in o.log_rows if d.stage == "decision"]) for o in closed_runs]
    assert max(np.abs(np.diff(d, axis=0)).max() for d in drafts) >= 2.0
    c = list(closed.arrays.provision_ids).index("internet_resolution")
    assert (
        np.mean([o.package[c] for o in open_runs])
        <= np.mean([o.package[c] for o in closed_runs]) - 1.5
    )

    def play(mode):
        session = Session(closed, 1, ["USA"])
        while session.negotiating:
            rows = session.open_round()["USA"]["provisions"]
            session.close_round(
                {"USA": RoundMove(votes={r["provision"]: mode == "accept" for r in rows})}
            )
        return session.finish({})

    accepting, objecting = play("accept"), play("object")
    assert (objecting.settled_round == objecting.rounds_used).all()
    assert not np.array_equal(accepting.package, objecting.package)
