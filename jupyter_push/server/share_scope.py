"""What a share link that names `$kernels/...`, `$alerts/...` or `$notify` sees of those:
only what concerns the kernels and channels the link already covers.

A link's *plain* patterns are its patterns that do not start with `$`. A kernel is *covered*
when it published an event on a channel the plain patterns match (the event's
`source.kernel`): found in the history and the retained values when the scope is made, and
learnt from the live events from then on. Then, for the link:

- `$kernels/<id>` and `$kernels/<id>/...` are delivered when `<id>` is covered;
- an `$alerts/...` or `$notify` event that names what a watchdog rule watches (`pattern` of an
  `expect` rule, `channel` of an `alert_if` rule, `watched` of the watchdog's notification) is
  delivered when the link's other patterns cover all of it; one that names none, when its
  source kernel is covered;
- the other `$` channels a link may name (`$system/...`, `$controls/...`) are not narrowed.

Only links that name those channels pay anything: their subscribers check each `$` event they
are offered, and one internal subscription per distinct scope (shared by its connections)
learns the covered kernels. Every other subscriber is a plain `Subscriber`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Iterable

from .._json import loads
from ..channels import PatternSet
from ..events import Event, Queued
from ..exceptions import InvalidInput
from ..reserved import ALERTS, KERNELS, NOTIFY
from ..tokens import uncovered
from .conflation import ConflatingSubscriber
from .hub import Backlog, QueueLimits, Subscriber
from .metrics import Stats

if TYPE_CHECKING:
    from .hub import Hub

log = logging.getLogger("jupyter_push")

NARROWED = (NOTIFY, KERNELS, ALERTS)  # the first segments of the channels narrowed here
MAX_KERNELS = 10_000  # covered kernels remembered per scope (then the oldest are forgotten)
_MAX_SOURCES = 4096  # decoded `source` objects remembered


def needs_scope(allowed: PatternSet | None) -> bool:
    """Whether a link with these patterns names a channel narrowed here."""
    return allowed is not None and any(p.split("/", 1)[0] in NARROWED for p in allowed.patterns)


_kernel_of_source: dict[bytes, str | None] = {}


def kernel_of(event: Event) -> str | None:
    """The id of the kernel that published `event` (its `source.kernel`), if any."""
    source = event.source_json
    if not source:
        return None
    try:
        return _kernel_of_source[source]
    except KeyError:
        pass
    try:
        decoded = loads(source)
    except InvalidInput:
        decoded = None
    kernel = decoded.get("kernel") if isinstance(decoded, dict) else None
    kernel = kernel if isinstance(kernel, str) else None
    if len(_kernel_of_source) >= _MAX_SOURCES:
        _kernel_of_source.clear()
    _kernel_of_source[source] = kernel
    return kernel


def watched_by(event: Event) -> str | None:
    """What the watchdog rule behind an `$alerts/...` or `$notify` event watches, if it says
    (an alert: its rule's `pattern` or `channel`; the watchdog's notification: `watched`)."""
    data = event.data
    if not isinstance(data, dict):
        return None
    keys = ("watched",) if event.channel == NOTIFY else ("watched", "pattern", "channel")
    for key in keys:
        value = data.get(key)
        if isinstance(value, str):
            return value
    return None


class KernelScope:
    """The kernels one set of link patterns covers, and the verdict on each narrowed event."""

    def __init__(self, allowed: PatternSet):
        self.allowed = allowed
        self.plain = PatternSet([p for p in allowed.patterns if not p.startswith("$")])
        # what an alert's rule may watch for the link to see the alert: any channel the link
        # sees unnarrowed (its plain patterns, `$system/...`)
        self.watchable = tuple(p for p in allowed.patterns if p.split("/", 1)[0] not in NARROWED)
        self.kernels: dict[str, None] = {}  # (ordered: the oldest are forgotten first)
        self.subscribers: set[ScopedSubscriber | ScopedConflatingSubscriber] = set()

    def learn(self, events: Iterable[Queued]) -> list[str]:
        """Note the kernels that published `events` on covered channels; returns the new ones."""
        new = []
        kernels = self.kernels
        plain = self.plain
        for event in events:
            if event.id is None or event.channel[:1] == "$" or not plain(event.channel):
                continue
            kernel = kernel_of(event)
            if kernel is not None and kernel not in kernels:
                if len(kernels) >= MAX_KERNELS:
                    del kernels[next(iter(kernels))]
                kernels[kernel] = None
                new.append(kernel)
        return new

    def admits(self, event: Queued) -> bool:
        """Whether the link may see `event` (True for every channel not narrowed here)."""
        channel = event.channel
        if channel[:1] != "$" or event.id is None:
            return True
        first, _, rest = channel.partition("/")
        if first == KERNELS:
            return rest.split("/", 1)[0] in self.kernels
        if first != NOTIFY and first != ALERTS:
            return True
        watched = watched_by(event)
        if watched is not None:
            return not uncovered(self.watchable, [watched])
        return kernel_of(event) in self.kernels


class _Scoped:
    """What a subscription through a narrowed link adds to a subscriber: each `$` event it is
    offered, and each replayed or retained one, is checked against the link's scope."""

    __slots__ = ()
    scope: KernelScope

    def offer(self, event: Queued, wake: bool = True) -> bool:
        if event.channel[:1] == "$" and not self.scope.admits(event):
            return False
        return super().offer(event, wake)  # type: ignore[misc]

    def put_front(self, events: list[Queued]) -> None:
        self.scope.learn(events)
        admits = self.scope.admits
        super().put_front([e for e in events if admits(e)])  # type: ignore[misc]

    def close(self) -> None:
        self.scope.subscribers.discard(self)
        super().close()  # type: ignore[misc]


