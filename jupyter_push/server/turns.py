"""Push work's share of one turn of the event loop.

jupyter_push runs on jupyter_server's event loop, so what it does for a publish (decoding a
frame, validating and storing its events, handing them to subscribers, writing to their
sockets) delays every other request by as long as it runs without yielding. Several pieces of
that work can follow each other within one turn: tornado reads every WebSocket message
already buffered (up to 256 KiB) before it yields, and a publish to the memory broker
completes without waiting, so eighty small frames of a kernel pushing 50,000 events/s were
one 80 ms turn. Each piece therefore asks one shared `TurnBudget` whether this turn's share is
spent, and yields the loop when it is: the next turn starts with a fresh share, after
whatever else was ready.
"""

from __future__ import annotations

import asyncio
import time

TURN_SECONDS = 0.002  # push work per turn of the event loop, all of it together


class TurnBudget:
    """How long push work has run in the current turn of the event loop.

    The count starts at the first `spent()` of a turn and is reset by a callback that runs at
    the start of the next one (scheduled then), so it covers everything jupyter_push runs in
    between, whichever handler or hub method runs it."""

    __slots__ = ("_started", "seconds")

    def __init__(self, seconds: float = TURN_SECONDS):
        self.seconds = seconds
        self._started: float | None = None

    def spent(self) -> bool:
        """True once push work has run `seconds` in this turn: yield the loop now."""
        started = self._started
        if started is not None:
            return time.monotonic() - started > self.seconds
        try:
            asyncio.get_running_loop().call_soon(self._next_turn)
        except RuntimeError:  # no loop (a synchronous caller): nothing to yield to
            return False
        self._started = time.monotonic()
        return False

    def _next_turn(self) -> None:
        self._started = None
