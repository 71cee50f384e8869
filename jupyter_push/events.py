"""The event model: channel names, patterns, ids, and the wire encodings.

Pure functions and small classes; nothing here knows about Tornado or sockets.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, Callable

try:  # orjson is optional: ~5x faster dumps, identical output for our purposes
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised when orjson is absent
    _orjson = None  # type: ignore[assignment]

MAX_CHANNEL_LENGTH = 200
_SEGMENT = re.compile(r"[A-Za-z0-9_.:-]+\Z")


class InvalidInput(ValueError):
    """Bad input from a client; the message says what is wrong and is safe to show."""


class InvalidChannel(InvalidInput):
    pass


class EventTooLarge(InvalidInput):
    pass


def dumps(value: Any) -> bytes:
    """Compact JSON bytes. Raises InvalidInput for values JSON cannot carry."""
    if _orjson is not None:
        try:
            return _orjson.dumps(value)
        except TypeError as e:  # non-str keys, NaN is fine in orjson (null), etc.
            raise InvalidInput(f"data is not JSON-serializable: {e}") from e
    try:
        return json.dumps(
            value, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode()
    except (TypeError, ValueError) as e:
        raise InvalidInput(f"data is not JSON-serializable: {e}") from e


def loads(raw: str | bytes) -> Any:
    """Parse JSON from a client, raising InvalidInput with a readable message."""
    try:
        if _orjson is not None:
            return _orjson.loads(raw)
        return json.loads(raw)
    except (ValueError, TypeError, RecursionError) as e:
        raise InvalidInput(f"malformed JSON: {e}") from e


# --------------------------------------------------------------------------- names


def check_channel(name: Any, *, allow_reserved: bool = False) -> str:
    """Return `name` if it is a valid channel name, else raise InvalidChannel."""
    if not isinstance(name, str):
        raise InvalidChannel(f"channel must be a string, not {type(name).__name__}")
    if not 1 <= len(name) <= MAX_CHANNEL_LENGTH:
        raise InvalidChannel(
            f"channel name must be 1-{MAX_CHANNEL_LENGTH} characters, got {len(name)}"
        )
    if name.startswith("$") and not allow_reserved:
        raise InvalidChannel(f"channel {name!r}: names starting with '$' are reserved")
    body = name[1:] if name.startswith("$") else name
    for segment in body.split("/"):
        if not _SEGMENT.match(segment):
            raise InvalidChannel(_segment_problem(name, segment))
    return name


def _segment_problem(name: str, segment: str) -> str:
    if not segment:
        return f"channel {name!r} has an empty segment (leading, trailing or double '/')"
    bad = next((c for c in segment if not _SEGMENT.match(c)), segment[:1])
    return (
        f"channel {name!r}: segment {segment!r} contains {bad!r}; "
        "segments may use letters, digits and _ . : -"
    )


def check_pattern(pattern: Any) -> str:
    """Return `pattern` if valid: segments, `*` for one segment, a final `**` for any."""
    if not isinstance(pattern, str):
        raise InvalidChannel(f"pattern must be a string, not {type(pattern).__name__}")
    if not 1 <= len(pattern) <= MAX_CHANNEL_LENGTH:
        raise InvalidChannel(
            f"pattern must be 1-{MAX_CHANNEL_LENGTH} characters, got {len(pattern)}"
        )
    segments = pattern.split("/")
    for i, segment in enumerate(segments):
        if segment == "*":
            continue
        if segment == "**":
            if i != len(segments) - 1:
                raise InvalidChannel(
                    f"pattern {pattern!r}: '**' is allowed only as the last segment"
                )
            continue
        if i == 0 and segment.startswith("$"):
            segment = segment[1:]
        if not _SEGMENT.match(segment):
            if "*" in segment:
                raise InvalidChannel(
                    f"pattern {pattern!r}: '*' must be a whole segment, as in 'train/*'"
                )
            problem = _segment_problem(pattern, segment)
            raise InvalidChannel(problem.replace("channel", "pattern", 1))
    return pattern


def is_wildcard(pattern: str) -> bool:
    return "*" in pattern


def compile_pattern(pattern: str) -> Callable[[str], bool]:
    """A predicate for `pattern` (assumed valid). Wildcards never match the reserved `$`
    channels unless the pattern itself starts with `$`."""
    if not is_wildcard(pattern):
        return pattern.__eq__
    segments = pattern.split("/")
    tail = ""
    if segments[-1] == "**":
        segments.pop()
        tail = r"(?:/.+)?" if segments else r".+"  # zero or more further segments
    body = "/".join(r"[^/]+" if s == "*" else re.escape(s) for s in segments)
    match = re.compile(body + tail + r"\Z").match
    if pattern.startswith("$"):
        return lambda name: match(name) is not None
    return lambda name: not name.startswith("$") and match(name) is not None


def matches(pattern: str, name: str) -> bool:
    return compile_pattern(pattern)(name)


class PatternSet:
    """Several patterns, matched as one (an event matching two patterns is delivered once)."""

    __slots__ = ("_exact", "_predicates", "patterns")

    def __init__(self, patterns: list[str] | tuple[str, ...] = ("**",)):
        self.patterns: tuple[str, ...] = tuple(dict.fromkeys(patterns))
        self._exact = frozenset(p for p in self.patterns if not is_wildcard(p))
        self._predicates = tuple(compile_pattern(p) for p in self.patterns if is_wildcard(p))

    @property
    def exact_only(self) -> bool:
        return not self._predicates

    @property
    def exact(self) -> frozenset[str]:
        return self._exact

    def __call__(self, name: str) -> bool:
        if name in self._exact:
            return True
        return bool(self._predicates) and any(p(name) for p in self._predicates)

    def __repr__(self) -> str:
        return f"PatternSet({list(self.patterns)!r})"


# --------------------------------------------------------------------------- ids


class IdSequence:
    """Ids of the form `<epoch>-<seq>`: an epoch tag per server run and a zero-padded counter.

    Ids sort in publish order within an epoch; an id from another epoch (another server
    run) is recognisably foreign, which is how a resume from before a restart becomes a gap.
    """

    __slots__ = ("_prefix", "epoch", "next_seq")

    def __init__(self, epoch: str | None = None, start: int = 1):
        self.epoch = epoch or _base36(int(time.time() * 1000) % 36**5).rjust(5, "0")
        self._prefix = self.epoch + "-"
        self.next_seq = start

    def take(self) -> tuple[str, int]:
        seq = self.next_seq
        self.next_seq = seq + 1
        return self._prefix + str(seq).zfill(12), seq  # (half the time of an f-string spec)

    def parse(self, event_id: str) -> int | None:
        """The sequence number of an id of this epoch, or None if foreign or malformed."""
        epoch, sep, seq = event_id.rpartition("-")
        if not sep or epoch != self.epoch or not seq.isdigit():
            return None
        return int(seq)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


# --------------------------------------------------------------------------- events


def sse_message(data: bytes | str, *, id: str | None = None, event: str | None = None) -> bytes:
    """One Server-Sent Events message. Multi-line data becomes several `data:` lines;
    CR and LF in `id` and `event` are removed so they cannot start a new field."""
    if isinstance(data, bytes):
        data = data.decode()
    lines = []
    if event is not None:
        lines.append("event: " + _one_line(event))
    if id is not None:
        lines.append("id: " + _one_line(id))
    data = data.replace("\r\n", "\n").replace("\r", "\n")
    lines.extend("data: " + line for line in data.split("\n"))
    return ("\n".join(lines) + "\n\n").encode()


def sse_comment(text: str = "") -> bytes:
    """Comment lines, ignored by clients. No blank line follows: some clients (httpx-sse)
    would turn a blank line after a comment into an empty message."""
    return b"".join(b": " + line.encode() + b"\n" for line in (text or " ").splitlines())


def _one_line(value: str) -> str:
    return value.replace("\r", "").replace("\n", "").replace("\0", "")


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
            id_bytes = _one_line(id).encode()
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


def ws_batch(events: list[Event]) -> bytes:
    """One WebSocket text frame: a single event object, or an array for several."""
    if len(events) == 1:
        return events[0].json
    return b"[" + b",".join(e.json for e in events) + b"]"


def ws_text_frame(payload: bytes) -> bytes:
    """An unmasked, unfragmented WebSocket text frame (RFC 6455 §5.2), as a server sends it."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 1 << 16:
        return b"\x81\x7e" + n.to_bytes(2, "big") + payload
    return b"\x81\x7f" + n.to_bytes(8, "big") + payload


def control(op: str, **fields: Any) -> bytes:
    return dumps({"op": op, **fields})
