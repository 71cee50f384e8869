"""Binding a widget to channels: pushes in this process arrive directly (local listener);
pushes from elsewhere (another kernel, a script, the CLI, HTTP) arrive via a subscription to the
server, minus the events this kernel published itself, which were already seen locally. Every
widget of the process shares one subscription (one WebSocket, one thread): a widget adds its
patterns as it binds and takes them away as it closes.

This process remembers the recent values of every channel it pushed since widgets were imported
(the last HISTORY_PER_CHANNEL), so a widget made mid-run starts from the run so far — a chart
from its curve, not from the latest point — with or without a server. With a server, a remote
binding made in a kernel also starts from the server's history of its patterns (the last
SERVER_HISTORY events), minus this kernel's own, which it has already: another kernel's run
pushed before the widget existed is drawn too.

Glossary (the same words across the client):
- Binding: one widget's tie to its patterns (this module), local and remote.
- Member: a Binding's entry in the Feed: its patterns and the last id it got per channel.
- Feed: the process's one remote subscription for all widgets (`FEED`).
- Subscription: a client.subscriber WebSocket subscription; the Feed holds one.
- Subscriber: the server's queue for one connection (server/hub.py); not used here.
- listener: a callback of client/_inprocess.py, called by push() in this process."""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from typing import Any, Callable

from ..channels import PatternSet
from ..client import _inprocess as local

log = logging.getLogger("jupyter_push")
Receive = Callable[[str, Any], None]
# (channel, data, source): `source` is what the server records as the publisher
# (`{"kernel", "path"}`, either may be missing; {} for HTTP and CLI publishes)
SourcedReceive = Callable[[str, Any, dict[str, Any]], None]


HISTORY_PER_CHANNEL = 1000
SERVER_HISTORY = 4000  # events, all matching channels together (GET push/history's limit)
_recent: dict[str, deque[Any]] = {}


def _remember(channel: str, data: Any) -> None:
    try:
        _recent[channel].append(data)
    except KeyError:
        _recent[channel] = deque((data,), maxlen=HISTORY_PER_CHANNEL)


local.add_listener(["**"], _remember)  # sees every push: keep _remember an append


class Binding:
    """One widget's patterns: the recent values it missed, pushes from this process, and
    (with `remote`) a Member in the Feed for events published elsewhere, starting from the
    server's history of them unless `history=False` (then from their retained values). With
    `sourced`, `receive` also takes each event's source (who published it: a kernel groups it)."""

    def __init__(self, patterns: list[str], receive: Receive | SourcedReceive, *,
                 remote: bool = True, sourced: bool = False, history: bool = True):
        self.patterns = patterns
        matches = PatternSet(patterns)
        # this process's own pushes (their source: this kernel)
        here: Any = _from_here(receive) if sourced else receive  # type: ignore[arg-type]
        # (tuple() copies a deque in one step: no other thread appends in between)
        before = {c: tuple(d) for c, d in tuple(_recent.items()) if matches(c)}
        for channel, values in before.items():
            for data in values:
                here(channel, data)
        self._remove_local = local.add_listener(matches, here)
        for channel, recent in tuple(_recent.items()):  # pushed by another thread meanwhile
            if matches(channel) and recent:
                latest = recent[-1]
                seen = before.get(channel)
                if not seen or seen[-1] is not latest:
                    here(channel, latest)
        last_ids: dict[str, Any] = {}
        if remote and history:
            for channel, data, event_id, source in others_history(patterns):
                if sourced:
                    receive(channel, data, source)  # type: ignore[call-arg]
                else:
                    receive(channel, data)  # type: ignore[call-arg]
                last_ids[channel] = event_id
        self._member = FEED.join(patterns, matches, receive, last_ids, sourced=sourced) \
            if remote else None

    @property
    def remote(self) -> bool:
        return self._member is not None and FEED.following

    def close(self) -> None:
        self._remove_local()
        if self._member is not None:
            FEED.leave(self._member)
            self._member = None


def _from_here(receive: SourcedReceive) -> Receive:
    """`receive` for this process's own pushes: their source is this kernel."""
    own = own_source()
    return lambda channel, data: receive(channel, data, own)


def others_history(patterns: list[str]) -> list[tuple[str, Any, Any, dict[str, Any]]]:
    """(channel, data, id, source) of the events the server holds for `patterns` that other
    publishers pushed, oldest first; none outside a kernel (this process's own pushes could not
    be told apart from the ones it remembers) or without a server."""
    me = own_kernel_id()
    if me is None:
        return []
    from urllib.parse import urlencode

    from ..client.discovery import find_server
    from ..client.rest import call

    try:
        query = urlencode([*(("channel", p) for p in patterns), ("limit", SERVER_HISTORY)])
        events = call(find_server(), "GET", "history?" + query)["events"]
    except Exception as e:  # no server, or an old one: local pushes only, as before
        log.debug("widgets start without the server's history: %s", e)
        return []
    found = []
    for event in events:
        channel, data, source = event_fields(event)
        if channel is not None and source.get("kernel") != me:
            found.append((channel, data, event.get("id"), source))
    return found


