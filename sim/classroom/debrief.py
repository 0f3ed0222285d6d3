"""The debrief of a classroom session: what the class did, against what else could have happened.

Three comparisons, all from the session's own record and seed:

- **the agents in the same seats**: the same conference with no team playing (the normal run);
- **each team's part**: the session replayed with that team's moves replaced by the computer's
  choices and everything else as the class played it, so the difference is that team's doing;
- **an open process**: the same conference under the multistakeholder design against the
  scenario's own, played by the agents over several seeds (paired), so the class sees what
  openness changes here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sim.catalogue import label
from sim.classroom.session import RoundMove, Session
from sim.errors import InputError
from sim.results.outcome import Outcome
from sim.run import run_conference
from sim.scenario.schema import Scenario

MEASURES = ("treaty_adopted", "signed", "refused", "deferred", "n_adopted", "votes_called")


def read_session(folder: str | Path) -> tuple[Scenario, dict]:
    """The scenario and record of a finished session folder (``classroom --out``)."""
    folder = Path(folder)
    record_path, manifest_path = folder / "session.json", folder / "manifest.json"
    if not record_path.exists():
        raise InputError.single(
            str(folder),
            "DIR",
            "not a classroom session (no session.json): use the --out folder "
            "of `treatysim classroom`",
        )
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise InputError.single(str(record_path), "", f"cannot read: {err}") from None
    if not record.get("finished") or not manifest_path.exists():
        raise InputError.single(
            str(folder),
            "DIR",
            "the session was not finished: replay it to the end with "
            "`treatysim classroom ... --answers answers.txt --out DIR`",
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return Scenario.model_validate(manifest["scenario"]), record


def moves_by_round(record: dict) -> list[dict[str, RoundMove]]:
    """Each round's moves as the session recorded them."""
    rounds = []
    for event in record["rounds"]:
        moves = {}
        for human, move in event["moves"].items():
            proposal = move.get("proposal")
            moves[human] = RoundMove(
                votes={pid: vote == "accept" for pid, vote in move["votes"].items()},
                proposal=(proposal[0], float(proposal[1])) if proposal else None,
            )
        rounds.append(moves)
    return rounds


def replay(scenario: Scenario, record: dict, without: str | None = None) -> Outcome:
    """The session played again from its record.

    With ``without``, that team's moves are left out and the computer plays its seat.
    """
    session = Session(scenario, record["seed"], record["humans"])
    for moves in moves_by_round(record):
        if not session.negotiating:
            break
        session.open_round()
        session.close_round({h: m for h, m in moves.items() if h != without})
    decisions = dict(record["signing"]["decisions"])
    decisions.pop(without, None)
    return session.finish(decisions)


def debrief(folder: str | Path, seeds: int = 20) -> dict:
    """Everything the debrief shows, as plain data."""
    scenario, record = read_session(folder)
    seed = record["seed"]
    ids = list(scenario.arrays.delegation_ids)
    pids = list(scenario.arrays.provision_ids)
    titles = {p.id: p.title for p in scenario.provisions}
    played = replay(scenario, record)
    if played.to_dict()["metrics"] != record["metrics"]:
        raise InputError.single(
            str(folder),
            "session.json",
            "replaying the session gives a different result: it was "
            "recorded by another version of treatysim or the scenario changed",
        )
    agents = run_conference(scenario, seed)

    def summary(outcome: Outcome) -> dict:
        return {
            "metrics": {k: outcome.metrics[k] for k in MEASURES},
            "package": {
                pid: (round(float(outcome.package[c]), 1) if outcome.adopted[c] else None)
                for c, pid in enumerate(pids)
            },
            "decisions": {
                h: ("sign", "refuse", "defer", "none")[outcome.decision_codes[ids.index(h)]]
                for h in record["humans"]
            },
        }

    teams = []
    for human in record["humans"]:
        without = replay(scenario, record, without=human)
        teams.append(
            {
                "team": human,
                "with": summary(played),
                "without": summary(without),
                "signed_difference": played.metrics["signed"] - without.metrics["signed"],
                "texts_moved": {
                    pid: round(float(played.package[c] - without.package[c]), 1)
                    for c, pid in enumerate(pids)
                    if abs(played.package[c] - without.package[c]) >= 0.05
                },
            }
        )
    open_scenario = _with_openness(scenario, "multistakeholder")
    closed_runs = [run_conference(scenario, s).metrics for s in range(seeds)]
    open_runs = [run_conference(open_scenario, s).metrics for s in range(seeds)]
    openness = {
        k: {
            "design": float(np.mean([m[k] for m in closed_runs])),
            "open": float(np.mean([m[k] for m in open_runs])),
        }
        for k in MEASURES
    }
    return {
        "scenario": scenario.name,
        "seed": seed,
        "humans": record["humans"],
        "titles": titles,
        "class": summary(played),
        "agents": summary(agents),
        "teams": teams,
        "openness": openness,
        "open_seeds": seeds,
        "rounds": len(record["rounds"]),
        "labels": {k: label(k) for k in MEASURES},
    }


