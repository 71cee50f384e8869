"""What a subscriber's queue holds: an `Event` (one published value with its encodings, built
once and shared by every subscriber) or a `Notice` (a control message such as a gap).

The event model's other parts live in their own modules: names and patterns in `channels`,
ids in `ids`, the JSON codec in `_json`, the framings in `wire`, the errors in `exceptions`.
Their names are also importable from here, as they always were.
"""

from __future__ import annotations

from typing import Any, Union

from ._json import dumps, loads
from .channels import (
    MAX_CHANNEL_LENGTH,
    PatternSet,
    check_channel,
    check_pattern,
    compile_pattern,
    is_wildcard,
    matches,
)
from .exceptions import EventTooLarge, InvalidChannel, InvalidInput
from .ids import IdSequence
from .wire import control, one_line, sse_comment, sse_message, ws_batch, ws_text_frame

__all__ = [
    "MAX_CHANNEL_LENGTH", "Event", "EventTooLarge", "IdSequence", "InvalidChannel",
    "InvalidInput", "Notice", "PatternSet", "Queued", "check_channel", "check_pattern",
    "compile_pattern", "control", "dumps", "is_wildcard", "loads", "matches", "sse_comment",
    "sse_message", "ws_batch", "ws_text_frame",
]


class Event:
    """A stored event with its encodings, built once and shared by every subscriber.

    The data arrives already encoded (`data_json`), so the event JSON is assembled by
    concatenation instead of a second `dumps` of the whole object.
    """

    __slots__ = ("_data", "_frame", "_named", "channel", "data_json", "id", "json", "size",
                 "source_json", "sse", "time")

    def __init__(
        self,
        id: str,
        channel: str,
        data_json: bytes,
        time: float,
        source_json: bytes | None = None,
        time_json: bytes | None = None,
    ):
        self.id = id
        self.channel = channel
        self.data_json = data_json
        self.time = time
        self.source_json = source_json
        id_bytes = id.encode()
        self.json: bytes = b'{"id":%b,"channel":%b,"data":%b,"time":%b%b}' % (
            b'"' + id_bytes + b'"' if _plain(id) else dumps(id),
            b'"' + channel.encode() + b'"' if _plain(channel) else dumps(channel),
            data_json,
            time_json or repr(time).encode(),
            b',"source":' + source_json if source_json else b"",
        )
        # JSON never contains a raw newline, so the frame is three fixed lines.
        if not id.isprintable():
            id_bytes = one_line(id).encode()
        self.sse: bytes = b"id: " + id_bytes + b"\ndata: " + self.json + b"\n\n"
        self.size = len(self.json)
        self._named: bytes | None = None
        self._frame: bytes | None = None
        self._data: Any = _UNSET

    @property
    def data(self) -> Any:
        if self._data is _UNSET:
            self._data = loads(self.data_json)
        return self._data

    @property
    def source(self) -> dict[str, Any] | None:
        return loads(self.source_json) if self.source_json else None

    @property
    def sse_named(self) -> bytes:
        """The SSE frame with `event: <channel>`, for `named=1` subscribers (built on first use)."""
        if self._named is None:
            self._named = b"event: " + self.channel.encode() + b"\n" + self.sse
        return self._named

    @property
    def ws_frame(self) -> bytes:
        """The whole WebSocket text frame carrying this event alone (built on first use)."""
        if self._frame is None:
            self._frame = ws_text_frame(self.json)
        return self._frame

    def to_dict(self) -> dict[str, Any]:
        return loads(self.json)  # type: ignore[no-any-return,unused-ignore]

    @classmethod
    def create(
        cls, id: str, channel: str, data: Any, time: float, source: dict[str, Any] | None = None
    ) -> Event:
        return cls(id, channel, dumps(data), time, dumps(source) if source else None)

    def __repr__(self) -> str:
        return f"Event({self.id!r}, {self.channel!r}, {self.data_json[:40]!r})"


_UNSET: Any = object()


def _plain(text: str) -> bool:
    """True when `text` needs no escaping inside a JSON string (ids and channel names)."""
    return text.isprintable() and '"' not in text and "\\" not in text


class Notice:
    """A control message for subscribers, queued like an event (no id: never stored or
    resumed from). Transports write `.sse` / `.sse_named`, or `.json` as its own frame."""

    __slots__ = ("channel", "id", "json", "size", "sse", "sse_named")

    def __init__(self, op: str, **fields: Any):
        self.id = None
        self.channel = ""
        self.json = control(op, **fields)
        self.sse = self.sse_named = sse_message(dumps(fields), event=op)
        self.size = len(self.json)


Queued = Union[Event, Notice]
"""An item of a subscriber's queue; a `Notice` has no `id` (`None`) and no `time`."""
