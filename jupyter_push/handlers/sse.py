"""`GET {base}push/events`: Server-Sent Events; `POST` publishes (see rest.py)."""

from __future__ import annotations

import time
from typing import Any

from tornado import web
from tornado.iostream import IOStream, StreamClosedError

from .._json import dumps
from ..server.hub import Subscriber
from ..wire import sse_comment, sse_message
from .rest import PublishHandler
from .sendnow import http_chunk, send_now


class EventsHandler(PublishHandler):
    _sub: Subscriber | None = None
    _closed = False
    _beat_due = False
    _sent = False  # bytes went out since the last heartbeat turn
    _writing_since: float = 0.0
    _frame = "sse"
    _raw_chunks = False

    @web.authenticated
    async def get(self) -> None:
        patterns = self.patterns_argument()
        named = self.get_query_argument("named", "0").lower() in ("1", "true", "yes")
        retained = self.get_query_argument("retained", "1").lower() not in ("0", "false", "no")
        since = self.request.headers.get("Last-Event-ID") or self.get_query_argument("since", None)
        state = self.state
        if state.stopping:
            raise web.HTTPError(503, "the server is shutting down; reconnect shortly")

        self.admit_connection()
        try:
            sub, gap = await state.hub.open(
                patterns, since=since or None, retained=retained, allowed=self.access.allowed
            )
        except BaseException:
            self.release_connection()
            raise
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Accel-Buffering", "no")
        self._sub = sub
        sub.on_overflow = self._cut_off
        sub.transport = "sse"
        state.closers.add(self._close)
        try:
            await self._stream(sub, gap, "sse_named" if named else "sse")
        except StreamClosedError:
            pass
        finally:
            state.closers.discard(self._close)
            state.hub.close(sub)
            self.release_connection()

    async def _stream(self, sub: Subscriber, gap: str | None, frame: str) -> None:
        stream = self._iostream()
        if stream is not None:
            stream.set_nodelay(True)  # writes are already batched; Nagle would add up to 40 ms
            self.detect_dead_peer(stream)
        self.write(sse_comment("jupyter_push"))
        if gap is not None:
            self.write(sse_message(dumps({"since": gap}), event="gap"))
        await self._flush()
        self.shed_request_state()  # the response has started: nothing reads the request again
        self._frame = frame
        # Chunked HTTP/1.1 with no output transform: the fast path may frame chunks itself.
        self._raw_chunks = not self._transforms and getattr(
            self.request.connection, "_chunking_output", False) is True
        sub.notify = self._write_now
        heartbeats = self.state.heartbeats  # one sweep for every stream, no timer each
        if heartbeats is not None:
            heartbeats.add(self)
        try:
            while not self._closed:
                await sub.ready.wait()
                if self._closed:
                    break
                if sub.overflowed:
                    # Fell behind: end the stream. The browser reconnects with Last-Event-ID
                    # and the hub replays what it missed from history (or sends a gap).
                    if self._stuck():
                        self._close()
                        break
                    self.write(sse_comment("too slow: reconnect to resume"))
                    await self._flush()
                    self.finish()
                    return
                if stream is not None and stream.writing():
                    # The socket has not taken the last write yet. Wait for it, so what waits
                    # meanwhile is the bounded queue of shared events, not copies in the
                    # write buffer; a client that never drains overflows and is cut off.
                    self._writing_since = time.monotonic()
                    await stream.write(b"")
                    self._writing_since = 0.0
                    continue
                events = sub.take()
                if events:
                    self.write(b"".join([getattr(e, frame) for e in events]))
                    self._sent = True
                elif self._beat_due:
                    self.write(b":\n")
                else:
                    continue
                self._beat_due = False
                await self._flush()
        finally:
            if heartbeats is not None:
                heartbeats.discard(self)
        stream = self._iostream()
        if not self._finished and stream is not None and not stream.closed():
            self.finish()

    def _write_now(self) -> bool:
        """The hub has queued events: when the socket is idle, write them at once rather
        than waking the stream's task (one write per subscriber, no task switch)."""
        sub, stream = self._sub, self._iostream()
        if (sub is None or sub.overflowed or self._closed or self._writing_since
                or stream is None or stream.closed() or stream.writing()):
            return False  # the task handles overflow, closing and a pending (slow) write
        events = sub.take()
        if events:
            self._sent = True
            if self._raw_chunks:
                send_now(stream, _shared_chunk(events, self._frame))
            else:
                self.write(b"".join([getattr(e, self._frame) for e in events]))
                self.flush()  # the socket is idle: tornado sends now; a failure closes it
        return True

    async def _flush(self) -> None:
        self._writing_since = time.monotonic()
        await self.flush()
        self._writing_since = 0.0

    def heartbeat(self) -> None:
        """Each heartbeat_interval: a comment, unless events went out since the last one."""
        if self._sent:
            self._sent = False
            return
        self._beat_due = True
        if self._sub is not None:
            self._sub.ready.set()

    def _cut_off(self) -> None:
        """Overflow while earlier bytes are still unsent: the client is stalled. Close the
        connection now, which also frees what waits in the stream's write buffer."""
        if self._stuck():
            self._close()

    def _stuck(self) -> bool:
        stream = self._iostream()
        return bool(self._writing_since) or (stream is not None and stream.writing())

    def _close(self) -> None:
        self._closed = True
        if self._sub is not None:
            self._sub.ready.set()
        stream = self._iostream()
        if stream is not None and self._stuck():
            stream.close()

    def _iostream(self) -> IOStream | None:
        return getattr(self.request.connection, "stream", None)

    def on_connection_close(self) -> None:
        self._closed = True
        if self._sub is not None:
            self._sub.ready.set()


_last_batch: tuple[tuple[Any, ...], str, bytes] = ((), "", b"")


def _shared_chunk(events: list[Any], frame: str) -> bytes:
    """The HTTP chunk for a batch. The hub hands the same batch to every subscriber of the
    same channels one after another, so the last chunk built is usually the one needed:
    they then share one bytes object, also in the write buffers of the slow ones."""
    global _last_batch
    key = tuple(events)  # compared by identity: the same Event objects in the same order
    if _last_batch[0] == key and _last_batch[1] == frame:
        return _last_batch[2]
    chunk = http_chunk(b"".join([getattr(e, frame) for e in events]))
    _last_batch = (key, frame, chunk)
    return chunk