def own_source() -> dict[str, Any]:
    """This process's source for its own pushes (`{"kernel", "path"}`). The server records the
    notebook's path relative to its root; a kernel does not know that root, but runs in its
    notebook's folder: an absolute path there is shown relative to it (the notebook's name)."""
    from ..client.identity import kernel_source

    source = kernel_source()
    path = source.get("path")
    if isinstance(path, str) and os.path.isabs(path):
        relative = os.path.relpath(path)
        if not relative.startswith(".."):
            source["path"] = relative.replace(os.sep, "/")
    return source


def own_kernel_id() -> str | None:
    """This kernel's id as push() reports it in `source.kernel`, or None outside a kernel."""
    from ..client.identity import kernel_source

    kernel = kernel_source().get("kernel")
    return kernel if isinstance(kernel, str) else None


def event_fields(event: Any) -> tuple[str | None, Any, dict[str, Any]]:
    """(channel, data, source) of a subscribed event (a dict or an object); the source is {}
    when the server recorded none."""
    get = event.get if isinstance(event, dict) else lambda k: getattr(event, k, None)
    source = get("source")
    return get("channel"), get("data"), source if isinstance(source, dict) else {}


class Member:
    """One binding's place in the feed: what it matches, where its events go, and the id of
    the last event it got per channel (a pattern added for another widget makes the server
    send that channel's retained value again: this one has it already)."""

    __slots__ = ("last_ids", "matches", "patterns", "receive", "sourced")

    def __init__(self, patterns: list[str], matches: PatternSet,
                 receive: Receive | SourcedReceive, sourced: bool = False):
        self.patterns, self.matches, self.receive = patterns, matches, receive
        self.sourced = sourced  # `receive` takes the event's source too
        self.last_ids: dict[str, Any] = {}


class Feed:
    """The process's one subscription for widgets, opened with the first remote binding and
    closed with the last. Patterns are counted: a pattern leaves the subscription when no
    widget needs it any more."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._members: list[Member] = []
        self._counts: dict[str, int] = {}
        self._subscription: Any = None
        self._me: str | None = None

    @property
    def following(self) -> bool:
        """The subscription is open (a server was found)."""
        return self._subscription is not None

    def join(self, patterns: list[str], matches: PatternSet, receive: Receive | SourcedReceive,
             seen: dict[str, Any] | None = None, *, sourced: bool = False) -> Member | None:
        """Add a binding; None when no server can be followed (local pushes only). `seen`:
        the last event id per channel the binding already has (from the server's history)."""
        member = Member(patterns, matches, receive, sourced)
        member.last_ids.update(seen or {})
        with self._lock:
            self._members = [*self._members, member]
            for p in patterns:
                self._counts[p] = self._counts.get(p, 0) + 1
            subscription = self._subscription
            if subscription is None:
                subscription = self._subscription = self._open(list(self._counts))
                if subscription is None:
                    self._members = [m for m in self._members if m is not member]
                    self._uncount(patterns)
                    return None
                return member
        subscription.add(patterns)  # the server sends these patterns' retained values
        return member

    def leave(self, member: Member) -> None:
        with self._lock:
            self._members = [m for m in self._members if m is not member]
            gone = self._uncount(member.patterns)
            subscription, last = self._subscription, not self._members
            if last:
                self._subscription = None
        if subscription is None:
            return
        if last:
            subscription.close()
        elif gone:
            subscription.remove(gone)

    def _uncount(self, patterns: list[str]) -> list[str]:
        gone = []
        for p in patterns:
            left = self._counts.get(p, 0) - 1
            if left > 0:
                self._counts[p] = left
            else:
                self._counts.pop(p, None)
                gone.append(p)
        return gone

    def _open(self, patterns: list[str]) -> Any:
        try:
            from .. import subscribe
        except ImportError:
            return None
        try:
            subscription = subscribe(*patterns)
        except Exception as e:
            log.debug("widgets show local pushes only: %s", e)
            return None
        self._me = own_kernel_id()
        threading.Thread(target=self._follow, args=(subscription,),
                         name="jupyter_push-widget-feed", daemon=True).start()
        return subscription

    def _follow(self, subscription: Any) -> None:
        # A server that cannot be reached is not the notebook's problem: no traceback in the
        # cell's output, the widgets just keep showing local pushes.
        try:
            for event in subscription:
                self.dispatch(event)
        except Exception as e:
            log.debug("widgets show local pushes only: %s", e)
        with self._lock:
            if self._subscription is subscription:
                self._subscription = None

    def dispatch(self, event: Any) -> None:
        """Hand an event from the server to every binding it matches, once each."""
        channel, data, source = event_fields(event)
        if channel is None:
            return
        if self._me is not None and source.get("kernel") == self._me \
                and not channel.startswith("$kernels/"):
            return  # this kernel's own push, seen locally (its state comes from the server)
        event_id = event.get("id") if isinstance(event, dict) else getattr(event, "id", None)
        for member in self._members:
            if not member.matches(channel):
                continue
            if event_id is not None:
                if member.last_ids.get(channel) == event_id:
                    continue
                member.last_ids[channel] = event_id
            if member.sourced:
                member.receive(channel, data, source)  # type: ignore[call-arg]
            else:
                member.receive(channel, data)  # type: ignore[call-arg]


FEED = Feed()
