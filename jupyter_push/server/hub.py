"""The hub: who is subscribed to what, and handing each event to them.

A broker stores events (ids, retained values, history) and calls `Hub.deliver` for every
event published anywhere; the hub appends the event, already encoded, to the bounded queue
of each matching subscriber and wakes its transport. Nothing here knows HTTP or WebSocket.
"""

from __future__ import annotations

import asyncio
import math
import sys
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .._json import dumps
from ..channels import CheckedNames, PatternSet, check_channel
from ..events import Event, Notice, Queued
from ..exceptions import EventTooLarge, InvalidInput
from ..reserved import check_client_channel
from .brokers.base import Broker, Draft, Origin
from .brokers.memory import MemoryBroker
from .metrics import Stats
from .turns import TurnBudget

if TYPE_CHECKING:
    from .share_scope import KernelScope


@dataclass
class QueueLimits:
    max_event_bytes: int = 1 << 20
    queue_max_events: int = 10_000  # backpressure mark: publishers wait above it
    queue_max_bytes: int = 16 << 20  # hard cap: more is falling behind at once
    slow_subscriber_timeout: float = 5.0  # a queue not emptied for this long: falling behind


class Backlog:
    """The subscribers whose queues are above the backpressure mark (`queue_max_events`
    events or half `queue_max_bytes`), and the publishers waiting for them to drain.

    Publishers over WebSocket (the kernels) and HTTP await `drained()` after each publish, so
    a burst waits in the kernel's own bounded buffer rather than in the server's queues. A
    subscriber that stays behind longer than `slow_subscriber_timeout` is cut off (SSE) or
    sent a gap (WebSocket) by `drained()` itself, so one stalled reader holds publishers
    back for that long at most."""

    __slots__ = ("_waiters", "behind", "now", "timeout")

    def __init__(self, timeout: float):
        self.behind: set[Subscriber] = set()
        self._waiters: list[asyncio.Future[None]] = []
        self.now = time.monotonic()  # refreshed by the hub at each batch it hands out
        self.timeout = timeout

    def add(self, sub: Subscriber) -> None:
        self.behind.add(sub)

    def discard(self, sub: Subscriber) -> None:
        behind = self.behind
        behind.discard(sub)
        if not behind and self._waiters:
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    async def drained(self) -> None:
        """Return once no subscriber is behind (at once when none is)."""
        while self.behind:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, max(self.timeout / 4, 0.05))
            except asyncio.TimeoutError:
                self.cut_stale()

    def cut_stale(self) -> None:
        """Cut off the subscribers whose queues have waited longer than the timeout."""
        self.now = now = time.monotonic()
        for sub in list(self.behind):
            if sub.queue and now - sub.waiting_since > sub.timeout:
                sub.fall_behind()


class Wakeup:
    """`asyncio.Event` for one consumer, without its per-instance deque of waiters: a
    subscriber's idle cost is paid once per connection, tens of thousands of times."""

    __slots__ = ("_flag", "_waiter")

    def __init__(self) -> None:
        self._flag = False
        self._waiter: asyncio.Future[None] | None = None

    def is_set(self) -> bool:
        return self._flag

    def set(self) -> None:
        if not self._flag:
            self._flag = True
            waiter = self._waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._flag = False

    async def wait(self) -> bool:
        if self._flag:
            return True
        waiter = self._waiter
        if waiter is None or waiter.done():
            waiter = self._waiter = asyncio.get_running_loop().create_future()
        try:
            await waiter
        finally:
            self._waiter = None
        return True


