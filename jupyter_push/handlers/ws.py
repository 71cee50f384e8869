"""`GET {base}push/ws`: subscribe and publish over one WebSocket."""

from __future__ import annotations

import asyncio
from typing import Any

from jupyter_server.auth.decorator import ws_authenticated
from jupyter_server.base.websocket import WebSocketMixin
from tornado import web
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from ..events import (
    EventTooLarge,
    InvalidInput,
    PatternSet,
    check_pattern,
    control,
    loads,
    ws_batch,
)
from ..hub import Subscriber
from .base import PushHandler
from .rest import drafts_from

MAX_PATTERNS_PER_SOCKET = 1000


class PushWebSocket(WebSocketMixin, WebSocketHandler, PushHandler):  # type: ignore[misc]
    _sub: Subscriber | None = None
    _writer: asyncio.Task[None] | None = None
    _closed = False

    @ws_authenticated
    async def get(self, *args: Any, **kwargs: Any) -> None:
        if self.state.stopping:
            raise web.HTTPError(503, "the server is shutting down; reconnect shortly")
        await super().get(*args, **kwargs)

    def check_origin(self, origin: str | None = None) -> bool:  # type: ignore[override]
        # A token or share token sent with the request is not a cross-site forgery; only a
        # socket that relies on the login cookie is held to the allowed origins.
        if self.access.explicit or self.token_authenticated:
            return True
        return WebSocketMixin.check_origin(self, origin)  # type: ignore[no-any-return]

    def get_compression_options(self) -> dict[str, Any] | None:
        return None

    def open(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.state.closers.add(self._shutdown)

    # ------------------------------------------------------------------ client → server

    async def on_message(self, message: str | bytes) -> None:  # type: ignore[override]
        try:
            msg = loads(message)
        except InvalidInput as e:
            return self._error(str(e))
        ops = msg if isinstance(msg, list) else [msg]
        for op in ops:
            try:
                await self._handle(op)
            except EventTooLarge as e:
                self._error(str(e), ref=_ref(op))
            except InvalidInput as e:
                self._error(str(e), ref=_ref(op))

    async def _handle(self, msg: Any) -> None:
        if not isinstance(msg, dict) or not isinstance(msg.get("op"), str):
            raise InvalidInput('expected an object with an "op": subscribe, unsubscribe or publish')
        op = msg["op"]
        if op == "subscribe":
            await self._subscribe(msg)
        elif op == "unsubscribe":
            self._unsubscribe(msg)
        elif op == "publish":
            await self._publish(msg)
        else:
            raise InvalidInput(f"unknown op {op!r}: use subscribe, unsubscribe or publish")

    async def _subscribe(self, msg: dict[str, Any]) -> None:
        new = _patterns(msg)
        since = msg.get("since")
        if since is not None and not isinstance(since, str):
            raise InvalidInput('"since" must be an event id string')
        retained = msg.get("retained", True) is not False
        hub = self.state.hub
        sub = self._sub
        if sub is None:
            sub, gap = await hub.open(
                PatternSet(new), since=since, retained=retained, allowed=self.access.allowed
            )
            self._sub = sub
            self._writer = asyncio.ensure_future(self._write_loop(sub))
        else:
            combined = PatternSet([*sub.patterns.patterns, *new])
            if len(combined.patterns) > MAX_PATTERNS_PER_SOCKET:
                raise InvalidInput(f"at most {MAX_PATTERNS_PER_SOCKET} patterns per socket")
            hub.update(sub, combined)
            gap = await hub.prime(sub, PatternSet(new), since=since, retained=retained)
        if gap is not None:
            self._send(control("gap", since=gap))

    def _unsubscribe(self, msg: dict[str, Any]) -> None:
        gone = set(_patterns(msg))
        if self._sub is not None:
            remaining = [p for p in self._sub.patterns.patterns if p not in gone]
            self.state.hub.update(self._sub, PatternSet(remaining))

    async def _publish(self, msg: dict[str, Any]) -> None:
        if not self.access.can_publish:
            raise InvalidInput("a share token is read-only: it cannot publish")
        source = msg.get("source")
        if source is not None and not isinstance(source, dict):
            raise InvalidInput('"source" must be an object')
        hub = self.state.hub
        if "events" in msg:
            items = msg["events"]
            if not isinstance(items, list):
                raise InvalidInput('"events" must be a list of {"channel", "data"} objects')
            # A bad event is reported and the others in the batch are still published.
            drafts = []
            for i, item in enumerate(items):
                try:
                    drafts.extend(drafts_from(hub, item, source))
                except InvalidInput as e:
                    self._error(f"event {i}: {e}", ref=_ref(msg))
        else:
            drafts = drafts_from(hub, {"channel": msg.get("channel"), "data": msg.get("data")},
                                 source)
        events = await hub.publish(drafts)
        if "ref" in msg:
            self._send(control("ack", ref=msg["ref"], ids=[e.id for e in events]))

    # ------------------------------------------------------------------ server → client

    async def _write_loop(self, sub: Subscriber) -> None:
        try:
            while not self._closed:
                await sub.ready.wait()
                if self._closed:
                    break
                if sub.overflowed:
                    # Fell behind: tell the client where the gap starts; it resumes with since.
                    sub.overflowed = False
                    sub.ready.clear()
                    await self.write_message(control("gap", since=self._last_id))
                    continue
                events = sub.take()
                if events:
                    self._last_id = events[-1].id
                    await self.write_message(ws_batch(events))
        except WebSocketClosedError:
            pass

    _last_id: str | None = None

    def _send(self, payload: bytes) -> None:
        try:
            self.write_message(payload)
        except WebSocketClosedError:
            pass

    def _error(self, message: str, ref: Any = None) -> None:
        fields: dict[str, Any] = {"message": message}
        if ref is not None:
            fields["ref"] = ref
        self._send(control("error", **fields))

    def _shutdown(self) -> None:
        self.close(1001, "server shutting down")

    def on_close(self) -> None:
        self._closed = True
        self.state.closers.discard(self._shutdown)
        if self._sub is not None:
            self._sub.ready.set()
            self.state.hub.close(self._sub)


def _patterns(msg: dict[str, Any]) -> list[str]:
    channels = msg.get("channels", ["**"])
    if isinstance(channels, str):
        channels = [channels]
    if not isinstance(channels, list) or not channels:
        raise InvalidInput('"channels" must be a non-empty list of patterns')
    if len(channels) > MAX_PATTERNS_PER_SOCKET:
        raise InvalidInput(f"at most {MAX_PATTERNS_PER_SOCKET} patterns per subscribe")
    return [check_pattern(c) for c in channels]


def _ref(msg: Any) -> Any:
    return msg.get("ref") if isinstance(msg, dict) else None
