"""`GET {base}push/ws`: subscribe and publish over one WebSocket."""

from __future__ import annotations

import asyncio
from typing import Any, Mapping, cast

from jupyter_server.auth.decorator import ws_authenticated
from jupyter_server.base.websocket import WebSocketMixin
from tornado import web
from tornado.iostream import IOStream, StreamClosedError
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from .._json import dumps, loads
from .._protocol import CloseCode, PublishOp, SubscribeOp, UnsubscribeOp
from ..channels import PatternSet, check_channel, check_patterns
from ..events import Queued
from ..exceptions import AlreadyPublished, BrokerUnavailable, EventTooLarge, InvalidInput
from ..server.brokers.base import Origin
from ..server.conflation import parse_max_rate, rate_of
from ..server.publish_policy import PublishPolicy, WriteRefused
from ..server.sources import with_api_path
from ..wire import control, ws_batch, ws_text_frame
from . import _tornado_fastpath as fastpath
from ._delivery import Delivery, refuse_when_stopping
from ._eager_start import eager
from .base import PushHandler
from .rest import drafts_from


class PushWebSocket(WebSocketMixin, WebSocketHandler, PushHandler):
    _delivery: Delivery | None = None
    _policy: PublishPolicy | None = None  # made by the first publish
    _may_publish = True  # for a Jupyter user: what the server's authorizer said at connect

    # tornado's get() itself, marked as authenticated; it runs for the socket's whole life,
    # so the checks are in prepare() rather than in a get() of ours awaiting it (one coroutine
    # frame fewer per open socket)
    get = ws_authenticated(WebSocketHandler.get)

    async def prepare(self, *args: Any, **kwargs: Any) -> None:
        await super().prepare(*args, **kwargs)
        if self.current_user is None:  # whatever allow_unauthenticated_access says
            self.get_login_url()  # 401 with what to send
        refuse_when_stopping(self)
        refusal = self.state.connections.refusal(self.credential)
        if refusal is not None:
            raise web.HTTPError(429, refusal)
        if self.access.role == "user":
            # asked now, while the handshake request is whole (it is shed once open)
            self._may_publish = await self.may("write")

    def check_origin(self, origin: str | None = None) -> bool:
        # A token or share token sent with the request is not a cross-site forgery; only a
        # socket that relies on the login cookie is held to the allowed origins.
        if self.access.explicit or self.token_authenticated:
            return True
        return WebSocketMixin.check_origin(self, origin)

    def get_compression_options(self) -> dict[str, Any] | None:
        return None  # frames are pre-built, uncompressed, and written to the stream as they are

    @property
    def ping_interval(self) -> float:
        # state.heartbeats pings every socket from one timer, where tornado would run a task
        # per socket (jupyter_server's setting, in ms, would even make that one ping per 8 h)
        return 0

    def open(self, *args: Any, **kwargs: Any) -> None:
        delivery = self._delivery = Delivery(
            self, "ws", framing=self._framing, stream=self._stream_or_none, send=self._send_raw,
            beat=self._ping, fell_behind=self._fell_behind, shutdown=self._shutdown,
        )
        try:
            delivery.open()
        except web.HTTPError as e:  # lost a race for the last place since get()
            delivery.close()
            self.close(CloseCode.TRY_AGAIN_LATER, str(e.log_message)[:120])
            return
        self.set_nodelay(True)  # writes are already batched; Nagle would add up to 40 ms
        stream = self._stream_or_none()
        if stream is not None:
            self.detect_dead_peer(stream)
        self.shed_request_state()  # the handshake is answered: nothing reads the request again
        delivery.go_live()

    # ------------------------------------------------------------------ client → server

    def on_message(self, message: str | bytes) -> asyncio.Task[None] | None:
        # Run at once: a publish to the memory broker never waits, so its events reach the
        # subscribers in this turn of the loop rather than the next (tornado would make a Task
        # of a coroutine on_message). Whatever must wait continues in a Task, which tornado
        # awaits before it reads the next message, as before. Once this turn's share of push
        # work is spent, the message waits for the next turn: tornado reads every buffered
        # message before it yields, which under a burst was tens of milliseconds of publishes.
        if self.state.hub.turn.spent():
            return asyncio.ensure_future(self._on_message_next_turn(message))
        return eager(self._on_message(message))

    async def _on_message_next_turn(self, message: str | bytes) -> None:
        await self.state.hub.turn.pause()
        await self._on_message(message)

    async def _on_message(self, message: str | bytes) -> None:
        try:
            msg = loads(message)
        except InvalidInput as e:
            return self._error(str(e))
        ops = msg if isinstance(msg, list) else [msg]
        for op in ops:
            try:
                await self._handle(op)
            except EventTooLarge as e:
                self._error(str(e), ref=_ref(op), status=413)
            except InvalidInput as e:
                self._error(str(e), ref=_ref(op), status=_status(e),
                            retry_after=getattr(e, "retry_after", None))
            except BrokerUnavailable as e:  # Redis is down: try again shortly
                self._error(str(e), ref=_ref(op), status=503)

    async def _handle(self, msg: Any) -> None:
        if not isinstance(msg, dict) or not isinstance(msg.get("op"), str):
            raise InvalidInput('expected an object with an "op": subscribe, unsubscribe or publish')
        op = msg["op"]  # each op's fields are checked where they are read
        if op == "subscribe":
            await self._subscribe(cast(SubscribeOp, msg))
        elif op == "unsubscribe":
            self._unsubscribe(cast(UnsubscribeOp, msg))
        elif op == "publish":
            await self._publish(cast(PublishOp, msg))
        else:
            raise InvalidInput(f"unknown op {op!r}: use subscribe, unsubscribe or publish")

    async def _subscribe(self, msg: SubscribeOp) -> None:
        allowed = self.access.allowed
        if "channels" not in msg and allowed is not None:
            new = list(allowed.patterns)  # a share link's own channels by default
        else:
            new = _patterns(msg, self.state.max_patterns)
        problem = self.scope_problem(new)
        if problem:
            raise InvalidInput(problem)
        since = msg.get("since")
        if since is not None and not isinstance(since, str):
            raise InvalidInput('"since" must be an event id string')
        retained = msg.get("retained", True) is not False
        max_rate = parse_max_rate(msg.get("max_rate"))
        delivery = self._delivery
        if delivery is None:
            return
        sub = delivery.sub
        if sub is None:
            gap = await delivery.subscribe(PatternSet(new), since=since, retained=retained,
                                           max_rate=max_rate)
        else:
            if "max_rate" in msg and max_rate != rate_of(sub):
                raise InvalidInput(
                    f"max_rate is set once per socket, by its first subscribe (here: "
                    f"{rate_of(sub) or 'none'}); open another socket for another rate"
                )
            combined = PatternSet([*sub.patterns.patterns, *new])
            limit = self.state.max_patterns_per_connection
            if len(combined.patterns) > limit:
                raise InvalidInput(
                    f"this socket would hold {len(combined.patterns)} patterns; the limit is "
                    f"{limit} (PushApp.max_patterns_per_connection)"
                )
            gap = await delivery.add(combined, PatternSet(new), since=since, retained=retained)
        if gap is not None:
            self._send(control("gap", since=gap))
        delivery.kick()  # the replay or retained values queued by the hub, after the gap

    def _unsubscribe(self, msg: UnsubscribeOp) -> None:
        gone = set(_patterns(msg, self.state.max_patterns))
        delivery = self._delivery
        if delivery is not None and delivery.sub is not None:
            remaining = [p for p in delivery.sub.patterns.patterns if p not in gone]
            delivery.listen(PatternSet(remaining))

    async def _publish(self, msg: PublishOp) -> None:
        if not self.access.can_publish:
            raise WriteRefused(403, "this share link is read-only: it cannot publish")
        if not self._may_publish:
            raise WriteRefused(403, self.refusal("write"))
        policy = self._policy
        if policy is None:
            policy = self._policy = self.publish_policy()
        session, ref = msg.get("session"), msg.get("ref")
        source_json = policy.source_json  # a share link's events: the server says who sent them
        if source_json is not None:
            session = None  # nor may it touch a publisher's session or report drops
            msg = cast(PublishOp, {k: v for k, v in msg.items()
                                   if k not in ("session", "source", "dropped")})
        if not (isinstance(session, str) and 0 < len(session) <= 100 and isinstance(ref, int)):
            session = None
        elif ref <= self.state.publish_sessions.get(session, -1):
            self._send(control("ack", ref=ref, ids=[], duplicate=True))
            return
        source = msg.get("source")
        if source is not None and not isinstance(source, dict):
            raise InvalidInput('"source" must be an object')
        if source:
            source_json = dumps(with_api_path(source, self.settings.get("server_root_dir")))
        hub = self.state.hub
        dropped = msg.get("dropped")
        if dropped is not None:
            await self._report_dropped(dropped)
        if "events" in msg:
            items = msg["events"]
            if not isinstance(items, list):
                raise InvalidInput('"events" must be a list of {"channel", "data"} objects')
            # A bad event is reported and the others in the batch are still published.
            drafts = []
            turn = hub.turn
            for i, item in enumerate(items):
                if i and not i % DRAFT_SLICE and turn.spent():
                    await turn.pause()  # fair to the host: the loop for everyone else
                try:
                    drafts.extend(drafts_from(hub, item, source_json, policy))
                except InvalidInput as e:
                    self._error(f"event {i}: {e}", ref=_ref(msg), status=_status(e),
                                retry_after=getattr(e, "retry_after", None))
        else:
            drafts = drafts_from(hub, {"channel": msg.get("channel"), "data": msg.get("data")},
                                 source_json, policy)
        policy.admit(len(drafts))
        self.state.publish_rates.admit(self.credential, len(drafts))
        origin = Origin(session, ref) if session is not None and isinstance(ref, int) else None
        duplicate = False
        try:
            events = await hub.publish(drafts, origin)
        except AlreadyPublished:  # resent to this server after another one stored it
            events, duplicate = [], True
        policy.record(events)
        self.note_publish_activity()
        if origin is not None:
            self._remember(origin.session, origin.ref)
        if "ref" not in msg:
            return
        if duplicate:
            self._send(control("ack", ref=msg["ref"], ids=[], duplicate=True))
        else:
            self._send(control("ack", ref=msg["ref"], ids=[e.id for e in events]),
                       after_queued=True)

    def _remember(self, session: str, ref: int) -> None:
        sessions = self.state.publish_sessions
        sessions[session] = ref
        sessions.move_to_end(session)
        if len(sessions) > 10_000:
            sessions.popitem(last=False)

    async def _report_dropped(self, dropped: Any) -> None:
        """A publisher's buffer overflowed: `dropped` = {channel: count} of events it never
        sent. Subscribers of each channel get a gap notice, in order with the events."""
        if not isinstance(dropped, dict) or not all(
            isinstance(n, int) and n > 0 for n in dropped.values()
        ):
            raise InvalidInput('"dropped" must be an object {channel: positive count}')
        hub = self.state.hub
        for channel, count in dropped.items():
            check_channel(channel)
            latest = await hub.latest(PatternSet([channel]))
            hub.notify_dropped(channel, count, since=latest[-1].id if latest else None)

    # ------------------------------------------------------------------ server → client

    def _framing(self, items: list[Queued]) -> bytes:
        """Pre-built text frames for queued items: a single event's frame is shared by every
        subscriber; several events become one array frame; a notice (gap) its own frame."""
        if len(items) == 1 and items[0].id is not None:  # the common case when paced
            return items[0].ws_frame
        return self.state.hub.batch_bytes.get("ws", items, ws_frames)

    def _send_raw(self, data: bytes) -> None:
        fastpath.send_now(fastpath.ws_stream(self), data)

    def _ping(self) -> None:
        fastpath.send_ping(self)

    async def _fell_behind(self) -> bool:
        """Tell the client where the gap starts; it resumes with `since`."""
        delivery = self._delivery
        assert delivery is not None and delivery.sub is not None
        delivery.sub.overflowed = False
        delivery.sub.ready.clear()
        self.state.hub.stats.gaps_sent += 1
        await self.write_message(control("gap", since=delivery.last_id))
        return True

    def _stream_or_none(self) -> IOStream | None:
        try:
            return fastpath.ws_stream(self)
        except WebSocketClosedError:
            return None

    def _send(self, payload: bytes, after_queued: bool = False) -> None:
        """A control message, at once; `after_queued`: after the events already queued for
        this socket (an ack comes after the echo of its own publish)."""
        try:
            if after_queued and self._delivery is not None:
                self._delivery.write_queued()
            self.write_message(payload)
        except (WebSocketClosedError, StreamClosedError):
            pass

    def _error(self, message: str, ref: Any = None, status: int | None = None,
               retry_after: float | None = None) -> None:
        fields: dict[str, Any] = {"message": message}
        if ref is not None:
            fields["ref"] = ref
        if status is not None:  # as the same refusal over HTTP: 400, 403, 413, 429
            fields["status"] = status
        if retry_after is not None:
            fields["retry_after"] = round(retry_after, 3)
        self._send(control("error", **fields))

    def _shutdown(self) -> None:
        self.close(CloseCode.GOING_AWAY, "server shutting down")

    def on_close(self) -> None:
        if self._delivery is not None:
            self._delivery.close()


