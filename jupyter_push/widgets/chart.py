"""`Chart`: a line chart of the numbers pushed to one channel."""

from __future__ import annotations

from collections import deque
from typing import Any

import traitlets as t

from ._base import ChannelWidget, view_module
from ._kinds import chart_samples

BYTES_PER_POINT = 24


class Chart(ChannelWidget):
    """A line chart of the numbers pushed to `channel`, last `max_points` per series.

    A number is one point of the series "value"; a dict such as `{"loss": 0.3, "acc": 0.9}` adds
    a point to each series. The x coordinate counts pushes, or is the dict's "step" if present.
    """

    _esm = view_module("chart.js")

    series = t.Dict().tag(sync=True)  # name -> [[x, y], ...]
    max_points = t.Int(500).tag(sync=True)
    height = t.Int(220).tag(sync=True)

    def __init__(
        self,
        channel: str | None = None,
        *,
        max_points: int = 500,
        description: str | None = None,
        remote: bool = True,
        **kwargs: Any,
    ):
        self._count = 0
        self._pending: deque[tuple[int, Any]] = deque(maxlen=max_points)
        self._points: dict[str, deque[tuple[float, float]]] = {}
        super().__init__(channel, description=description, remote=remote,
                         max_points=max_points, **kwargs)

    def _store(self, channel: str, data: Any) -> None:
        self._count += 1
        self._pending.append((self._count, data))

    def _apply(self) -> None:
        while self._pending:
            x, data = self._pending.popleft()
            for name, point in chart_samples(x, data).items():
                if name not in self._points:
                    self._points[name] = deque(maxlen=self.max_points)
                self._points[name].append(point)
        series = {name: [list(p) for p in pts] for name, pts in self._points.items()}
        self._state_bytes = BYTES_PER_POINT * sum(len(p) for p in series.values())
        self.series = series
