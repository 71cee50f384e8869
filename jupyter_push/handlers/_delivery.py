"""One connection's delivery, shared by SSE streams and WebSockets.

A `Delivery` owns everything between the hub's queue for one subscriber and the socket:
admission and the registrations (connection limits, shutdown, heartbeats, share-link expiry,
the hub subscription) and their undoing in `close()`; the fast path that writes a batch at
once when the socket is idle; a writer task, alive only while there is work the fast path
cannot do (bytes still unsent, a replay, a subscriber that fell behind); and the heartbeat.
The transports differ only in what they give it: a framing function (events → bytes on the
wire), how bytes are sent, and what "fell behind" means to the client (an SSE stream ends, a
WebSocket gets a `gap`).
"""

from __future__ import annotations

import asyncio
import enum
import time
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from tornado import web
from tornado.iostream import IOStream, StreamClosedError
from tornado.websocket import WebSocketClosedError

from ..events import PatternSet, Queued
from ..server.hub import Subscriber
from ..server.share_scope import needs_scope

if TYPE_CHECKING:
    from ..server.share_scope import KernelScope
    from .base import PushHandler

Framing = Callable[[list[Queued]], bytes]
"""Queued events and notices → the bytes that carry them on the wire, ready to send."""


class Phase(enum.Enum):
    NEW = "new"  # made; nothing registered
    ADMITTED = "admitted"  # counted and registered; the response has not started
    LIVE = "live"  # events are written as they come
    ENDING = "ending"  # no more writes: the transport is closing the connection
    CLOSED = "closed"  # every registration undone


