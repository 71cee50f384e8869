"""The bytes on the wire: every framing the project writes, as pure functions.

The kernel's publish op (`publish_frame`, `event_json`) and the masked WebSocket frame a
client sends (`client_frame`). Nothing here knows about sockets; tests/unit/test_wire.py
pins each encoding byte for byte.
"""

from __future__ import annotations

import os
from typing import Any

from .events import dumps


def client_frame(payload: bytes) -> bytes:
    """`payload` as one masked WebSocket text frame, as a client must send it (RFC 6455 §5.3)."""
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
