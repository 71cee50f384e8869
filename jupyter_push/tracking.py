"""`track(iterable, channel)`: a tqdm-like wrapper that pushes progress to a channel.

Per iteration it only counts and reads the clock; it pushes `{"value", "total", "rate", "eta",
"elapsed"}` at most every `interval` seconds, plus once at the start and once at the end, so the
final count is always published exactly. With `run=NAME` it pushes to `runs/NAME/<channel>`
(runs.py), where a tile bound to `runs/*/<channel>` shows every run's bar side by side.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from .runs import run_channel

T = TypeVar("T")


class RateMeter:
    """Items per second, smoothed (exponential moving average, like tqdm's `smoothing=0.3`)."""

    __slots__ = ("_last_n", "_last_t", "rate", "smoothing")

    def __init__(self, n: float = 0, t: float = 0.0, smoothing: float = 0.3):
        self._last_n = n
        self._last_t = t
        self.smoothing = smoothing
        self.rate: float | None = None

    def update(self, n: float, t: float) -> float | None:
        dt = t - self._last_t
        if dt <= 0 or n < self._last_n:
            if n < self._last_n:  # the count restarted: a new run on the same channel
                self._last_n, self._last_t, self.rate = n, t, None
            return self.rate
        sample = (n - self._last_n) / dt
        self.rate = sample if self.rate is None else (
            self.smoothing * sample + (1 - self.smoothing) * self.rate
        )
        self._last_n, self._last_t = n, t
        return self.rate


def eta(value: float, total: float | None, rate: float | None) -> float | None:
    """Seconds left, or None when unknown."""
    if total is None or not rate or rate <= 0:
        return None
    return max(0.0, (total - value) / rate)


def progress_event(
    value: int, total: int | None, rate: float | None, elapsed: float
) -> dict[str, Any]:
    return {
        "value": value,
        "total": total,
        "rate": None if rate is None else round(rate, 3),
        "eta": None if (left := eta(value, total, rate)) is None else round(left, 3),
        "elapsed": round(elapsed, 3),
    }


def track(
    iterable: Iterable[T],
    channel: str = "progress",
    total: int | None = None,
    *,
    interval: float = 0.05,
    run: str | None = None,
) -> Iterator[T]:
    """Iterate over `iterable`, pushing its progress to `channel`.

    `total` defaults to `len(iterable)` when it has one. Progress is pushed at most every
    `interval` seconds and always at the end (also when the loop is left early). `run` names
    the run: the progress goes to `runs/<run>/<channel>` (see `jupyter_push.runs`).
    """
    if run is not None:
        channel = run_channel(channel, run)  # a bad name fails here, not at the first item
    return _tracked(iterable, channel, total, interval)


def _tracked(
    iterable: Iterable[T], channel: str, total: int | None, interval: float
) -> Iterator[T]:
    from . import push

    if total is None:
        try:
            total = len(iterable)  # type: ignore[arg-type]
        except (TypeError, AttributeError):
            total = None
    clock = time.monotonic
    start = clock()
    meter = RateMeter(0, start)
    n = 0
    push(channel, progress_event(0, total, None, 0.0))
    next_push = start + interval
    try:
        for item in iterable:
            yield item
            n += 1
            now = clock()
            if now >= next_push:
                push(channel, progress_event(n, total, meter.update(n, now), now - start))
                next_push = now + interval
    finally:
        now = clock()
        elapsed = now - start
        rate = n / elapsed if elapsed > 0 else meter.rate
        push(channel, progress_event(n, total, rate, elapsed))
        _flush_widgets()


def _flush_widgets() -> None:
    """Show the final count now rather than at the next frame (only if widgets are in use)."""
    widgets = sys.modules.get("jupyter_push.widgets")
    if widgets is not None:
        widgets.flush()
