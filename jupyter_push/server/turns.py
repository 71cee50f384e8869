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

Yielding alone was not enough when a notebook pushes as fast as it can: the loop then always
had push work ready, so it never slept, and jupyter_server's contents manager, which does
each `os.lstat` of a directory listing in a thread, waited for the interpreter lock for the
switch interval (5 ms) at every file: `api/contents` p50 75 ms. So a turn that used its whole
share is followed by a rest (`REST_SECONDS`), during which push work waits and the loop serves
the rest, or sleeps and lets the threads run. Push work below its share never rests, so only a
saturated server gives up throughput.

A rest no thread uses is throughput thrown away: a kernel pushing to a browser, with nothing
else asking the server for anything, was delivered at half speed. So each rest is measured by
the CPU time the process's other threads spent while push work was held back (the event
loop's own other work needs no rest: it runs between two shares anyway). When they used more
than `BUSY_FRACTION` of it, rests are whole for the next `BUSY_HOLD_SECONDS`; after that, each
is half as long as the one before, down to `MIN_REST_FRACTION` of the whole. A request whose
threads start while rests are short waits for one short rest before they are whole again.
"""

from __future__ import annotations

import asyncio
import time

TURN_SECONDS = 0.002  # push work per turn of the event loop, all of it together
REST_SECONDS = 0.002  # then no push work for this long (at most)
BUSY_FRACTION = 0.01  # other threads used more of a rest than this: they need them
BUSY_HOLD_SECONDS = 0.1  # then rests are whole for this long (a request's threads come and go)
MIN_REST_FRACTION = 0.25  # rests no thread uses halve down to this part of the whole


def _others_cpu() -> float:
    """CPU time of the process's threads but this one (the event loop's)."""
    return time.process_time() - time.thread_time()


class TurnBudget:
    """How long push work has run in the current turn of the event loop.

    The count starts at the first `spent()` of a turn and is reset by a callback that runs at
    the start of the next one (scheduled then), so it covers everything jupyter_push runs in
    between, whichever handler or hub method runs it."""

    __slots__ = ("_busy_until", "_next_rest", "_rest_from", "_rest_others", "_rest_until",
                 "_started", "rest", "seconds")

    def __init__(self, seconds: float = TURN_SECONDS, rest: float = REST_SECONDS):
        self.seconds = seconds
        self.rest = rest
        self._started: float | None = None
        self._rest_until = 0.0
        self._next_rest = rest  # the length of the next rest (`rest` while others use them)
        self._rest_from: float | None = None  # when the last rest began (None: measured)
        self._rest_others = 0.0  # the CPU time of the process's other threads then
        self._busy_until = 0.0  # rests are whole until then (other threads used one)

    def spent(self) -> bool:
        """True once push work has run `seconds` in this turn, or while it rests after such a
        turn: yield the loop now, for `wait()` seconds."""
        started = self._started
        now = time.monotonic()
        if started is not None:
            if now - started <= self.seconds:
                return False
            if self._rest_until < started:  # the first look past the share: rest from now
                self._rest_until = now + self._next_rest
                self._rest_from = now
                self._rest_others = _others_cpu()
            return True
        if now < self._rest_until:
            return True
        if self._rest_from is not None:
            self._measure_rest(now)
        try:
            asyncio.get_running_loop().call_soon(self._next_turn)
        except RuntimeError:  # no loop (a synchronous caller): nothing to yield to
            return False
        self._started = now
        return False

    def _measure_rest(self, now: float) -> None:
        """Did other threads use the rest (and the time since, push work held back)? Then
        rests are whole for `BUSY_HOLD_SECONDS`; after that, each is half the one before."""
        held = now - self._rest_from if self._rest_from is not None else 0.0
        self._rest_from = None
        if _others_cpu() - self._rest_others > BUSY_FRACTION * held:
            self._busy_until = now + BUSY_HOLD_SECONDS
        if now < self._busy_until:
            self._next_rest = self.rest
        else:
            self._next_rest = max(self.rest * MIN_REST_FRACTION, self._next_rest / 2)

    @property
    def next_rest(self) -> float:
        """The length of the next rest (seconds)."""
        return self._next_rest

    def wait(self) -> float:
        """Seconds until push work may run again (0: at the next turn)."""
        return max(0.0, self._rest_until - time.monotonic())

    async def pause(self) -> None:
        """Yield the loop: to the next turn, or past the rest after a full turn."""
        await asyncio.sleep(self.wait())

    def _next_turn(self) -> None:
        self._started = None
