"""The embedded broker: everything in this process's memory."""

from __future__ import annotations

import itertools
import time
from collections import deque

from ...events import Event
from ...ids import IdSequence
from .base import Broker, Draft, Matcher, Origin


class MemoryBroker(Broker):
    """Ids `<epoch>-<seq>`, a ring of the last `history_size` events, the latest event and a
    count per channel. A resume id from another epoch (before a restart) is a gap."""

    def __init__(self, history_size: int = 10_000, *, epoch: str | None = None):
        self.ids = IdSequence(epoch)
        self.ring: deque[Event] = deque(maxlen=max(history_size, 0) or None)
        self.history_size = history_size
        self.last: dict[str, Event] = {}
        self.counts: dict[str, int] = {}

    async def publish(self, drafts: list[Draft], origin: Origin | None = None) -> list[Event]:
        now = time.time()
        now_json = repr(now).encode()
        events = []
        for channel, data_json, source_json in drafts:
            event_id, _ = self.ids.take()
            event = Event(event_id, channel, data_json, now, source_json, now_json)
            events.append(event)
            if self.history_size > 0:
                self.ring.append(event)
            self.last[channel] = event
            self.counts[channel] = self.counts.get(channel, 0) + 1
        self._deliver(events)
        return events

    def _first_seq(self) -> int:
        """The sequence number of the oldest event still held."""
        return self.ids.next_seq - len(self.ring)

    async def replay(self, patterns: Matcher, since: str) -> tuple[list[Event], bool]:
        seq = self.ids.parse(since)
        if seq is None or seq >= self.ids.next_seq or seq + 1 < self._first_seq():
            return [], True
        start = seq + 1 - self._first_seq()
        return [e for e in itertools.islice(self.ring, start, None) if patterns(e.channel)], False

    async def latest(self, patterns: Matcher) -> list[Event]:
        found = [e for name, e in self.last.items() if patterns(name)]
        found.sort(key=lambda e: self.ids.parse(e.id) or 0)
        return found

    async def held(self, patterns: Matcher) -> list[Event]:
        return [e for e in self.ring if patterns(e.channel)]

    async def channels(self, patterns: Matcher) -> list[tuple[str, Event, int]]:
        return [
            (name, event, self.counts[name])
            for name, event in sorted(self.last.items())
            if patterns(name)
        ]
