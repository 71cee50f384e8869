"""Binding a widget to channels: pushes in this process arrive directly (local listener);
pushes from elsewhere (another kernel, a script, the CLI, HTTP) arrive via a subscription to the
server, minus the events this kernel published itself, which were already seen locally.

Like the server's retained values, this process remembers the latest value of every channel it
pushed since widgets were imported, so a widget made mid-run shows the current state at once,
with or without a server."""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from ..client import local
from ..events import PatternSet

log = logging.getLogger("jupyter_push")
Receive = Callable[[str, Any], None]


_latest: dict[str, Any] = {}


def _remember(channel: str, data: Any) -> None:
    _latest[channel] = data


local.add_listener(["**"], _remember)  # sees every push: keep _remember a dict store


class Binding:
    def __init__(self, patterns: list[str], receive: Receive, *, remote: bool = True):
        self.patterns = patterns
        matches = PatternSet(patterns)
        before = {c: d for c, d in tuple(_latest.items()) if matches(c)}
        for channel, data in before.items():
            receive(channel, data)
        self._remove_local = local.add_listener(matches, receive)
        for channel, data in tuple(_latest.items()):  # pushed by another thread meanwhile
            if matches(channel) and before.get(channel, receive) is not data:
                receive(channel, data)
        self._subscription = subscribe_remote(patterns, receive) if remote else None

    @property
    def remote(self) -> bool:
        return self._subscription is not None

    def close(self) -> None:
        self._remove_local()
        if self._subscription is not None:
            try:
                self._subscription.close()
            except Exception:
                log.debug("closing the widget subscription failed", exc_info=True)
            self._subscription = None


def own_kernel_id() -> str | None:
    """This kernel's id as push() reports it in `source.kernel`, or None outside a kernel."""
    from ..client.publisher import kernel_source

    kernel = kernel_source().get("kernel")
    return kernel if isinstance(kernel, str) else None


def event_fields(event: Any) -> tuple[str | None, Any, str | None]:
    """(channel, data, publishing kernel id) of a subscribed event (a dict or an object)."""
    get = event.get if isinstance(event, dict) else lambda k: getattr(event, k, None)
    source = get("source")
    kernel = source.get("kernel") if isinstance(source, dict) else None
    return get("channel"), get("data"), kernel


def foreign_events(receive: Receive, me: str | None) -> Callable[[Any], None]:
    """A subscription callback passing on the events not published by kernel `me`."""

    def on_event(event: Any) -> None:
        channel, data, kernel = event_fields(event)
        if channel is None or (me is not None and kernel == me):
            return
        receive(channel, data)

    return on_event


def subscribe_remote(patterns: list[str], receive: Receive) -> Any | None:
    """A background subscription feeding `receive`, or None when none can be made (no server:
    the widget then works from this process's pushes alone)."""
    try:
        from .. import subscribe
    except ImportError:
        return None
    try:
        subscription = subscribe(*patterns)
    except Exception as e:
        log.debug("widgets show local pushes only: %s", e)
        return None
    on_event = foreign_events(receive, own_kernel_id())

    def follow() -> None:
        # A server that cannot be reached is not the notebook's problem: no traceback in the
        # cell's output, the widget just keeps showing local pushes.
        try:
            for event in subscription:
                on_event(event)
        except Exception as e:
            log.debug("widgets show local pushes only: %s", e)

    threading.Thread(target=follow, name="jupyter_push-widget-feed", daemon=True).start()
    return subscription
