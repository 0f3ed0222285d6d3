"""The classroom in the browser: a facilitator console, a projector view and one page per team.

Server-rendered pages (Starlette with Jinja2 templates, no script, nothing fetched from the
network) over one shared :class:`sim.classroom.room.Room`. Links carry unguessable tokens: a
team's link submits only for its own seat; the facilitator's link locks, advances and can enter
or override any team's moves. The projector view is read-only and refreshes itself.
"""

from __future__ import annotations

from importlib.resources import files

import numpy as np
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

from sim.classroom.room import Forbidden, Room
from sim.classroom.session import RoundMove
from sim.report.build import environment


def projector_state(room: Room) -> dict:
    """What the projector shows: drafts, support and objection by bloc, then signatures."""
    session, m = room.session, room.session.model
    a = session.scenario.arrays
    blocs = [b or "no bloc" for b in a.delegation_blocs]
    names = list(dict.fromkeys(blocs))
    last = next((d for d in reversed(m.log) if d.stage == "decision"), None)
    rows = []
    for c, pid in enumerate(session.provision_ids):
        row = {
            "title": session.titles[pid],
            "draft": float(m.draft[c]),
            "settled": bool(m.settled[c]),
            "adopted": bool(m.adopted[c]),
            "value": float(m.value[c]),
            "by_bloc": {},  # bloc → (supporting, objecting) in the last round's decision
        }
        if last is not None and last.decided[c]:
            for bloc in names:
                members = np.array([b == bloc for b in blocs])
                row["by_bloc"][bloc] = (
                    int(last.supporters[members, c].sum()),
                    int(last.objectors[members, c].sum()),
                )
        rows.append(row)
    signed = None
    if room.outcome is not None:
        from sim.figures.prepare import signatures_by_bloc
        from sim.results.summary import reasons

        outcome = room.outcome
        signed = {
            "counts": signatures_by_bloc(outcome.delegations).reset_index().to_dict("records"),
            "reasons": [
                {
                    "id": a.delegation_ids[i],
                    "decision": ("sign", "refuse", "defer")[code],
                    "why": reasons(outcome, i),
                }
                for i, code in enumerate(outcome.decision_codes)
                if code in (1, 2)
            ][:20],
        }
    return {
        "rows": rows,
        "blocs": names,
        "signed": signed,
        "round": m.round,
        "rounds": m.process.rounds,
    }


def create_app(room: Room) -> Starlette:
    """The web app over one room."""
    env = environment()
    css = (files("sim.report") / "templates" / "report.css").read_text(encoding="utf-8")

    def page(view: str, **context) -> HTMLResponse:
        html = env.get_template("classroom.html.j2").render(
            view=view, css=css, room=room, session=room.session, **context
        )
        return HTMLResponse(html)

    def forbidden(err: Exception) -> HTMLResponse:
        return HTMLResponse(f"<!DOCTYPE html><title>Not allowed</title><p>{err}</p>", 403)

    async def projector(request: Request):
        return page("projector", state=projector_state(room))

    async def facilitator(request: Request):
        token = request.path_params["token"]
        try:
            room.check_facilitator(token)
        except Forbidden as err:
            return forbidden(err)
        links = {seat: f"/team/{t}" for t, seat in room.teams.items()}
        return page("facilitator", token=token, links=links, state=projector_state(room))

    async def act(request: Request):
        token, action = request.path_params["token"], request.path_params["action"]
        form = await request.form()
        try:
            if action == "start":
                room.start(token)
            elif action == "lock":
                room.set_locked(token, form.get("locked") == "1")
            elif action == "advance":
                room.advance(token)
            elif action == "move":
                seat = str(form.get("seat", ""))
                room.submit(token, *_move(form, room), seat=seat)
            else:
                return HTMLResponse("unknown action", 404)
        except (Forbidden, ValueError) as err:
            return forbidden(err)
        return RedirectResponse(f"/facilitator/{token}", 303)

    async def team(request: Request):
        token = request.path_params["token"]
        try:
            seat = room.seat(token)
        except Forbidden as err:
            return forbidden(err)
        from sim.classroom.handouts import briefs

        brief = next(p for p in briefs(room.session.scenario)["pages"] if p["id"] == seat)
        prompt = room.session.prompts.get(seat) if room.phase == "round" else None
        return page(
            "team",
            token=token,
            seat=seat,
            brief=brief,
            prompt=prompt,
            pending=room.pending.get(seat),
            signature=room.signatures.get(seat),
        )

    async def team_move(request: Request):
        token = request.path_params["token"]
        form = await request.form()
        try:
            seat = room.seat(token)
            if form.get("seat", seat) != seat:
                raise Forbidden("a team link submits only for its own seat")
            room.submit(token, *_move(form, room))
        except (Forbidden, ValueError) as err:
            return forbidden(err)
        return RedirectResponse(f"/team/{token}", 303)

    return Starlette(
        routes=[
            Route("/", projector),
            Route("/projector", projector),
            Route("/facilitator/{token}", facilitator),
            Route("/facilitator/{token}/{action}", act, methods=["POST"]),
            Route("/team/{token}", team),
            Route("/team/{token}/move", team_move, methods=["POST"]),
        ]
    )


def _move(form, room: Room) -> tuple[RoundMove | None, str | None]:
    """A round move or a signing decision from a submitted form."""
    if room.phase == "signing":
        return None, str(form.get("decision", ""))
    move = RoundMove()
    for pid in room.session.provision_ids:
        vote = form.get(f"vote_{pid}")
        if vote in ("accept", "object"):
            move.votes[pid] = vote == "accept"
    target, text = form.get("proposal_provision"), form.get("proposal_text")
    if target and text not in (None, ""):
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not 0 <= value <= 100:
            raise ValueError(f"{value:g} is outside 0–100")
        if target not in room.session.provision_ids:
            raise ValueError(f"{target!r} is not a provision")
        move.proposal = (str(target), value)
    return move, None
