"""In-process delivery: listeners in this Python process (widgets) see every push() at once,
with or without a server."""

from __future__ import annotations

import logging
from typing import Any, Callable

from ..channels import PatternSet

Listener = Callable[[str, Any], None]
log = logging.getLogger("jupyter_push")

# Listeners on exact channel names are found by name, so push() costs the same however many
# widgets are bound; listeners with wildcards are matched one by one.
_exact: dict[str, list[Listener]] = {}
_wild: list[tuple[PatternSet, Listener]] = []


def add_listener(
    patterns: PatternSet | list[str] | tuple[str, ...], callback: Listener
) -> Callable[[], None]:
    """Call `callback(channel, data)` for every push() in this process matching `patterns`.
    Returns a function that removes the listener."""
    ps = patterns if isinstance(patterns, PatternSet) else PatternSet(list(patterns))
    if ps.exact_only:
        names = list(ps.exact)
        for name in names:
            _exact.setdefault(name, []).append(callback)

        def remove() -> None:
            for name in names:
                callbacks = _exact.get(name, [])
                if callback in callbacks:
                    callbacks.remove(callback)
                if not callbacks:
                    _exact.pop(name, None)

        return remove
    entry = (ps, callback)
    _wild.append(entry)

    def remove_wild() -> None:
        if entry in _wild:
            _wild.remove(entry)

    return remove_wild


def dispatch(channel: str, data: Any) -> None:
    callbacks = _exact.get(channel)
    if callbacks:
        for callback in tuple(callbacks):
            _call(callback, channel, data)
    for patterns, callback in tuple(_wild) if _wild else ():
        if patterns(channel):
            _call(callback, channel, data)


def _call(callback: Listener, channel: str, data: Any) -> None:
    try:
        callback(channel, data)
    except Exception:  # a broken listener must not break push()
        log.exception("jupyter_push listener %r failed", callback)