class ScopedSubscriber(_Scoped, Subscriber):
    __slots__ = ("scope",)


class ScopedConflatingSubscriber(_Scoped, ConflatingSubscriber):
    __slots__ = ("scope",)


def scoped_subscriber(
    scope: KernelScope, patterns: PatternSet, limits: QueueLimits, *,
    allowed: PatternSet | None, stats: Stats, backlog: Backlog, max_rate: float | None,
) -> Subscriber:
    """A subscriber for a narrowed link (conflating when `max_rate` is given)."""
    sub: ScopedSubscriber | ScopedConflatingSubscriber
    if max_rate is None:
        sub = ScopedSubscriber(patterns, limits, allowed, stats, backlog)
    else:
        sub = ScopedConflatingSubscriber(patterns, limits, max_rate, allowed, stats, backlog)
    sub.scope = scope
    scope.subscribers.add(sub)
    return sub


_Entry = tuple["asyncio.Future[KernelScope]", list[Subscriber]]


class ShareScopes:
    """The scopes in use, one per distinct set of link patterns, shared by the connections and
    requests that use it; each learns its kernels through one hub watcher."""

    def __init__(self) -> None:
        # per set of patterns: the scope (ready once seeded) and its learning watcher
        self._scopes: dict[tuple[str, ...], _Entry] = {}
        self._users: dict[tuple[str, ...], int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def acquire(self, hub: Hub, allowed: PatternSet) -> KernelScope:
        """The scope for `allowed` (made and seeded from the history on first use); give it
        back with `release()`, also when this raised."""
        key = allowed.patterns
        self._users[key] = self._users.get(key, 0) + 1
        entry = self._scopes.get(key)
        if entry is not None:
            return await asyncio.shield(entry[0])
        ready: asyncio.Future[KernelScope] = asyncio.get_running_loop().create_future()
        learners: list[Subscriber] = []
        self._scopes[key] = (ready, learners)
        try:
            scope = await self._make(hub, allowed, learners)
        except BaseException as e:
            if self._scopes.get(key, (None,))[0] is ready:
                del self._scopes[key]
            for learner in learners:
                hub.unwatch(learner)
            ready.set_exception(e)
            ready.exception()  # (retrieved: the waiters, if any, get it too)
            raise
        ready.set_result(scope)
        return scope

    async def _make(self, hub: Hub, allowed: PatternSet, learners: list[Subscriber]) \
            -> KernelScope:
        scope = KernelScope(allowed)

        def learn_live(events: list[Event]) -> None:
            new = scope.learn(events)
            if new and scope.subscribers:
                self._catch_up(hub, scope, new)

        learners.append(hub.watch(scope.plain, learn_live))
        # the learner listens first, so no kernel is missed between the history and it
        scope.learn(await hub.broker.held(scope.plain))
        scope.learn(await hub.latest(scope.plain))
        return scope

    def release(self, hub: Hub, allowed: PatternSet) -> None:
        key = allowed.patterns
        users = self._users.get(key, 0) - 1
        if users > 0:
            self._users[key] = users
            return
        self._users.pop(key, None)
        entry = self._scopes.pop(key, None)
        if entry is not None:
            for learner in entry[1]:
                hub.unwatch(learner)

    def _catch_up(self, hub: Hub, scope: KernelScope, kernels: list[str]) -> None:
        """Kernels just covered: their subscribers get those kernels' current states."""
        patterns = PatternSet([f"{KERNELS}/{k}/**" for k in kernels])
        for sub in list(scope.subscribers):
            task = asyncio.ensure_future(self._send_latest(hub, scope, sub, patterns))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send_latest(self, hub: Hub, scope: KernelScope, sub: Subscriber,
                           patterns: PatternSet) -> None:
        if sub not in scope.subscribers:  # closed meanwhile
            return
        try:
            await hub.prime(sub, patterns, since=None, retained=True)
        except Exception:  # the broker is away: the next state change will tell
            log.debug("jupyter_push: no kernel states for a share link now", exc_info=True)
            return
        if sub.queue and sub in scope.subscribers:
            sub.wake()

    def __len__(self) -> int:
        return len(self._scopes)


__all__ = ["KernelScope", "ShareScopes", "kernel_of", "needs_scope", "scoped_subscriber"]
