"""The broker interface the hub relies on."""

from __future__ import annotations

import abc
from typing import Callable, Iterable, NamedTuple, Tuple

from ...events import Event

Deliver = Callable[[Iterable[Event]], None]
NotifyGap = Callable[[str], None]
Matcher = Callable[[str], bool]


class Origin(NamedTuple):
    """Which publisher frame a publish is: its session and its frame ref (increasing within
    a session). A frame resent with a ref already stored is not stored twice."""

    session: str
    ref: int


Draft = Tuple[str, bytes, "bytes | None"]
"""A validated event before the broker gives it an id and a time: (channel, data_json,
source_json). A plain tuple rather than a NamedTuple: the garbage collector stops tracking a
tuple of strings and bytes at its first collection, but never an instance of a tuple
subclass, and a kernel's burst holds hundreds of thousands of drafts at once (each full
collection walked them all)."""


class Broker(abc.ABC):
    """Stores events and hands every stored event, in id order, to `deliver`.

    Ids are the broker's: a subscriber may resume with an id on any hub sharing the broker.
    """

    _deliver: Deliver = staticmethod(lambda events: None)
    _gap: NotifyGap = staticmethod(lambda since: None)

    def bind(self, deliver: Deliver, gap: NotifyGap | None = None) -> None:
        """Hand every stored event to `deliver` from now on, and call `gap(since)` when
        events after `since` could not be relayed (the engine lost them)."""
        self._deliver = deliver
        if gap is not None:
            self._gap = gap

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Connect and start relaying (idempotent)."""

    async def stop(self) -> None:  # noqa: B027 - optional hook
        """Stop relaying and release connections."""

    @abc.abstractmethod
    async def publish(self, drafts: list[Draft], origin: Origin | None = None) -> list[Event]:
        """Assign ids and times, store, deliver; return the events in order. Raises
        AlreadyPublished when `origin` was stored before (a broker shared by several servers
        checks this itself; the handlers check it for this server)."""

    @abc.abstractmethod
    async def replay(self, patterns: Matcher, since: str) -> tuple[list[Event], bool]:
        """Events matching `patterns` published after `since`, oldest first, and whether
        there is a gap (the broker no longer holds, or never held, `since`)."""

    @abc.abstractmethod
    async def latest(self, patterns: Matcher) -> list[Event]:
        """The retained (latest) event of every channel matching `patterns`, in id order."""

    @abc.abstractmethod
    async def held(self, patterns: Matcher) -> list[Event]:
        """Every event still held in the history that matches `patterns`, oldest first."""

    async def history(
        self, patterns: Matcher, since: str | None, limit: int | None
    ) -> tuple[list[Event], bool]:
        """Like `replay` (all that is held when there is a gap), or the most recent events
        when `since` is None; at most `limit` events (the most recent ones without `since`,
        the oldest ones after it)."""
        if since is not None:
            events, gap = await self.replay(patterns, since)
            if gap:
                events = await self.held(patterns)
            return (events[:limit] if limit is not None else events), gap
        events = await self.held(patterns)
        return (events[-limit:] if limit else events), False

    @abc.abstractmethod
    async def channels(self, patterns: Matcher) -> list[tuple[str, Event, int]]:
        """(name, latest event, count of events published) for each matching channel."""
