"""One timer for the heartbeats of every open SSE stream and WebSocket.

A heartbeat every `interval` seconds (a comment line on SSE, a ping on a WebSocket) keeps idle
connections alive through proxies and gives the dead-peer timeout (TCP_USER_TIMEOUT) bytes to
wait on, so a client that vanished is noticed. A timer per connection (tornado runs a task per
WebSocket for its pings) costs memory on every idle connection; one sweep costs nothing each.

The sweep is spread over the interval, a slice of the connections at a time, so thousands of
heartbeats never go out in one burst that would hold up an event; a connection that sent
something since its last turn is skipped (its own bytes did the job)."""

from __future__ import annotations

from typing import Protocol

from tornado.ioloop import PeriodicCallback

SLICES = 16  # ticks per interval: each beats about 1/16 of the connections


class Beating(Protocol):
    def heartbeat(self) -> None: ...


class Heartbeats:
    def __init__(self, interval: float):
        self.interval = interval
        self.members: dict[Beating, None] = {}  # an ordered set
        self._turn: list[Beating] = []  # this interval's members, beaten slice by slice
        self._ticks = 0
        self._timer: PeriodicCallback | None = None

    def add(self, member: Beating) -> None:
        self.members[member] = None
        if self._timer is None and self.interval > 0:
            self._timer = PeriodicCallback(self._tick, self.interval * 1000 / SLICES)
            self._timer.start()

    def discard(self, member: Beating) -> None:
        self.members.pop(member, None)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _tick(self) -> None:
        k = self._ticks % SLICES
        if k == 0:
            self._turn = list(self.members)
        n, members = len(self._turn), self.members
        for member in self._turn[k * n // SLICES:(k + 1) * n // SLICES]:
            if member in members:  # not closed since the turn began
                member.heartbeat()
        self._ticks += 1
