"""Conflation for renderers: a subscription that asks for `max_rate` gets, per channel, at most
that many events per second, the latest value winning; what it skipped is counted.

A page that only draws the latest value does not need 50,000 events/s. The subscriber opts in
(`GET push/events?...&max_rate=30`, or `"max_rate": 30` in the WebSocket `subscribe` op); a
subscription that does not ask pays nothing (it is a plain `Subscriber`).

Rules, per subscription:
- per channel, at most `max_rate` events per second, in bursts of at most one second's worth
  (a token bucket per channel: a few events at once, such as a cell printing five lines, pass
  whole; a flood is cut down to the rate); an event over the rate is held back, and a later
  one on the same channel replaces it (counted as skipped);
- a delivered event that replaced others carries `"skipped": N`, the number of events of its
  channel dropped since the previous delivered one (an added optional field: the event object
  is otherwise unchanged). Over a stream, delivered + the sum of `skipped` = published;
- events go out in publish order (ids increasing): nothing overtakes an event held back, so
  the last delivered id is a real id and a resume with `Last-Event-ID` misses nothing that was
  still due; an event waits at most `1 / max_rate` seconds;
- what a subscription sees first (a replay after `since`/`Last-Event-ID`, or the retained
  values) is delivered as it is; conflation starts with the live events after it;
- a notice (a `gap`) releases whatever is held back first, so it stays in order;
- slow is slow in time, as for every subscriber: a conflating subscriber whose queue has not
  been emptied by its transport for `slow_subscriber_timeout` is cut off (SSE) or sent a gap
  (WebSocket), and the byte cap holds. It never holds publishers back (`Backlog`): what enters
  its queue is capped by its rate, not by how fast they publish, so slowing them down would
  not let it catch up; it would only stall every other subscriber for as long.

`Conflation` is the pure rule (time passed in); `ConflatingSubscriber` applies it to a hub
subscription on the event loop.
"""

from __future__ import annotations

import asyncio
import math
import sys
import time
from typing import Any

from ..channels import PatternSet
from ..events import Event
from ..exceptions import InvalidInput
from .hub import Backlog, QueueLimits, Subscriber
from .metrics import Stats

# A timer may fire a hair before its time (the loop's clock resolution): still on time.
_EARLY = 1e-6

MAX_RATE_HELP = (
    "max_rate is the most events per second per channel this subscription wants (the latest "
    "value wins; skipped events are counted): a positive number such as 30; omit it for "
    "every event"
)


