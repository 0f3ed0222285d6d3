"""The shared state of a classroom session served to many browsers.

One ``Room`` holds the session, the moves teams have submitted for the open round, and who may
do what: each team has an unguessable token that lets it submit for its own seat only, and the
facilitator has one that lets them lock, advance and override. Every browser shows the same
state; a lock serialises changes.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from sim.classroom.session import RoundMove, Session


class Forbidden(Exception):
    """A token that may not do this."""


@dataclass
class Room:
    """A session, its pending moves and its access tokens."""

    session: Session
    facilitator: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    teams: dict[str, str] = field(default_factory=dict)  # token → seat
    pending: dict[str, RoundMove] = field(default_factory=dict)
    signatures: dict[str, str] = field(default_factory=dict)
    locked: bool = False
    started_at: float | None = None
    log: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    phase: str = "waiting"  # waiting → round → signing → finished
    last_event: dict | None = None
    outcome: object | None = None
    on_change: object | None = None  # called after every advance (to keep the session)
    signing: dict | None = None

    def __post_init__(self):
        if not self.teams:
            self.teams = {secrets.token_urlsafe(16): h for h in self.session.humans}

    def seat(self, token: str) -> str:
        """The seat a team token plays."""
        if token not in self.teams:
            raise Forbidden("not a team link")
        return self.teams[token]

    def check_facilitator(self, token: str) -> None:
        """Refuse anyone but the facilitator."""
        if not secrets.compare_digest(token, self.facilitator):
            raise Forbidden("not the facilitator's link")

    # --- the facilitator ---------------------------------------------------------------------

    def start(self, token: str) -> None:
        """Open the first round."""
        self.check_facilitator(token)
        with self.lock:
            if self.phase == "waiting":
                self._open()

    def set_locked(self, token: str, locked: bool) -> None:
        """Lock (or unlock) the round: teams can no longer change their moves."""
        self.check_facilitator(token)
        with self.lock:
            self.locked = locked

    def advance(self, token: str) -> None:
        """Close the round with the moves in; open the next one, or the signing."""
        self.check_facilitator(token)
        with self.lock:
            if self.phase == "round":
                self.last_event = self.session.close_round(dict(self.pending))
                self.log.append(f"round {self.last_event['round']} closed")
                self.pending = {}
                if self.session.negotiating:
                    self._open()
                else:
                    self.phase = "signing"
                    self.locked = False
                    self.signing = self.session.signing_prompt()
            elif self.phase == "signing":
                self.outcome = self.session.finish(dict(self.signatures))
                self.phase = "finished"
            if self.on_change is not None:
                self.on_change(self)

    def _open(self) -> None:
        self.session.open_round()
        self.phase = "round"
        self.locked = False
        self.started_at = time.monotonic()

    # --- moves -------------------------------------------------------------------------------

    def submit(
        self,
        token: str,
        move: RoundMove | None = None,
        decision: str | None = None,
        seat: str | None = None,
    ) -> str:
        """Record a seat's move (a team for its own seat; the facilitator for any seat)."""
        if seat is None:
            seat = self.seat(token)
        else:
            self.check_facilitator(token)
            if seat not in self.session.humans:
                raise Forbidden(f"{seat} is not a team seat")
        with self.lock:
            if self.locked and token in self.teams:  # the facilitator may still enter moves
                raise Forbidden("the round is locked")
            if self.phase == "round" and move is not None:
                self.pending[seat] = move
            elif self.phase == "signing" and decision is not None:
                if decision not in ("sign", "refuse", "defer"):
                    raise ValueError(f"{decision!r} is not sign, refuse or defer")
                self.signatures[seat] = decision
            else:
                raise Forbidden(f"nothing to submit while {self.phase}")
        return seat

    def elapsed(self) -> int:
        """Seconds since the round opened."""
        return 0 if self.started_at is None else int(time.monotonic() - self.started_at)