DRAFT_SLICE = 100  # events of one publish op validated between two looks at the turn's budget


def _patterns(msg: Mapping[str, Any], limit: int) -> list[str]:
    channels = msg.get("channels", ["**"])
    if isinstance(channels, str):
        channels = [channels]
    if not isinstance(channels, list) or not channels:
        raise InvalidInput('"channels" must be a non-empty list of patterns')
    return check_patterns(channels, limit)


def ws_frames(items: list[Queued]) -> bytes:
    """The frames for a batch: each run of events one array frame (or the event's own frame),
    each notice its own frame."""
    frames = []
    for run in _runs(items):
        if run[0].id is None:
            frames.append(ws_text_frame(run[0].json))
        else:
            frames.append(run[0].ws_frame if len(run) == 1
                          else ws_text_frame(ws_batch(run)))
    return frames[0] if len(frames) == 1 else b"".join(frames)


def _runs(items: list[Any]) -> list[list[Any]]:
    """Split queued items into runs of events and single notices, keeping their order."""
    runs: list[list[Any]] = []
    for item in items:
        if item.id is not None and runs and runs[-1][0].id is not None:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _status(error: InvalidInput) -> int:
    return error.status if isinstance(error, WriteRefused) else 400


def _ref(msg: Any) -> Any:
    return msg.get("ref") if isinstance(msg, dict) else None