class Subscriber:
    """One subscription's bounded queue. The hub fills it; a transport drains it.

    Overflow is explicit: the queue is emptied, `overflowed` is set and the transport is
    woken, so it can disconnect (SSE, the browser then resumes by Last-Event-ID) or send a
    `gap` (WebSocket). Slow means slow in time: a subscriber falls behind when its queue has
    not been emptied by its transport for `slow_subscriber_timeout` seconds, or when it would
    hold more than `queue_max_bytes` (the bound on memory). A burst that a healthy socket
    drains is never a reason: the event count only marks it as behind (`Backlog`), which
    slows the publishers down.
    """

    __slots__ = (
        "allowed",
        "backlog",
        "is_behind",
        "mark_bytes",
        "mark_events",
        "max_bytes",
        "notify",
        "on_overflow",
        "overflowed",
        "patterns",
        "primed",
        "queue",
        "queued_bytes",
        "ready",
        "stats",
        "timeout",
        "transport",
        "waiting_since",
    )

    def __init__(
        self,
        patterns: PatternSet,
        limits: QueueLimits,
        allowed: PatternSet | None = None,
        stats: Stats | None = None,
        backlog: Backlog | None = None,
    ):
        self.patterns = patterns
        self.allowed = allowed
        self.queue: list[Queued] = []  # a list: an empty deque costs ~600 bytes per subscriber
        self.queued_bytes = 0
        self.max_bytes = limits.queue_max_bytes
        self.mark_events = limits.queue_max_events
        self.mark_bytes = limits.queue_max_bytes // 2
        self.timeout = limits.slow_subscriber_timeout
        self.backlog = backlog if backlog is not None else Backlog(self.timeout)
        self.is_behind = False  # in backlog.behind
        self.waiting_since = 0.0  # when the oldest queued item was queued
        self.overflowed = False
        self.on_overflow: Callable[[], None] | None = None
        # Set by a transport that can write at once when its socket is idle; returns False
        # to fall back to waking its writer task (`ready`).
        self.notify: Callable[[], bool] | None = None
        self.ready = Wakeup()
        self.stats = stats
        self.transport = ""  # "sse" or "ws", set by the transport (for metrics)
        self.primed = False  # a replay or retained values are queued: not live latency

    def wants(self, channel: str) -> bool:
        return self.patterns(channel) and (self.allowed is None or self.allowed(channel))

    def offer(self, event: Queued, wake: bool = True) -> bool:
        """Queue `event`. Returns True when the queue was empty: with `wake=False` the caller
        then calls `wake()` once it has offered its whole batch."""
        if self.overflowed:
            return False
        queue = self.queue
        queued = self.queued_bytes + event.size
        if queued > self.max_bytes or (
                queue and self.backlog.now - self.waiting_since > self.timeout):
            self.fall_behind(1)
            return False
        queue.append(event)
        self.queued_bytes = queued
        n = len(queue)
        if n == 1:
            self.waiting_since = self.backlog.now
            if wake:
                self.wake()
            return True
        if not self.is_behind and (n >= self.mark_events or queued >= self.mark_bytes):
            self.is_behind = True
            self.backlog.add(self)
        return False

    def fall_behind(self, dropped: int = 0) -> None:
        """The subscriber is too slow: empty its queue, mark it, and tell its transport."""
        if self.overflowed:
            return
        self.overflowed = True
        if self.stats is not None:
            self.stats.overflows += 1
            self.stats.overflow_dropped += len(self.queue) + dropped
        self.queue.clear()
        self.queued_bytes = 0
        self._not_behind()
        self.ready.set()
        if self.on_overflow is not None:
            self.on_overflow()

    def _not_behind(self) -> None:
        if self.is_behind:
            self.is_behind = False
            self.backlog.discard(self)

    def wake(self) -> None:
        if self.notify is None or not self.notify():
            self.ready.set()

    def take(self) -> list[Queued]:
        """Everything queued, oldest first, emptying the queue."""
        events = self.queue
        self.queue = []
        self.queued_bytes = 0
        self.ready.clear()
        if self.is_behind:
            self._not_behind()
        if events and self.stats is not None:
            if self.primed:
                self.primed = False
            else:
                self.stats.wrote(events[0])
        return events

    def start(self) -> None:
        """What it must see first is queued: live delivery begins (a hook for conflation)."""

    def close(self) -> None:
        """The hub has let it go: drop what is queued."""
        self.queue.clear()
        self.queued_bytes = 0
        self._not_behind()

    def put_front(self, events: list[Queued]) -> None:
        """Queue `events` (a replay or retained values) before the live ones, dropping live
        events that duplicate them. Not bounded: a replay is bounded by the history."""
        if not events:
            return
        ids = {e.id for e in events}
        live = [e for e in self.queue if e.id not in ids]
        self.queue.clear()
        self.queue.extend(events)
        self.queue.extend(live)
        self.queued_bytes = sum(e.size for e in self.queue)
        self.waiting_since = time.monotonic()
        self.primed = True
        self.ready.set()


