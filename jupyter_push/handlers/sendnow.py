"""Writing a pre-built payload to an idle connection without tornado's per-write machinery."""

from __future__ import annotations

from tornado.iostream import IOStream

from ..wire import http_chunk  # noqa: F401  (its home was here; sse.py imports it from here)


def send_now(stream: IOStream, data: bytes) -> None:
    """Write `data` to a stream whose write buffer is empty. On plain TCP, send straight to the
    socket: tornado's write() costs a Future and a loop callback per call, a large share of a
    one-event delivery. Whatever the socket does not take is handed to tornado, which keeps
    the order and the flow control."""
    if type(stream) is not IOStream or stream.writing():  # TLS, or bytes already waiting
        stream.write(data)
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
