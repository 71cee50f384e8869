"""In-process delivery: listeners in this Python process (widgets) see every push() at once,
with or without a server."""

from __future__ import annotations

import logging
from typing import Any, Callable

from ..events import PatternSet

Listener = Callable[[str, Any], None]
log = logging.getLogger("jupyter_push")

_listeners: list[tuple[PatternSet, Listener]] = []


def add_listener(
    patterns: PatternSet | list[str] | tuple[str, ...], callback: Listener
) -> Callable[[], None]:
    """Call `callback(channel, data)` for every push() in this process matching `patterns`.
    Returns a function that removes the listener."""
    entry = (patterns if isinstance(patterns, PatternSet) else PatternSet(list(patterns)), callback)
    _listeners.append(entry)

    def remove() -> None:
        try:
            _listeners.remove(entry)
        except ValueError:
            pass

    return remove


def has_listeners() -> bool:
    return bool(_listeners)


def dispatch(channel: str, data: Any) -> None:
    for patterns, callback in tuple(_listeners):
        if patterns(channel):
            try:
                callback(channel, data)
            except Exception:  # a broken listener must not break push()
                log.exception("jupyter_push listener %r failed", callback)