class BatchBytes:
    """The wire bytes of the batch encoded last, per framing. The hub hands one batch to the
    subscribers of the same channels one after another, so the bytes built for the first
    are usually those the next ones need: they then share one bytes object, also in the
    write buffers of the slow ones."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: dict[str, tuple[tuple[Queued, ...], bytes]] = {}

    def get(self, framing: str, items: list[Queued],
            build: Callable[[list[Queued]], bytes]) -> bytes:
        key = tuple(items)  # compared by identity: the same objects in the same order
        last = self._last.get(framing)
        if last is not None and last[0] == key:
            return last[1]
        data = build(items)
        self._last[framing] = (key, data)
        return data


# Fairness: push work in one turn of the event loop stays around a couple of milliseconds
# (turns.py), whichever handler runs it; these are how often the hub asks.
CHECK_EVERY = 512  # offers between two looks at the turn's budget
PUBLISH_SLICE = 250  # events stored between two looks (memory broker)


class Hub:
    def __init__(self, broker: Broker, limits: QueueLimits | None = None, *, retained: bool = True,
                 turn: TurnBudget | None = None):
        self.broker = broker
        self.limits = limits or QueueLimits()
        self.retained_enabled = retained
        self._exact: dict[str, set[Subscriber]] = {}
        self._wild: set[Subscriber] = set()
        self._targets: dict[str, tuple[Subscriber, ...]] = {}
        self.subscribers = 0
        self.published = 0
        self.delivered = 0
        self.publisher_drops = 0
        self._channels = CheckedNames(100_000, check_client_channel)
        self._watchers: tuple[Subscriber, ...] = ()
        self.stats = Stats()
        self.batch_bytes = BatchBytes()
        self.turn = turn or TurnBudget()  # push work's share of the event loop
        self.backlog = Backlog(self.limits.slow_subscriber_timeout)
        self._pending: list[Event] = []  # delivered, not yet handed out (a sliced batch)
        self._fan_out_waiters: list[asyncio.Future[None]] = []
        # Storing in memory cannot fail part-way, so a large batch may be stored in slices.
        self._sliceable = isinstance(broker, MemoryBroker)
        # called when a subscriber with a `$` pattern arrives: the server's own publishers
        # of reserved channels (kernel states, system metrics) start sampling then
        self.reserved_listeners: list[Callable[[], None]] = []
        broker.bind(self.deliver, self.notify_gap)

    async def start(self) -> None:
        await self.broker.start()

    async def stop(self) -> None:
        await self.broker.stop()

    # ------------------------------------------------------------------ publishing

    def draft(self, channel: Any, data: Any, source_json: bytes | None = None, *,
              internal: bool = False) -> Draft:
        """Validate one event and encode its data once. Raises InvalidInput / EventTooLarge.
        `source_json` is the encoded `source` object, shared by the events of one request.
        Clients may publish only to the reserved channels `client_may_publish` names; the
        server's own publishers (`internal`) to any."""
        if internal:
            check_channel(channel, allow_reserved=True)
        elif type(channel) is not str or channel not in self._channels.known:
            self._channels.check(channel)
        data_json = dumps(data)
        # the final JSON adds the id, channel and time around the data: ~80 bytes + names
        size = len(data_json) + len(channel) + (len(source_json) if source_json else 0) + 80
        if size > self.limits.max_event_bytes:
            raise EventTooLarge(
                f"event on {channel!r} is about {size} bytes encoded; the limit is "
                f"{self.limits.max_event_bytes} (PushApp.max_event_bytes)"
            )
        return (channel, data_json, source_json)

    async def publish(self, drafts: list[Draft], origin: Origin | None = None, *,
                      wait: bool = True) -> list[Event]:
        """Store and deliver validated drafts, in order; returns the events with their ids
        once they are in every subscriber's queue and no subscriber is behind (backpressure:
        a publisher waits while fan-out falls behind, see `Backlog`; `wait=False`: the
        caller waited before, see publish_wait.py). `origin`: the
        publisher's session and frame ref (AlreadyPublished if stored before).

        Fair to the host: a large batch is stored in slices (the memory broker, which cannot
        fail part-way) and handed out in slices, each yielding the event loop once this
        turn's share of push work (`turn`) is spent, so jupyter_server's own requests and
        kernel messages are served in between."""
        if not drafts:
            return []
        if len(drafts) <= PUBLISH_SLICE or not self._sliceable:
            events = await self.broker.publish(drafts, origin)
        else:
            events = []
            for start in range(0, len(drafts), PUBLISH_SLICE):
                if start and self.turn.spent():
                    await self.turn.pause()  # the loop for everyone else
                last = start + PUBLISH_SLICE >= len(drafts)
                events.extend(await self.broker.publish(
                    drafts[start:start + PUBLISH_SLICE], origin if last else None))
        if self._pending:
            await self.fanned_out()
        if wait and self.backlog.behind:
            await self.backlog.drained()
        return events

    def deliver(self, events: Iterable[Event]) -> None:
        """Called by the broker for every stored event, in id order."""
        if self._pending:  # an earlier batch is still being handed out: keep the order
            self._pending.extend(events)
            return
        self._fan_out(events if isinstance(events, list) else list(events))

    def _fan_out(self, events: list[Event]) -> None:
        """Offer `events` to their subscribers until this turn's share of push work is spent,
        then wake them; what is left continues on the next turn of the event loop."""
        targets = self._targets
        woken = []
        turn = self.turn
        turn.spent()  # the count starts here if nothing else did in this turn
        self.backlog.now = time.monotonic()
        done = len(events)
        offers = 0
        for i, event in enumerate(events):
            subs = targets.get(event.channel)
            if subs is None:
                subs = self._match(event.channel)
            for sub in subs:
                if sub.offer(event, False):
                    woken.append(sub)
            n = len(subs)
            self.published += 1
            self.delivered += n
            offers += n + 1
            if offers >= CHECK_EVERY:
                offers = 0
                if i + 1 < len(events) and turn.spent():
                    done = i + 1
                    break
        # One wake per subscriber per slice: its transport writes the whole slice at once.
        for sub in woken:
            sub.wake()
        if done < len(events):
            self._pending = events[done:]
            try:
                asyncio.get_running_loop().call_later(turn.wait(), self._continue)
            except RuntimeError:  # no loop (a synchronous caller): finish now
                self._continue()

    def _continue(self) -> None:
        events, self._pending = self._pending, []
        if events:
            self._fan_out(events)
        if not self._pending and self._fan_out_waiters:
            waiters, self._fan_out_waiters = self._fan_out_waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    async def fanned_out(self) -> None:
        """Return once every event delivered so far is in its subscribers' queues."""
        while self._pending:
            waiter = asyncio.get_running_loop().create_future()
            self._fan_out_waiters.append(waiter)
            await waiter

    def _finish_pending(self) -> None:
        """Hand out what is pending at once (before a notice that must follow it)."""
        while self._pending:
            events, self._pending = self._pending, []
            self._fan_out_all(events)

    def _fan_out_all(self, events: list[Event]) -> None:
        woken = []
        for event in events:
            subs = self._targets.get(event.channel)
            if subs is None:
                subs = self._match(event.channel)
            for sub in subs:
                if sub.offer(event, False):
                    woken.append(sub)
            self.published += 1
            self.delivered += len(subs)
        for sub in woken:
            sub.wake()

    def notify_gap(self, since: str) -> None:
        """Tell every subscriber that events after `since` were lost (the broker's engine
        lost them); each transport writes a `gap` in order with its events."""
        notice = Notice("gap", since=since)
        self._finish_pending()
        self.backlog.now = time.monotonic()
        for sub in {*self._wild, *(s for subs in self._exact.values() for s in subs)}:
            sub.offer(notice)
            self.stats.gaps_sent += 1

    def subscriber_set(self) -> set[Subscriber]:
        """Every subscriber listening to at least one pattern (not the server's own watchers)."""
        return {*self._wild, *(s for subs in self._exact.values() for s in subs)}

    def notify_dropped(self, channel: str, dropped: int, since: str | None) -> None:
        """A publisher dropped `dropped` events on `channel` before they reached the hub
        (its buffer overflowed): the channel's subscribers get a gap notice naming it."""
        notice = Notice("gap", since=since, channel=channel, dropped=dropped)
        self._finish_pending()
        self.backlog.now = time.monotonic()
        subs = self._targets.get(channel)
        if subs is None:
            subs = self._match(channel)
        for sub in subs:
            sub.offer(notice)
        self.publisher_drops += dropped
        self.stats.gaps_sent += len(subs)

    def has_subscribers(self, channel: str) -> bool:
        """Whether an event on `channel` would reach anyone now (cached as for delivery)."""
        subs = self._targets.get(channel)
        if subs is None:
            subs = self._match(channel)
        return bool(subs)

    def _match(self, channel: str) -> tuple[Subscriber, ...]:
        subs = tuple(self._exact.get(channel, ())) + tuple(
            s for s in self._wild if s.patterns(channel)
        )
        subs = tuple(s for s in subs if s.allowed is None or s.allowed(channel))
        subs += tuple(w for w in self._watchers if w.patterns(channel))
        if len(self._targets) > 50_000:
            self._targets.clear()
        self._targets[channel] = subs
        return subs

    # ------------------------------------------------------------------ subscribing

    def watch(self, patterns: PatternSet, receive: Callable[[list[Event]], None]) -> Subscriber:
        """Have the server itself follow `patterns` (its controls, watchdog, share scopes):
        `receive(events)` is called on the event loop with each slice of events as it is
        handed out, so it must not block; gap notices are left out. Not a client: not counted
        among the subscribers, never behind nor cut off (its queue is emptied at the end of
        every slice), and the cost is found once per channel like any subscriber's. Returns
        the watcher, for `rewatch` and `unwatch`."""
        sub = Subscriber(patterns, replace(self.limits, queue_max_events=sys.maxsize,
                                           queue_max_bytes=sys.maxsize,
                                           slow_subscriber_timeout=math.inf))

        def drain() -> bool:
            receive([e for e in sub.take() if e.id is not None])  # (no notices)
            return True

        sub.notify = drain
        self._watchers = (*self._watchers, sub)
        self._targets.clear()
        self._reserved_wanted(patterns)
        return sub

    def rewatch(self, watcher: Subscriber, patterns: PatternSet) -> None:
        """Change what a watcher follows."""
        watcher.patterns = patterns
        self._targets.clear()
        self._reserved_wanted(patterns)

    def unwatch(self, watcher: Subscriber) -> None:
        self._watchers = tuple(w for w in self._watchers if w is not watcher)
        self._targets.clear()
        watcher.close()

    async def open(
        self,
        patterns: PatternSet,
        *,
        since: str | None = None,
        retained: bool = True,
        allowed: PatternSet | None = None,
        max_rate: float | None = None,
        scope: KernelScope | None = None,
    ) -> tuple[Subscriber, str | None]:
        """Register a subscriber and queue what it must see first: the events after `since`
        (resume), or the retained values. Returns the subscriber and, when `since` could not
        be honoured, the id of the gap. With `max_rate` the live events after what it sees
        first are conflated (conflation.py); without, it is a plain subscriber.
        `scope`: a share link's narrowing of `$kernels`, `$alerts`, `$notify` (share_scope.py)."""
        sub: Subscriber
        if scope is not None:
            from .share_scope import scoped_subscriber  # only for the links that need it

            sub = scoped_subscriber(scope, patterns, self.limits, allowed=allowed,
                                    stats=self.stats, backlog=self.backlog, max_rate=max_rate)
        elif max_rate is None:
            sub = Subscriber(patterns, self.limits, allowed, self.stats, self.backlog)
        else:
            from .conflation import ConflatingSubscriber  # only for those who ask

            sub = ConflatingSubscriber(patterns, self.limits, max_rate, allowed, self.stats,
                                       self.backlog)
        self._add(sub)
        try:
            gap = await self.prime(sub, patterns, since=since, retained=retained)
        except BaseException:
            self.close(sub)
            raise
        sub.start()
        return sub, gap

    async def prime(
        self,
        sub: Subscriber,
        patterns: PatternSet,
        *,
        since: str | None,
        retained: bool,
    ) -> str | None:
        """Queue the replay after `since`, or the retained values, for `patterns` of `sub`."""
        gap = None
        if since is not None:
            events, gap_found = await self.broker.replay(_restrict(patterns, sub.allowed), since)
            if not gap_found:
                sub.put_front([e for e in events if sub.wants(e.channel)])
                return None
            gap = since
            self.stats.gaps_sent += 1
        if retained and self.retained_enabled:
            latest = await self.broker.latest(patterns)
            sub.put_front([e for e in latest if sub.wants(e.channel)])
        return gap

    def update(self, sub: Subscriber, patterns: PatternSet) -> None:
        """Change what `sub` listens to (WebSocket subscribe / unsubscribe)."""
        self._remove(sub)
        sub.patterns = patterns
        self._add(sub)

    def close(self, sub: Subscriber) -> None:
        self._remove(sub)
        sub.close()

    def _add(self, sub: Subscriber) -> None:
        if sub.patterns.exact_only:
            for name in sub.patterns.exact:
                self._exact.setdefault(name, set()).add(sub)
                self._targets.pop(name, None)
        else:
            self._wild.add(sub)
            self._targets.clear()
        self.subscribers += 1
        self._reserved_wanted(sub.patterns)

    def _reserved_wanted(self, patterns: PatternSet) -> None:
        if self.reserved_listeners and any(p[0] == "$" for p in patterns.patterns):
            for listener in self.reserved_listeners:
                listener()

    def _remove(self, sub: Subscriber) -> None:
        if sub in self._wild:
            self._wild.discard(sub)
            self._targets.clear()
        else:
            for name in sub.patterns.exact:
                subs = self._exact.get(name)
                if subs is not None and sub in subs:
                    subs.discard(sub)
                    if not subs:
                        del self._exact[name]
                    self._targets.pop(name, None)
        self.subscribers -= 1

    # ------------------------------------------------------------------ state

    async def latest(self, patterns: PatternSet) -> list[Event]:
        """The retained (latest) event of each channel matching `patterns`, in id order."""
        return await self.broker.latest(patterns)

    async def history(
        self, patterns: PatternSet, since: str | None, limit: int | None
    ) -> tuple[list[Event], bool]:
        return await self.broker.history(patterns, since, limit)

    async def channels(self, patterns: PatternSet,
                       keep: Callable[[Event], bool] | None = None) -> list[dict[str, Any]]:
        """Each matching channel's name, latest event and count (those whose latest event
        `keep` takes, when given)."""
        return [
            {"name": name, "last": last.to_dict(), "count": count}
            for name, last, count in await self.broker.channels(patterns)
            if keep is None or keep(last)
        ]


def _restrict(patterns: PatternSet, allowed: PatternSet | None) -> PatternSet:
    if allowed is None:
        return patterns
    return _Both(patterns, allowed)  # type: ignore[return-value]


class _Both:
    """Matches a channel that both pattern sets match."""

    def __init__(self, a: PatternSet, b: PatternSet):
        self.a, self.b = a, b

    def __call__(self, name: str) -> bool:
        return self.a(name) and self.b(name)


__all__ = ["BatchBytes", "Hub", "InvalidInput", "QueueLimits", "Queued", "Subscriber"]