class Delivery:
    """The delivery of one subscription to one connection (see the module's docstring).

    `stream` returns the connection's stream (None once it has gone); `send` writes bytes to
    the idle socket at once; `beat` writes a heartbeat; `fell_behind` is the transport's answer
    to an overflowed queue, run in the writer task: it returns True to go on delivering.
    `shutdown` closes the connection when the server stops. With `cut_when_stuck`, a queue
    that overflows while earlier bytes are still unsent closes the connection at once, which
    also frees what waits in its write buffer (the client stalled).
    """

    __slots__ = (
        "_ended",
        "beat",
        "cut_when_stuck",
        "fell_behind",
        "framing",
        "handler",
        "last_id",
        "phase",
        "scope",
        "send",
        "sent",
        "shutdown",
        "stream",
        "sub",
        "transport",
        "writer",
        "writing_since",
    )

    def __init__(
        self,
        handler: PushHandler,
        transport: str,
        *,
        framing: Framing,
        stream: Callable[[], IOStream | None],
        send: Callable[[bytes], None],
        beat: Callable[[], None],
        fell_behind: Callable[[], Awaitable[bool]],
        shutdown: Callable[[], None],
        cut_when_stuck: bool = False,
    ):
        self.handler = handler
        self.transport = transport
        self.framing = framing
        self.stream = stream
        self.send = send
        self.beat = beat
        self.fell_behind = fell_behind
        self.shutdown = shutdown
        self.cut_when_stuck = cut_when_stuck
        self.phase = Phase.NEW
        self.sub: Subscriber | None = None
        self.writer: asyncio.Task[None] | None = None
        self.writing_since = 0.0  # when the writer began waiting for the socket to drain
        self.sent = False  # bytes went out since the last heartbeat turn
        self.last_id: str | None = None  # of the last event written
        self.scope: KernelScope | None = None  # a share link's narrowing of `$` channels
        self._ended: asyncio.Future[None] | None = None

    # ------------------------------------------------------------------ lifecycle

    def open(self) -> None:
        """Count the connection against the limits (429 when over) and register it with the
        server's shutdown, the heartbeat sweep and, for a share link, its expiry."""
        handler = self.handler
        state = handler.state
        handler.admit_connection()
        self.phase = Phase.ADMITTED
        state.closers.add(self.shutdown)
        if state.heartbeats is not None:
            state.heartbeats.add(self)
        expires = handler.access.expires
        if expires is not None and state.share_connections is not None:
            state.share_connections.add(handler, expires)

    async def subscribe(
        self,
        patterns: PatternSet,
        *,
        since: str | None,
        retained: bool,
        max_rate: float | None = None,
    ) -> str | None:
        """Subscribe with the hub; the replay or retained values are queued. Returns the id
        of the gap when `since` could not be honoured. `max_rate`: conflate (conflation.py)."""
        state = self.handler.state
        hub = state.hub
        allowed = self.handler.access.allowed
        if needs_scope(allowed):
            assert allowed is not None
            try:
                self.scope = await state.share_scopes.acquire(hub, allowed)
            except BaseException:
                state.share_scopes.release(hub, allowed)
                raise
            if self.phase is Phase.CLOSED:  # the connection went meanwhile
                self._release_scope()
                return None
        sub, gap = await hub.open(
            patterns, since=since, retained=retained, allowed=allowed,
            max_rate=max_rate, scope=self.scope,
        )
        if self.phase is Phase.CLOSED:  # the connection went while the hub was replaying
            hub.close(sub)
            return gap
        sub.transport = self.transport
        sub.on_overflow = self._overflowed
        self.sub = sub
        if self.phase is Phase.LIVE:
            sub.notify = self.write_now
        return gap

    async def add(
        self, patterns: PatternSet, new: PatternSet, *, since: str | None, retained: bool
    ) -> str | None:
        """Listen to `patterns` from now on, `new` being the part just added (its replay or
        retained values are queued). Returns the id of the gap, as `subscribe`."""
        sub = self.sub
        if sub is None or not self.listen(patterns):
            return None
        return await self.handler.state.hub.prime(sub, new, since=since, retained=retained)

    def listen(self, patterns: PatternSet) -> bool:
        """Listen to `patterns` from now on (WebSocket subscribe / unsubscribe). False when
        the connection has closed: an op still running then must not subscribe it again."""
        if self.sub is None or self.phase is Phase.CLOSED:
            return False
        self.handler.state.hub.update(self.sub, patterns)
        return True

    def go_live(self) -> None:
        """The response has started: write events as they come, beginning with what is
        queued already."""
        if self.phase is not Phase.ADMITTED:
            return
        self.phase = Phase.LIVE
        if self.sub is not None:
            self.sub.notify = self.write_now
        self.kick()

    def end(self) -> None:
        """Stop writing: the transport finishes the response or closes the socket."""
        if self.phase in (Phase.ADMITTED, Phase.LIVE):
            self.phase = Phase.ENDING
        if self.sub is not None:
            self.sub.notify = None
        if self._ended is not None and not self._ended.done():
            self._ended.set_result(None)

    async def ended(self) -> None:
        """Wait until `end()` or `close()`."""
        if self.phase in (Phase.ENDING, Phase.CLOSED):
            return
        if self._ended is None:
            self._ended = asyncio.get_running_loop().create_future()
        await self._ended

    def close(self) -> None:
        """Undo every registration (idempotent)."""
        if self.phase is Phase.CLOSED:
            return
        admitted = self.phase is not Phase.NEW
        self.end()
        self.phase = Phase.CLOSED
        handler = self.handler
        state = handler.state
        if admitted:
            state.closers.discard(self.shutdown)
            if state.heartbeats is not None:
                state.heartbeats.discard(self)
            handler.release_connection()
        sub = self.sub
        if sub is not None:
            sub.on_overflow = None
            state.hub.close(sub)
        self._release_scope()

    def _release_scope(self) -> None:
        scope, self.scope = self.scope, None
        if scope is not None:
            self.handler.state.share_scopes.release(self.handler.state.hub, scope.allowed)

    # ------------------------------------------------------------------ writing

    def write_now(self) -> bool:
        """The hub queued events: when the socket is idle, write them at once rather than
        waking the writer task (one write per subscriber, no task switch). Returns False
        when the writer task has the work (a pending write, an overflow)."""
        sub = self.sub
        if sub is None or self.phase is not Phase.LIVE:
            return False
        stream = self.stream()
        if stream is None or stream.closed():
            return False
        if sub.overflowed or self.writing_since or stream.writing() or self._writer_busy():
            self.kick()  # the writer waits for the socket to drain: flow control
            return False
        self._send(sub.take())
        return True

    def write_queued(self) -> None:
        """Write what is queued now, whatever the socket's state (before a control message
        that must follow the events already queued)."""
        sub = self.sub
        if sub is not None and sub.queue and not sub.overflowed and self.phase is Phase.LIVE:
            stream = self.stream()
            if stream is not None:
                stream.write(self._encode(sub.take()))

    def kick(self) -> None:
        """Start the writer task unless it runs. It exists only while there is work the
        fast path cannot do, which keeps idle connections small."""
        if self.sub is not None and self.phase is Phase.LIVE and not self._writer_busy():
            self.writer = asyncio.ensure_future(self._write_loop(self.sub))

    def stuck(self) -> bool:
        """True when bytes written earlier have not all gone to the socket yet."""
        stream = self.stream()
        return bool(self.writing_since) or (stream is not None and stream.writing())

    def heartbeat(self) -> None:
        """Each heartbeat_interval (from the shared sweep): a heartbeat, unless events went
        out since the last one or bytes are still on their way (they do its job)."""
        if self.sent:
            self.sent = False
            return
        if self.phase is not Phase.LIVE or self._writer_busy():
            return
        stream = self.stream()
        if stream is None or stream.closed() or stream.writing():
            return
        try:
            self.beat()
        except (StreamClosedError, WebSocketClosedError):
            pass

    def _writer_busy(self) -> bool:
        return self.writer is not None and not self.writer.done()

    def _encode(self, items: list[Queued]) -> bytes:
        self.sent = True
        for item in reversed(items):
            if item.id is not None:
                self.last_id = item.id
                break
        return self.framing(items)

    def _send(self, items: list[Queued]) -> None:
        if not items:
            return
        try:
            self.send(self._encode(items))
        except (StreamClosedError, WebSocketClosedError):
            pass

    def _overflowed(self) -> None:
        """The hub emptied the queue: the subscriber fell behind. A stalled connection is
        closed now when the transport says so; otherwise the writer task answers as the
        transport says (`fell_behind`)."""
        if self.cut_when_stuck and self.stuck():
            stream = self.stream()
            if stream is not None:
                stream.close()
            return
        self.kick()

    async def _write_loop(self, sub: Subscriber) -> None:
        try:
            while self.phase is Phase.LIVE:
                if sub.overflowed:
                    if not await self.fell_behind():
                        break
                    continue
                stream = self.stream()
                if stream is None or stream.closed():
                    break
                if stream.writing():
                    # The socket has not taken the last write yet. Wait for it, so what waits
                    # meanwhile is the bounded queue of shared events, not copies in the
                    # write buffer; a client that never drains overflows and is cut off.
                    self.writing_since = time.monotonic()
                    try:
                        await stream.write(b"")
                    finally:
                        self.writing_since = 0.0
                    continue
                items = sub.take()
                if not items:
                    break  # idle: the fast path takes over
                self.send(self._encode(items))
        except (StreamClosedError, WebSocketClosedError):
            pass
        if self.writer is asyncio.current_task():
            self.writer = None  # an idle connection keeps no finished task


def refuse_when_stopping(handler: Any) -> None:
    """503 for a new stream or socket while the server shuts down."""
    if handler.state.stopping:
        raise web.HTTPError(503, "the server is shutting down; reconnect shortly")
