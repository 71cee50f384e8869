"""Conflation: pushes only store the latest state and mark a widget dirty; one background
thread sends dirty widgets at most ~30 times a second, and the end of every cell sends whatever
is still pending, so the final value is always shown exactly."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, Protocol

from ._throttle import min_interval, next_send_at

log = logging.getLogger("jupyter_push")


class Sink(Protocol):
    _dirty: bool
    _last_sent: float
    _state_bytes: int

    def flush(self) -> None: ...


class Flusher:
    def __init__(self) -> None:
        self._sinks: set[Sink] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._hooked_shell: object | None = None

    def add(self, sink: Sink) -> None:
        with self._lock:
            self._sinks.add(sink)
        self._ensure_running()
        self._hook_cell_end()

    def discard(self, sink: Sink) -> None:
        with self._lock:
            self._sinks.discard(sink)

    def wake(self) -> None:
        self._wake.set()

    def flush_all(self, *_: object) -> None:
        """Send every pending state now (cell end, end of a tracked loop, explicit flush())."""
        for sink in self._snapshot():
            _safe_flush(sink)

    def flush_due(self, now: float) -> float | None:
        """Send the dirty widgets whose interval has passed; seconds until the next is due."""
        sinks = self._snapshot()
        dirty = [s for s in sinks if s._dirty]
        next_due: float | None = None
        for sink in dirty:
            due = next_send_at(sink._last_sent, now, min_interval(len(dirty), sink._state_bytes))
            if due <= now:
                _safe_flush(sink)
            else:
                next_due = due if next_due is None else min(next_due, due)
        return None if next_due is None else next_due - now

    def _snapshot(self) -> list[Sink]:
        with self._lock:
            return list(self._sinks)

    def _run(self) -> None:
        timeout: float | None = None
        while True:
            self._wake.wait(timeout)
            self._wake.clear()
            timeout = self.flush_due(time.monotonic())

    def _ensure_running(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name="jupyter_push-widgets", daemon=True
            )
            self._thread.start()

    def _hook_cell_end(self) -> None:
        self._hooked_shell = on_cell_end(self.flush_all, self._hooked_shell)


def on_cell_end(callback: Callable[..., Any], hooked: object | None) -> object | None:
    """Register `callback` for IPython's `post_run_cell` once per shell: returns the shell it
    is registered with (`hooked` when there is no new shell to register with)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return hooked
    shell = get_ipython()
    if shell is None or shell is hooked:
        return hooked
    shell.events.register("post_run_cell", callback)
    return shell


def _safe_flush(sink: Sink) -> None:
    try:
        sink.flush()
    except Exception:  # one broken widget must not stop the others
        log.exception("jupyter_push widget %r failed to update", sink)


FLUSHER = Flusher()
