"""One timer for the heartbeats of every open SSE stream and WebSocket.

A heartbeat every `interval` seconds (a comment line on SSE, a ping on a WebSocket) keeps idle
connections alive through proxies and gives the dead-peer timeout (TCP_USER_TIMEOUT) bytes to
wait on, so a client that vanished is noticed. A timer per connection (tornado runs a task per
WebSocket for its pings) costs memory on every idle connection; one sweep costs nothing each."""

from __future__ import annotations

from typing import Protocol

from tornado.ioloop import PeriodicCallback


class Beating(Protocol):
    def heartbeat(self) -> None: ...


class Heartbeats:
    def __init__(self, interval: float):
        self.interval = interval
        self.members: set[Beating] = set()
        self._timer: PeriodicCallback | None = None

    def add(self, member: Beating) -> None:
        self.members.add(member)
        if self._timer is None and self.interval > 0:
            self._timer = PeriodicCallback(self._beat, self.interval * 1000)
            self._timer.start()

    def discard(self, member: Beating) -> None:
        self.members.discard(member)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _beat(self) -> None:
        for member in list(self.members):
            member.heartbeat()
