"""`GET {base}push/events`: Server-Sent Events; `POST` publishes (see rest.py).

The protocol only: query parameters, headers, the opening comment and gap, SSE framing, and
the cut-off of a subscriber that fell behind. Delivery itself is `_delivery.Delivery`."""

from __future__ import annotations

from tornado import web
from tornado.iostream import IOStream, StreamClosedError

from .._json import dumps
from ..events import Queued
from ..exceptions import InvalidInput
from ..server.conflation import parse_max_rate
from ..wire import http_chunk, sse_comment, sse_message
from . import _tornado_fastpath as fastpath
from ._delivery import Delivery, refuse_when_stopping
from .rest import PublishHandler

TOO_SLOW = sse_comment("too slow: reconnect to resume")


class EventsHandler(PublishHandler):
    _delivery: Delivery | None = None
    _frame = "sse"  # the Event attribute holding this stream's frame: sse or sse_named
    _raw_chunks = False  # chunks are framed here and written straight to the socket

    @web.authenticated
    async def get(self) -> None:
        patterns = self.patterns_argument()
        named = self.get_query_argument("named", "0").lower() in ("1", "true", "yes")
        retained = self.get_query_argument("retained", "1").lower() not in ("0", "false", "no")
        since = self.request.headers.get("Last-Event-ID") or self.get_query_argument("since", None)
        try:
            max_rate = parse_max_rate(self.get_query_argument("max_rate", None))
        except InvalidInput as e:
            raise web.HTTPError(400, str(e)) from e
        refuse_when_stopping(self)
        self._frame = "sse_named" if named else "sse"
        delivery = self._delivery = Delivery(
            self, "sse", framing=self._framing, stream=self._iostream, send=self._send,
            beat=self._beat, fell_behind=self._fell_behind, shutdown=self._shutdown,
            cut_when_stuck=True,
        )
        try:
            delivery.open()
            gap = await delivery.subscribe(patterns, since=since or None, retained=retained,
                                           max_rate=max_rate)
            self.set_header("Content-Type", "text/event-stream")
            self.set_header("Cache-Control", "no-cache")
            self.set_header("X-Accel-Buffering", "no")
            await self._start(gap)
            delivery.go_live()
            await delivery.ended()
            stream = self._iostream()
            if not fastpath.finished(self) and stream is not None and not stream.closed():
                self.finish()
        except StreamClosedError:
            pass
        finally:
            delivery.close()

    async def _start(self, gap: str | None) -> None:
        stream = self._iostream()
        if stream is not None:
            stream.set_nodelay(True)  # writes are already batched; Nagle would add up to 40 ms
            self.detect_dead_peer(stream)
        self.write(sse_comment("jupyter_push"))
        if gap is not None:
            self.write(sse_message(dumps({"since": gap}), event="gap"))
        await self.flush()
        self.shed_request_state()  # the response has started: nothing reads the request again
        self._raw_chunks = fastpath.can_frame_chunks(self)

    def _framing(self, items: list[Queued]) -> bytes:
        frame = self._frame
        if not self._raw_chunks:
            return b"".join([getattr(e, frame) for e in items])
        return self.state.hub.batch_bytes.get(
            frame, items, lambda items: http_chunk(b"".join([getattr(e, frame) for e in items])))

    def _send(self, data: bytes) -> None:
        if self._raw_chunks:
            stream = self._iostream()
            if stream is not None:
                fastpath.send_now(stream, data)
        else:
            self.write(data)
            self.flush()  # tornado sends now; a failure closes the stream

    def _beat(self) -> None:
        self._send(http_chunk(b":\n") if self._raw_chunks else b":\n")

    async def _fell_behind(self) -> bool:
        """End the stream. The browser reconnects with Last-Event-ID and the hub replays
        what it missed from history (or sends a gap)."""
        delivery = self._delivery
        assert delivery is not None
        if delivery.stuck():
            self._shutdown()
            return False
        self._send(http_chunk(TOO_SLOW) if self._raw_chunks else TOO_SLOW)
        delivery.end()
        return False

    def _shutdown(self) -> None:
        """Close the stream: end the response, or drop the connection when it is stalled."""
        delivery = self._delivery
        if delivery is None:
            return
        stuck = delivery.stuck()
        delivery.end()
        stream = self._iostream()
        if stream is not None and stuck:
            stream.close()

    def _iostream(self) -> IOStream | None:
        return fastpath.iostream(self)

    def on_connection_close(self) -> None:
        if self._delivery is not None:
            self._delivery.end()
