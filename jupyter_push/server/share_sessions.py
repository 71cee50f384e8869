"""The streams and sockets opened with share tokens, ended when their token expires or every
link is revoked."""

from __future__ import annotations

import time
import weakref
from typing import Protocol

from tornado.ioloop import PeriodicCallback


class ShareHolder(Protocol):
    """A request held open by a share token (an SSE stream or a WebSocket)."""

    def end_share_connection(self) -> None: ...


class ShareConnections:
    """The streams and sockets opened with share tokens, closed when their token expires or
    every link is revoked. Held weakly: a finished request drops out by itself."""

    def __init__(self, interval: float = 1.0):
        self._open: weakref.WeakKeyDictionary[ShareHolder, float] = weakref.WeakKeyDictionary()
        self._sweeper = PeriodicCallback(self.sweep, interval * 1000)

    def add(self, handler: ShareHolder, expires: float) -> None:
        self._open[handler] = expires
        if not self._sweeper.is_running():
            self._sweeper.start()

    def sweep(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        for handler, expires in list(self._open.items()):
            if expires <= now:
                self._end(handler)
        if not self._open:
            self._sweeper.stop()

    def close_all(self) -> None:
        for handler in list(self._open.keys()):
            self._end(handler)

    def stop(self) -> None:
        self._sweeper.stop()

    def _end(self, handler: ShareHolder) -> None:
        self._open.pop(handler, None)
        handler.end_share_connection()

    def __len__(self) -> int:
        return len(self._open)