def _with_openness(scenario: Scenario, preset: str) -> Scenario:
    from sim.scenario.loader import validate
    from sim.scenario.overrides import with_overrides

    data = scenario.model_dump(mode="json")
    return validate(with_overrides(data, [("process.openness", preset)]), "debrief", {})


def render_text(result: dict) -> str:
    """The debrief on the terminal."""
    c, a = result["class"]["metrics"], result["agents"]["metrics"]
    lines = [
        f"Debrief: {result['scenario']}, seed {result['seed']}, teams {', '.join(result['humans'])}",
        "",
        f"  {'':<28}{'the class':>12}{'agents only':>14}",
    ]
    for k in MEASURES:
        ours, theirs = (("yes" if v else "no") if isinstance(v, bool) else v for v in (c[k], a[k]))
        lines.append(f"  {label(k):<28}{ours:>12}{theirs:>14}")
    lines += ["", "  agreed text (not adopted: —)"]
    for pid, title in result["titles"].items():
        ours, theirs = result["class"]["package"][pid], result["agents"]["package"][pid]
        show = lambda v: "—" if v is None else f"{v:.1f}"  # noqa: E731
        lines.append(f"    {title[:40]:<42}{show(ours):>10}{show(theirs):>12}")
    lines += [
        "",
        "What each team's moves changed (against the computer in its seat, others as played)",
    ]
    for team in result["teams"]:
        moved = ", ".join(f"{p} {d:+.1f}" for p, d in team["texts_moved"].items()) or "no text"
        lines.append(
            f"  {team['team']}: signatures {team['signed_difference']:+d}; texts moved: {moved}; "
            f"it chose to {team['with']['decisions'][team['team']]} "
            f"(the computer would have: {team['without']['decisions'][team['team']]})"
        )
    o = result["openness"]
    lines += [
        "",
        f"An open process (multistakeholder), agents only, mean over seeds 0–{result['open_seeds'] - 1}:",
        f"  signed {o['signed']['design']:.1f} → {o['signed']['open']:.1f}; "
        f"refused {o['refused']['design']:.1f} → {o['refused']['open']:.1f}; "
        f"deferred {o['deferred']['design']:.1f} → {o['deferred']['open']:.1f}",
    ]
    return "\n".join(lines) + "\n"


def render_html(result: dict, folder: str | Path) -> str:
    """The debrief as one self-contained HTML page, with the class's figures."""
    from importlib.resources import files

    from sim.figures.make import figure
    from sim.figures.sources import load_source
    from sim.report.build import environment, png, provenance

    source = load_source(folder)
    figures = {kind: png(figure(source, kind)) for kind in ("trajectory", "signatures")}
    css = (files("sim.report") / "templates" / "report.css").read_text(encoding="utf-8")
    return (
        environment()
        .get_template("debrief.html.j2")
        .render(
            title=f"Debrief: {result['scenario']}",
            question="What did the class's moves change, and what would a more open process have "
            "changed?",
            css=css,
            provenance=provenance(source.manifest),
            r=result,
            figures=figures,
        )
    )
