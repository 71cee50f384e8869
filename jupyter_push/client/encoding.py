"""Pushed values to publish-frame bytes, in the kernel.

push() encodes non-scalar values at once (`encoded`), so mutating a list or dict after
pushing it does not change what is sent; the publisher thread encodes the rest in chunks
(`encode_events`), with one orjson call per chunk when orjson ≥ 3.10 is installed.
`sized` is what push() hands the publisher: the value and its size in bytes (the encoded
JSON's length, a string's length, 0 for a number), for the buffer's byte bound.
"""

from __future__ import annotations

import warnings
from typing import Any

from .._json import dumps
from ..exceptions import InvalidInput
from ..wire import event_json

FRAME_BYTES = 256 << 10  # soft cap on one publish frame: the server decodes a frame in one go
# (a 1 MiB frame of 25,000 small events took ~6 ms of the server's event loop to decode; at
# 256 KiB, ~6,000 events take ~1 ms)
CHUNK_EVENTS = 512  # events encoded per orjson call
MAX_EVENT_BYTES = 8 << 20  # under tornado's 10 MiB WebSocket message limit

try:
    from orjson import Fragment as _Fragment
    from orjson import dumps as _orjson_dumps
except ImportError:  # orjson missing or older than 3.10: encode one event at a time
    _Fragment = None  # type: ignore[assignment,misc]


class Encoded(bytes):
    """An event's data, already JSON-encoded."""


NUMBERS = frozenset({int, float, bool, type(None)})
"""Numbers (and None): immutable and small, the thread encodes them later and they count 0
bytes; strings are kept as is too, counting their length."""


def encoded(data: Any) -> Any:
    """`data` encoded now, in a form encode_events embeds as is (an orjson Fragment if
    available)."""
    return encoded_sized(data)[0]


def sized(data: Any) -> tuple[Any, int]:
    """(`data` as the publisher keeps it, its size in bytes): a number or string as is (a
    number counts 0, a string its length), anything else encoded now (its JSON's length)."""
    kind = type(data)
    if kind in NUMBERS:
        return data, 0
    if kind is str:
        return data, len(data)
    return encoded_sized(data)


def encoded_sized(data: Any) -> tuple[Any, int]:
    """`encoded(data)` and the length of its JSON."""
    raw = dumps(data)
    return (_Fragment(raw) if _Fragment is not None else Encoded(raw)), len(raw)


def encode_events(items: list[tuple[Any, ...]]) -> list[bytes]:
    """`{"channel", "data"}` JSON for each (channel, data, ...), comma-joined in as few pieces
    as possible. An event that cannot be encoded, or too large for any frame, is left out with
    a warning; the others are kept."""
    if not items:
        return []
    if _Fragment is not None:
        try:
            encoded = _orjson_dumps([{"channel": it[0], "data": it[1]} for it in items])
        except TypeError:
            pass
        else:
            if len(encoded) <= FRAME_BYTES:
                return [encoded[1:-1]]
    parts = []
    for item in items:
        channel, data = item[0], item[1]
        try:
            part = event_json(channel, _encoded_bytes(data))
        except InvalidInput as e:
            warnings.warn(f"jupyter_push: event on {channel!r} not sent: {e}", stacklevel=1)
            continue
        if len(part) > MAX_EVENT_BYTES:
            warnings.warn(f"jupyter_push: event on {channel!r} not sent: {len(part)} bytes is "
                          f"more than the {MAX_EVENT_BYTES} a frame may carry", stacklevel=1)
            continue
        parts.append(part)
    return parts


def _encoded_bytes(data: Any) -> bytes:
    return data if type(data) is Encoded else dumps(data)  # orjson passes a Fragment through
