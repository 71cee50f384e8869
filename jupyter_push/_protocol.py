"""The public protocol as types: the event, the route bodies and the WebSocket ops of
docs/PROTOCOL.md, mirroring labextension/src/protocol.ts for the Python side.

Types only (and the WebSocket close codes): the transports read untrusted JSON, check it,
and may then treat it as these shapes. tests/unit/test_protocol_doc.py keeps every op named
here, every field of the WebSocket ops and every route in the document.
"""

from __future__ import annotations

import enum
from typing import Any, Literal, TypedDict, Union, get_args

JSONValue = Any  # null, bool, number, string, list or object of JSON values


# --- the event


class Source(TypedDict, total=False):
    """Who published an event (protocol.ts: PushSource)."""

    kernel: str
    path: str
    user: str
    cell: str  # the notebook cell that pushed the event (its id) and its execution count
    execution_count: int


class _EventBase(TypedDict):
    id: str
    channel: str
    data: JSONValue
    time: float


class EventDict(_EventBase, total=False):
    """The event object every transport carries (protocol.ts: PushEvent)."""

    source: Source
    skipped: int  # with max_rate: events of its channel skipped since the previous one sent


# --- HTTP routes


class PublishItem(TypedDict):
    """One event to publish: `POST push/events` (alone or in a list), or in a `publish` op."""

    channel: str
    data: JSONValue


class PublishReply(TypedDict):
    ids: list[str]


class ChannelSummary(TypedDict):
    """One entry of `GET push/channels` (protocol.ts: ChannelSummary)."""

    name: str
    last: EventDict
    count: int


class ChannelsReply(TypedDict):
    channels: list[ChannelSummary]


class HistoryReply(TypedDict):
    events: list[EventDict]
    gap: bool


class _TokenRequestBase(TypedDict):
    channels: list[str]


class TokenRequest(_TokenRequestBase, total=False):
    """`POST push/tokens`."""

    ttl: float


class TokenReply(TypedDict):
    token: str
    expires: float
    url: str


class ErrorReply(TypedDict):
    """The body of every 4xx/5xx answer."""

    message: str


# --- WebSocket ops, client → server

ClientOpName = Literal["subscribe", "unsubscribe", "publish"]


class _SubscribeBase(TypedDict):
    op: Literal["subscribe"]


class SubscribeOp(_SubscribeBase, total=False):
    channels: list[str] | str  # default: `**`, or a share link's own patterns
    since: str
    retained: bool
    max_rate: float  # conflation: at most this many events/s per channel, the latest winning


class UnsubscribeOp(TypedDict):
    op: Literal["unsubscribe"]
    channels: list[str] | str


class _PublishBase(TypedDict):
    op: Literal["publish"]


class PublishOp(_PublishBase, total=False):
    """`channel` + `data`, or `events`. `ref` asks for an `ack`; `session` + `ref` make a
    frame resent after a lost ack recognisable; `dropped` reports events a publisher lost."""

    channel: str
    data: JSONValue
    events: list[PublishItem]
    ref: int
    session: str
    source: Source
    dropped: dict[str, int]


ClientOp = Union[SubscribeOp, UnsubscribeOp, PublishOp]


# --- WebSocket ops, server → client (besides events and arrays of events)

ServerOpName = Literal["ack", "error", "gap"]


class _AckBase(TypedDict):
    op: Literal["ack"]
    ref: int
    ids: list[str]


class AckOp(_AckBase, total=False):
    duplicate: bool  # a resent frame already published: nothing published again


class _ErrorBase(TypedDict):
    op: Literal["error"]
    message: str


class ErrorOp(_ErrorBase, total=False):
    ref: int  # the publish frame the error is about
    status: int  # the HTTP status the same refusal gets over HTTP: 400, 403, 413, 429
    retry_after: float  # with 429: seconds until the publish would be accepted


class _GapBase(TypedDict):
    op: Literal["gap"]
    since: str | None


class GapOp(_GapBase, total=False):
    """Events after `since` were lost; with `channel` and `dropped`, a publisher lost
    `dropped` events on that channel before they reached the server."""

    channel: str
    dropped: int


ServerOp = Union[AckOp, ErrorOp, GapOp]

CLIENT_OPS: tuple[str, ...] = get_args(ClientOpName)
SERVER_OPS: tuple[str, ...] = get_args(ServerOpName)


class CloseCode(enum.IntEnum):
    """WebSocket close codes the server sends (RFC 6455 §7.4.1)."""

    GOING_AWAY = 1001  # the server is shutting down: reconnect to another or later
    POLICY_VIOLATION = 1008  # the credential expired or was revoked (a share link)
    TRY_AGAIN_LATER = 1013  # refused at admission (connection limits, memory): retry later
