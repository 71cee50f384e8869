"""Every use of Tornado's private attributes, in one place.

The delivery fast paths write pre-built bytes straight to a connection's socket and shed what
a long-lived request no longer needs; both reach past Tornado's public API. Only this module
does so. `check()` runs at start against the running Tornado: when an attribute relied on is
missing (or `PushApp.fast_path` is off) every function here falls back to Tornado's public
API, slower but correct. `tests/unit/test_tornado_fastpath.py` fails loudly when a Tornado
release drops an attribute.
"""

from __future__ import annotations

import inspect
from typing import Any

import tornado
from tornado.httputil import HTTPHeaders
from tornado.iostream import IOStream, StreamClosedError
from tornado.web import RequestHandler
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from ..wire import PING_FRAME

TESTED = ((6, 5), (7, 0))  # Tornado versions these paths were measured and tested on: [from, to)

# What each function below touches, for check() and the test that guards it.
REQUIRED: dict[str, tuple[type, str]] = {
    "RequestHandler._transforms": (RequestHandler, "_transforms"),
    "RequestHandler._finished": (RequestHandler, "_finished"),
    "RequestHandler._headers": (RequestHandler, "_headers"),
    "HTTP1Connection._chunking_output": (tornado.http1connection.HTTP1Connection,
                                         "_chunking_output"),
    "HTTPHeaders._as_list": (HTTPHeaders, "_as_list"),
    "HTTPHeaders._combined_cache": (HTTPHeaders, "_combined_cache"),
    "WebSocketProtocol.stream": (tornado.websocket.WebSocketProtocol, "stream"),
    "IOStream.socket": (IOStream, "socket"),
}


class _Switch:
    on = True  # decided once at start by check(); tests may turn it off
    problem = ""


switch = _Switch()


# Set later than __init__: looked for in the source of the method that sets them.
SET_BY: dict[str, Any] = {"RequestHandler._transforms": RequestHandler._execute}


def missing() -> list[str]:
    """The private attributes this module relies on that the running Tornado lacks. Instance
    attributes are looked for on a freshly made instance of each class."""
    probes = _probe_instances()
    gone = []
    for name, (cls, attr) in REQUIRED.items():
        setter = SET_BY.get(name)
        if setter is not None:
            found = f"self.{attr} =" in inspect.getsource(setter)
        else:
            found = hasattr(probes.get(cls, cls), attr)
        if not found:
            gone.append(name)
    return gone


def check(enabled: bool = True) -> str:
    """Decide whether the fast paths run; returns a line for the log saying what was decided."""
    version = tornado.version_info[:2]
    if not enabled:
        switch.on, switch.problem = False, "off (PushApp.fast_path = False)"
    elif gone := missing():
        switch.on, switch.problem = False, f"off: tornado {tornado.version} lacks {gone}"
    else:
        switch.on, switch.problem = True, ""
        untested = not TESTED[0] <= version < TESTED[1]
        return (f"fast paths on (tornado {tornado.version}"
                + (", not a tested version)" if untested else ")"))
    return "fast paths " + switch.problem


# --------------------------------------------------------------------------- HTTP streams


def iostream(handler: RequestHandler) -> IOStream | None:
    """The connection's stream under an HTTP handler, None once it has gone."""
    return getattr(handler.request.connection, "stream", None)


def can_frame_chunks(handler: RequestHandler) -> bool:
    """True when the response is chunked HTTP/1.1 with no output transform (gzip), so the
    caller may frame chunks itself and write them to the socket (`send_now`). Measured in
    benchmarks/lib/optimisations.md ("SSE: chunks framed once, written straight to the
    socket")."""
    if not switch.on:
        return False
    return not handler._transforms and getattr(
        handler.request.connection, "_chunking_output", False) is True


def finished(handler: RequestHandler) -> bool:
    """True once `handler.finish()` has run (tornado keeps no public flag for it)."""
    return bool(getattr(handler, "_finished", False))


def shed_headers(handler: RequestHandler) -> None:
    """Empty the parsed request and response headers in place: tornado's suspended frames
    hold them for the life of a stream (it decided keep-alive and the framing from them
    already). Idle WebSocket 16.3 → 14.0 KB, SSE 14.2 → 12.4 KB each (benchmarks/lib/
    optimisations.md, "What an idle connection keeps")."""
    if not switch.on:
        return
    for headers in (handler.request.headers, getattr(handler, "_headers", None)):
        for table in ("_as_list", "_combined_cache"):
            parsed = getattr(headers, table, None)
            if type(parsed) is dict:
                parsed.clear()


# --------------------------------------------------------------------------- WebSockets


def ws_stream(handler: WebSocketHandler) -> IOStream:
    """The open WebSocket's stream; WebSocketClosedError once it is closing or gone."""
    conn = handler.ws_connection
    stream = getattr(conn, "stream", None)
    if conn is None or conn.is_closing() or stream is None:
        raise WebSocketClosedError()
    return stream


def send_ping(handler: WebSocketHandler) -> None:
    """A ping with no payload, unless bytes are still on their way (they do its job)."""
    try:
        stream = ws_stream(handler)
    except WebSocketClosedError:
        return
    if stream.writing():
        return
    if not switch.on:
        handler.ping()
        return
    try:
        send_now(stream, PING_FRAME)
    except StreamClosedError:
        pass


# --------------------------------------------------------------------------- both


def send_now(stream: IOStream, data: bytes) -> None:
    """Write `data` to a stream whose write buffer is empty. On plain TCP, send straight to the
    socket: tornado's write() costs a Future and a loop callback per call, a large share of a
    one-event delivery (benchmarks/lib/optimisations.md, "Writing to an idle socket without
    tornado's write()"). Whatever the socket does not take is handed to tornado, which keeps
    the order and the flow control."""
    if not switch.on or type(stream) is not IOStream or stream.writing():
        stream.write(data)  # TLS, bytes already waiting, or the fast paths are off
        return
    try:
        sent = stream.socket.send(data)
    except BlockingIOError:
        sent = 0
    except OSError:
        stream.close()
        return
    if sent < len(data):
        stream.write(memoryview(data)[sent:])  # a view: subscribers may share `data`


def _probe_instances() -> dict[type, Any]:
    """Instances of the classes whose private attributes are set in __init__."""
    import socket

    from tornado.http1connection import HTTP1Connection
    from tornado.httputil import HTTPServerRequest

    probes: dict[type, Any] = {HTTPHeaders: HTTPHeaders()}
    a, b = socket.socketpair()
    try:
        stream = IOStream(a)
        probes[IOStream] = stream
        probes[HTTP1Connection] = HTTP1Connection(stream, is_client=False)
        request = HTTPServerRequest(method="GET", uri="/", connection=probes[HTTP1Connection])

        class _Probe(RequestHandler):
            pass

        from tornado.web import Application

        handler = _Probe(Application(), request)
        probes[RequestHandler] = handler
        probes[tornado.websocket.WebSocketProtocol] = tornado.websocket.WebSocketProtocol13(
            _ProbeSocket(stream),  # type: ignore[arg-type]
            False, tornado.websocket._WebSocketParams())
    finally:
        stream.close()
        b.close()
    return probes


class _ProbeSocket:
    """Just enough of a WebSocketHandler for a WebSocketProtocol13 to be made."""

    def __init__(self, stream: IOStream):
        self.stream = stream

    def detach(self) -> IOStream:
        return self.stream
