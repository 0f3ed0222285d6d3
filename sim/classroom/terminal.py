"""A classroom session at the terminal: each human team answers in turn, line by line.

Answers come from any line source (standard input, or a saved ``answers.txt`` to replay a
session exactly). ``help`` explains the current question, ``quit`` or the end of input stops and
keeps what was played, and a bad answer is explained and asked again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sim.classroom.session import RoundMove, Session

ACCEPT = {"a": True, "accept": True, "y": True, "yes": True}
OBJECT = {"o": False, "object": False, "n": False, "no": False}
HELP = {
    "vote": "Answer accept (a) if your delegation can live with this draft, object (o) if not; "
    "press Enter to take the default shown, which is what the computer would do in your seat. "
    "Under consensus a few objections block a draft; under a vote, the count decides.",
    "proposal": "Type PROVISION=TEXT (for example charging=40) to have the chair table your text "
    "for that provision next round instead of its own draft; a number from 0 to 100 on the "
    "provision's scale. Press Enter to propose nothing.",
    "sign": "Answer sign, refuse or defer (go home to consult); Enter takes the default shown, "
    "what the computer would do in your seat.",
}


class Stop(Exception):
    """The session stops early: ``quit`` or the end of input."""


class Dialogue:
    """Asks questions on ``write`` and reads answers from ``lines``, keeping every line read."""

    def __init__(self, lines: Iterator[str], write: Callable[[str], None], echo: bool = False):
        self.lines = lines
        self.write = write
        self.echo = echo  # show each answer (when it comes from a file or a pipe)
        self.read: list[str] = []

    def ask(self, question: str, topic: str, parse: Callable[[str], object]) -> object:
        """Ask until ``parse`` accepts the answer (it raises ValueError with the reason)."""
        while True:
            self.write(question)
            try:
                line = next(self.lines)
            except StopIteration:
                self.write("\n")
                raise Stop("end of input") from None
            line = line.rstrip("\r\n")
            self.read.append(line)
            if self.echo:
                self.write(f"{line}\n")
            answer = line.strip()
            if answer.lower() == "quit":
                raise Stop("quit")
            if answer.lower() == "help":
                self.write(f"    {HELP[topic]}\n")
                continue
            try:
                return parse(answer)
            except ValueError as err:
                self.write(f"    {err}\n")


def play(session: Session, dialogue: Dialogue):
    """Play a session to its end or until it stops; returns the outcome, or None if stopped."""
    write = dialogue.write
    try:
        while session.negotiating:
            prompts = session.open_round()
            moves = {}
            for human in session.humans:
                prompt = prompts[human]
                write(f"\nRound {prompt['round']} of {prompt['rounds']} — {human}\n")
                moves[human] = _round(dialogue, prompt)
            event = session.close_round(moves)
            _report(write, event, session)
        prompt = session.signing_prompt()
        write("\nThe conference has ended.\n")
        for pid, row in prompt["package"].items():
            shown = f"{row['text']:.1f}" if row["adopted"] else "not adopted"
            write(f"  {session.titles[pid]}: {shown}\n")
        decisions = {}
        if prompt["treaty"]:
            for human in session.humans:
                default = prompt["seats"][human]["default"]
                decisions[human] = dialogue.ask(
                    f"{human}: sign, refuse or defer [{default}]: ",
                    "sign",
                    lambda a, d=default: _decision(a, d),
                )
        else:
            write("No treaty was adopted: there is nothing to sign.\n")
        outcome = session.finish(decisions)
        m = outcome.metrics
        write(f"\nSignatures: {m['signed']} sign · {m['refused']} refuse · {m['deferred']} defer\n")
        return outcome
    except Stop as stop:
        write(f"Session stopped ({stop}); what was played is kept.\n")
        return None


def _round(dialogue: Dialogue, prompt: dict) -> RoundMove:
    move = RoundMove()
    for row in prompt["provisions"]:
        question = (
            f"  {row['title']} ({row['provision']}): draft {row['draft']:.1f}, "
            f"your position {row['position']:.1f} — accept or object [{row['default']}]: "
        )
        accept = dialogue.ask(question, "vote", lambda a, d=row["default"]: _vote(a, d))
        if accept is not None:  # Enter: the agent's choice stands
            move.votes[row["provision"]] = accept
    open_ids = [row["provision"] for row in prompt["provisions"]]
    move.proposal = dialogue.ask(
        "  propose a text for next round (PROVISION=TEXT, Enter for none): ",
        "proposal",
        lambda a: _proposal(a, open_ids),
    )
    return move


def _vote(answer: str, default: str) -> bool | None:
    if not answer:
        return None
    key = answer.lower()
    if key in ACCEPT:
        return True
    if key in OBJECT:
        return False
    raise ValueError(f"{answer!r}: answer accept (a) or object (o), or Enter for {default}")


def _proposal(answer: str, open_ids: list[str]) -> tuple[str, float] | None:
    if not answer:
        return None
    pid, sep, text = answer.partition("=")
    pid = pid.strip()
    if not sep or pid not in open_ids:
        raise ValueError(
            f"{answer!r}: write PROVISION=TEXT with an open provision ({', '.join(open_ids)})"
        )
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number from 0 to 100") from None
    if not 0 <= value <= 100:
        raise ValueError(f"{value:g} is outside 0–100")
    return pid, value


def _decision(answer: str, default: str) -> str:
    key = (answer or default).lower()
    choices = {
        "sign": "sign",
        "s": "sign",
        "refuse": "refuse",
        "r": "refuse",
        "defer": "defer",
        "d": "defer",
    }
    if key in choices:
        return choices[key]
    raise ValueError(f"{answer!r}: answer sign, refuse or defer, or Enter for {default}")


def _report(write, event: dict, session: Session) -> None:
    if event["adopted"]:
        for row in event["adopted"]:
            how = "by the room" if row["how"] == "decision" else "by the forced vote"
            write(f"  adopted {how}: {session.titles[row['provision']]} at {row['text']:.1f}\n")
    else:
        write(f"  nothing adopted this round ({event['objections']} objections)\n")
    for human, (pid, text) in event["proposals_tabled_next"].items():
        write(f"  {human} proposes {pid} = {text:g}: the chair tables it next round\n")
