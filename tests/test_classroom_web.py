"""The classroom in real browsers: teams submit, the facilitator advances, the projector shows it."""

import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from sim import load_scenario
from sim.classroom.room import Forbidden, Room
from sim.classroom.session import RoundMove, Session
from tests.browser import chromium, needs_browser
from tests.conftest import CLASSROOM


def room(humans=("ALD", "LUM")):
    return Room(Session(load_scenario(CLASSROOM), 3, list(humans)))


def test_tokens_decide_who_may_do_what():
    r = room()
    ald, lum = (t for t, seat in sorted(r.teams.items(), key=lambda kv: kv[1]))
    with pytest.raises(Forbidden):
        r.start(ald)  # a team cannot run the room
    r.start(r.facilitator)
    assert r.submit(ald, RoundMove(votes={"access": True})) == "ALD"
    with pytest.raises(Forbidden):
        r.submit("guess", RoundMove())
    with pytest.raises(Forbidden):
        r.submit(ald, RoundMove(), seat="LUM")  # only the facilitator enters for another seat
    r.submit(r.facilitator, RoundMove(votes={"access": False}), seat="LUM")
    r.set_locked(r.facilitator, True)
    with pytest.raises(Forbidden, match="locked"):
        r.submit(lum, RoundMove())
    r.advance(r.facilitator)
    assert r.last_event["moves"]["ALD"]["votes"] == {"access": "accept"}
    assert r.last_event["moves"]["LUM"]["votes"] == {"access": "object"}


def test_a_room_played_to_the_end_with_defaults_is_the_normal_run():
    from sim import run_conference

    r = room()
    r.start(r.facilitator)
    while r.phase != "finished":
        r.advance(r.facilitator)
    normal = run_conference(load_scenario(CLASSROOM), 3)
    assert r.outcome.metrics == normal.metrics


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    import uvicorn

    from sim.classroom.web import create_app

    r = room()
    port = free_port()
    config = uvicorn.Config(create_app(r), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield r, f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=5)


def post(url, data):
    body = urllib.parse.urlencode(data).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body)) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_a_team_link_cannot_submit_for_another_seat(server):
    r, base = server
    ald = next(t for t, seat in r.teams.items() if seat == "ALD")
    assert post(f"{base}/facilitator/{r.facilitator}/start", {}) == 200
    assert post(f"{base}/team/{ald}/move", {"seat": "LUM", "vote_access": "accept"}) == 403
    assert post(f"{base}/team/not-a-token/move", {"vote_access": "accept"}) == 403
    assert post(f"{base}/facilitator/{ald}/advance", {}) == 403
    assert r.pending == {}


@needs_browser
def test_two_teams_submit_the_facilitator_advances_and_the_projector_shows_it(server):
    from playwright.sync_api import sync_playwright

    r, base = server
    tokens = {seat: t for t, seat in r.teams.items()}
    outside = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on(
                "request", lambda q: outside.append(q.url) if not q.url.startswith(base) else None
            )
            page.goto(f"{base}/facilitator/{r.facilitator}")
            page.click("#start")
            page.goto(f"{base}/projector")
            first = page.inner_text("#drafts")
            # team ALD proposes a text and accepts access; team LUM objects to access
            page.goto(f"{base}/team/{tokens['ALD']}")
            page.select_option("select[name=vote_access]", "accept")
            page.select_option("select[name=proposal_provision]", "charging")
            page.fill("input[name=proposal_text]", "33")
            page.click("#submit")
            assert page.is_visible("#received")
            page.goto(f"{base}/team/{tokens['LUM']}")
            page.select_option("select[name=vote_access]", "object")
            page.click("#submit")
            page.goto(f"{base}/facilitator/{r.facilitator}")
            assert page.inner_text("body").count("yes") >= 2
            page.click("#advance")
            page.goto(f"{base}/projector")
            assert "Round 2 of" in page.inner_text("#status")
            assert "33.0" in page.inner_text("#drafts")  # ALD's text, tabled by the chair
            assert page.inner_text("#drafts") != first
        finally:
            browser.close()
    assert outside == []
    assert r.session.record["rounds"][0]["moves"]["ALD"]["proposal"] == ["charging", 33.0]


def test_a_served_session_is_kept_after_every_advance_and_can_be_debriefed(tmp_path):
    from cli.classroom import save_session
    from sim.classroom.debrief import debrief

    spec = load_scenario(CLASSROOM)
    out = tmp_path / "class"

    def keep(r):
        save_session(out, r.session, r.outcome, spec, CLASSROOM, [], [], 3, ["ALD", "LUM"], None)

    r = Room(Session(spec, 3, ["ALD", "LUM"]), on_change=keep)
    r.start(r.facilitator)
    ald = next(t for t, seat in r.teams.items() if seat == "ALD")
    r.submit(ald, RoundMove(votes={"access": True}))
    r.advance(r.facilitator)
    assert (out / "session.json").exists() and not (out / "metrics.json").exists()
    while r.phase != "finished":
        r.advance(r.facilitator)
    assert (out / "metrics.json").exists()
    result = debrief(out, seeds=2)
    assert [t["team"] for t in result["teams"]] == ["ALD", "LUM"]


def test_the_projector_shows_support_and_objection_by_bloc():
    from sim.classroom.web import projector_state

    r = room()
    r.start(r.facilitator)
    assert all(row["by_bloc"] == {} for row in projector_state(r)["rows"])  # nothing decided yet
    r.advance(r.facilitator)
    state = projector_state(r)
    sizes = {"north": 4, "sovereign": 3, "development": 5}
    decided = [row for row in state["rows"] if row["by_bloc"]]
    assert decided
    for row in decided:
        for bloc, (supporting, objecting) in row["by_bloc"].items():
            assert supporting + objecting <= sizes[bloc]
    assert (
        sum(o for row in decided for _, o in row["by_bloc"].values()) == r.last_event["objections"]
    )
