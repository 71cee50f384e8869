"""The bytes on the wire: every framing jupyter_push writes, as pure functions.

- Server-Sent Events: `sse_message`, `sse_comment` (an `Event` builds its own `id:`/`data:`
  frame by concatenation, the same bytes as `sse_message(event.json, id=event.id)`).
- HTTP/1.1 chunked transfer: `http_chunk`.
- WebSocket, server side: `ws_text_frame` (unmasked), `PING_FRAME`; the payload of a delivery
  (`ws_batch`: one event object, or an array of several) and of a control op (`control`).
- WebSocket, client side: `client_frame` (masked) carrying a `publish_frame` built from
  `event_json` pieces.

Nothing here knows about sockets; tests/unit/test_wire.py pins each encoding byte for byte.
"""

from __future__ import annotations

import os
from typing import Any, Protocol, Sequence

from ._json import dumps

# --- Server-Sent Events (text/event-stream)


def sse_message(data: bytes | str, *, id: str | None = None, event: str | None = None) -> bytes:
    """One Server-Sent Events message. Multi-line data becomes several `data:` lines;
    CR and LF in `id` and `event` are removed so they cannot start a new field."""
    if isinstance(data, bytes):
        data = data.decode()
    lines = []
    if event is not None:
        lines.append("event: " + one_line(event))
    if id is not None:
        lines.append("id: " + one_line(id))
    data = data.replace("\r\n", "\n").replace("\r", "\n")
    lines.extend("data: " + line for line in data.split("\n"))
    return ("\n".join(lines) + "\n\n").encode()


def sse_comment(text: str = "") -> bytes:
    """Comment lines, ignored by clients. No blank line follows: some clients (httpx-sse)
    would turn a blank line after a comment into an empty message."""
    return b"".join(b": " + line.encode() + b"\n" for line in (text or " ").splitlines())


def one_line(value: str) -> str:
    """`value` without the characters that would end an SSE field (CR, LF, NUL)."""
    return value.replace("\r", "").replace("\n", "").replace("\0", "")


# --- HTTP/1.1


def http_chunk(body: bytes) -> bytes:
    """One HTTP/1.1 chunk (chunked transfer-encoding) carrying `body`."""
    return b"%x\r\n%b\r\n" % (len(body), body)


# --- WebSocket, as the server sends it (RFC 6455 §5.2: unmasked)

PING_FRAME = b"\x89\x00"  # a ping with no payload


def ws_text_frame(payload: bytes) -> bytes:
    """An unmasked, unfragmented WebSocket text frame, as a server sends it."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 1 << 16:
        return b"\x81\x7e" + n.to_bytes(2, "big") + payload
    return b"\x81\x7f" + n.to_bytes(8, "big") + payload


class _HasJson(Protocol):
    json: bytes


def ws_batch(events: Sequence[_HasJson]) -> bytes:
    """The payload delivering `events` over WebSocket: a single event object, or an array for
    several."""
    if len(events) == 1:
        return events[0].json
    return b"[" + b",".join(e.json for e in events) + b"]"


def control(op: str, **fields: Any) -> bytes:
    """The payload of a control op (`ack`, `error`, `gap`, `subscribed` ...): `{"op", ...}`."""
    return dumps({"op": op, **fields})


# --- WebSocket, as the kernel's client sends it (RFC 6455 §5.3: masked)


def client_frame(payload: bytes) -> bytes:
    """`payload` as one masked WebSocket text frame, as a client must send it."""
    n = len(payload)
    if n < 126:
        head = bytes((0x81, 0x80 | n))
    elif n < 65536:
        head = bytes((0x81, 0xFE)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x81, 0xFF)) + n.to_bytes(8, "big")
    key = os.urandom(4)
    mask = (key * (n // 4 + 1))[:n]
    masked = (int.from_bytes(payload, "little") ^ int.from_bytes(mask, "little")).to_bytes(
        n, "little")
    return head + key + masked


def event_json(channel: str, encoded_data: bytes) -> bytes:
    """`{"channel", "data"}` for a publish frame; `channel` is already a valid name, which
    never needs JSON escaping."""
    return b'{"channel":"%b","data":%b}' % (channel.encode(), encoded_data)


def publish_frame(ref: int, events: list[bytes], source: dict[str, Any] | None,
                  dropped: dict[str, int] | None, session: str | None = None) -> bytes:
    """One `publish` op: the events, who sent them, and how many were dropped per channel.
    `session` + `ref` let the server recognise a frame resent after a lost ack."""
    return b'{"op":"publish","ref":%d,"events":[%b]%b%b%b}' % (
        ref,
        b",".join(events),
        b',"source":' + dumps(source) if source else b"",
        b',"dropped":' + dumps(dropped) if dropped else b"",
        b',"session":"' + session.encode() + b'"' if session else b"",
    )