def parse_max_rate(value: Any) -> float | None:
    """`max_rate` from a query string or a JSON op: None (absent: every event) or a positive
    finite number. Raises InvalidInput with what to send instead."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            rate = float(text)
        except ValueError:
            raise InvalidInput(f"{MAX_RATE_HELP}; got {value!r}") from None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        rate = float(value)
    else:
        raise InvalidInput(f"{MAX_RATE_HELP}; got {value!r}")
    if not math.isfinite(rate) or rate <= 0:
        raise InvalidInput(f"{MAX_RATE_HELP}; got {value!r}")
    return rate


def with_skipped(event: Event, skipped: int) -> Event:
    """`event` with `"skipped": N` added to its JSON: a copy, built only for the events that
    replaced others (the shared original stays as it is)."""
    copy = Event.__new__(Event)
    copy.id, copy.channel, copy.time = event.id, event.channel, event.time
    copy.data_json, copy.source_json = event.data_json, event.source_json
    copy.json = b'%b,"skipped":%d}' % (event.json[:-1], skipped)
    # the SSE frame is `id: …\ndata: <json>\n\n`: the same head before the new JSON
    copy.sse = event.sse[: len(event.sse) - len(event.json) - 2] + copy.json + b"\n\n"
    copy.size = len(copy.json)
    copy._named = copy._frame = None
    copy._data = event._data
    return copy


def rate_of(sub: Subscriber) -> float | None:
    """The `max_rate` a subscription asked for (None: every event)."""
    return sub.conflation.max_rate if isinstance(sub, ConflatingSubscriber) else None


class Conflation:
    """The rule, without a clock of its own: `offer` and `due` are given the time.

    Each channel has a token bucket of `max_rate` tokens per second holding at most `burst`
    (one second's worth), kept as one number: its theoretical arrival time (the generic cell
    rate algorithm). An event may go out when its channel has a token and nothing is held."""

    __slots__ = ("_held", "_skipped", "_tat", "interval", "max_rate", "tolerance")

    def __init__(self, max_rate: float):
        self.max_rate = max_rate
        self.interval = 1.0 / max_rate
        burst = max(1.0, math.floor(max_rate))
        self.tolerance = (burst - 1) * self.interval  # how far ahead a full bucket may run
        self._tat: dict[str, float] = {}  # channel -> when its bucket has refilled one token
        self._held: dict[str, Event] = {}  # channel -> latest held back, oldest first
        self._skipped: dict[str, int] = {}  # channel -> events replaced since its last one

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def offer(self, event: Event, now: float) -> Event | None:
        """The event to deliver now, or None when it is held back."""
        channel = event.channel
        held = self._held
        if channel in held:
            del held[channel]  # re-inserted last: the held events stay in publish order
            held[channel] = event
            self._skipped[channel] += 1
            return None
        if not held and self._may_send(channel, now):
            self._spend(channel, now)
            return event
        held[channel] = event
        self._skipped[channel] = 0
        return None

    def next_due(self) -> float | None:
        """When the oldest held event may go out (None: nothing held)."""
        for channel in self._held:
            return self._tat.get(channel, -math.inf) - self.tolerance
        return None

    def due(self, now: float) -> list[Event]:
        """The held events that may go out at `now`, oldest first, stopping at the first that
        may not (nothing overtakes it)."""
        out = []
        held = self._held
        while held:
            channel = next(iter(held))
            if not self._may_send(channel, now):
                break
            out.append(self._release(channel, now))
        return out

    def _may_send(self, channel: str, now: float) -> bool:
        return now + _EARLY >= self._tat.get(channel, -math.inf) - self.tolerance

    def _spend(self, channel: str, now: float) -> None:
        self._tat[channel] = max(self._tat.get(channel, now), now) + self.interval

    def release_all(self, now: float) -> list[Event]:
        """Every held event at once, oldest first (before a notice, or at the end)."""
        return [self._release(channel, now) for channel in list(self._held)]

    def _release(self, channel: str, now: float) -> Event:
        event = self._held.pop(channel)
        skipped = self._skipped.pop(channel)
        self._spend(channel, now)
        return with_skipped(event, skipped) if skipped else event


class ConflatingSubscriber(Subscriber):
    """A hub subscription with conflation: live events go through `Conflation`; held ones are
    released by one timer per subscription. Until `start()` (called once the replay or the
    retained values are queued) it behaves as a plain subscriber."""

    __slots__ = ("_timer", "conflating", "conflation")

    def __init__(self, patterns: PatternSet, limits: QueueLimits, max_rate: float,
                 allowed: PatternSet | None = None, stats: Stats | None = None,
                 backlog: Backlog | None = None):
        super().__init__(patterns, limits, allowed, stats, backlog)
        # never marked behind by its queue's size: the rate, not the publishers, fills it
        self.mark_events = self.mark_bytes = sys.maxsize
        self.conflation = Conflation(max_rate)
        self.conflating = False
        self._timer: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self.conflating = True

    def offer(self, event: Any, wake: bool = True) -> bool:
        if not self.conflating:
            return super().offer(event, wake)
        conflation = self.conflation
        now = asyncio.get_running_loop().time()
        if event.id is None:  # a notice: what is held goes first
            woke = self._queue(conflation.release_all(now), wake=False)
            woke = super().offer(event, False) or woke
            if woke and wake:
                self.wake()
            return woke
        ready = conflation.offer(event, now)
        if ready is not None:
            return super().offer(ready, wake)
        self._schedule()
        return False

    def _schedule(self) -> None:
        if self._timer is None:
            due = self.conflation.next_due()
            if due is not None:
                self._timer = asyncio.get_running_loop().call_at(due, self._release)

    def _release(self) -> None:
        self._timer = None
        self.backlog.now = time.monotonic()  # the clock `offer` judges a stalled queue by
        loop = asyncio.get_running_loop()
        self._queue(self.conflation.due(loop.time()), wake=True)
        self._schedule()

    def _queue(self, events: list[Event], wake: bool) -> bool:
        woke = False
        for event in events:
            woke = super().offer(event, False) or woke
        if woke and wake:
            self.wake()
        return woke

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.conflating = False
        super().close()
