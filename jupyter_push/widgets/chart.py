"""`Chart`: a line chart of the numbers pushed to one channel, or to every channel a pattern
matches (one series per channel: several runs on one chart)."""

from __future__ import annotations

from collections import deque
from typing import Any

import traitlets as t

from ..channels import is_wildcard
from ..runs import runs_pattern, series_name
from ..static_html import chart_body, chart_text
from ._base import ChannelWidget, view_module
from ._kinds import chart_samples

BYTES_PER_POINT = 24


class Chart(ChannelWidget):
    """A line chart of the numbers pushed to `channel`, last `max_points` per series.

    A number is one point of the series "value"; a dict such as `{"loss": 0.3, "acc": 0.9}` adds
    a point to each series. The x coordinate counts pushes, or is the dict's "step" if present.

    Compare runs: bound to a pattern (`Chart("runs/*/loss")`, or `Chart("loss", run="*")`) it
    draws a series per matching channel, named by what the wildcards matched (the run), its x
    counting that channel's own pushes. `run="lr=1e-3"` alone binds to that run's channel,
    `runs/lr_1e-3/loss`.
    """

    _esm = view_module("chart.js")

    series = t.Dict().tag(sync=True)  # name -> [[x, y], ...]
    max_points = t.Int(500).tag(sync=True)
    height = t.Int(220).tag(sync=True)

    def __init__(
        self,
        channel: str | None = None,
        *,
        run: str | None = None,
        max_points: int = 500,
        description: str | None = None,
        remote: bool = True,
        **kwargs: Any,
    ):
        if run is not None:
            channel = runs_pattern(channel or "value", run)
        self._overlay = channel if channel and is_wildcard(channel) else None
        self._counts: dict[str, int] = {}
        self._pending: dict[str, deque[tuple[int, Any]]] = {}  # per channel
        self._points: dict[str, deque[tuple[float, float]]] = {}
        super().__init__(channel, description=description, remote=remote,
                         max_points=max_points, **kwargs)

    def overlay(self, pattern: str) -> None:
        """Draw every channel matching `pattern` as its own series (a Dashboard's overlay)."""
        self._overlay = pattern

    def _fallback_body(self) -> tuple[str, str]:
        return "chart", chart_body(self.series)

    def _fallback_text(self) -> str:
        return f"{self.title}: {chart_text(self.series)}"

    def _store(self, channel: str, data: Any) -> None:
        key = channel if self._overlay else ""
        count = self._counts[key] = self._counts.get(key, 0) + 1
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = deque(maxlen=self.max_points)
        pending.append((count, data))

    def _apply(self) -> None:
        for channel, pending in tuple(self._pending.items()):
            run = series_name(self._overlay, channel) if self._overlay else ""
            while pending:
                x, data = pending.popleft()
                for key, point in chart_samples(x, data).items():
                    name = (run if key == "value" else f"{run} {key}") if run else key
                    if name not in self._points:
                        self._points[name] = deque(maxlen=self.max_points)
                    self._points[name].append(point)
        series = {name: [list(p) for p in pts] for name, pts in self._points.items()}
        self._state_bytes = BYTES_PER_POINT * sum(len(p) for p in series.values())
        self.series = series
