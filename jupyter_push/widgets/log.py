from __future__ import annotations

from collections import deque
from typing import Any

import anywidget
import traitlets as t

from ._base import ChannelSink, static, view_module
from ._kinds import as_text


class Log(anywidget.AnyWidget, ChannelSink):
    """Scrolling lines pushed to `channel`; keeps the last `max_lines`."""

    _esm = view_module("log.js")
    _css = static("widgets.css")

    channel = t.Unicode("").tag(sync=True)
    kind = t.Unicode("").tag(sync=True)  # the tile chosen in "Show as…" ("" = the widget's own)
    description = t.Unicode("").tag(sync=True)
    lines = t.List(t.Unicode()).tag(sync=True)
    max_lines = t.Int(200).tag(sync=True)
    height = t.Unicode("12em").tag(sync=True)

    def __init__(
        self,
        channel: str | None = None,
        *,
        max_lines: int = 200,
        description: str | None = None,
        remote: bool = True,
        **kwargs: Any,
    ):
        super().__init__(
            channel=channel or "",
            description=(channel or "") if description is None else description,
            max_lines=max_lines,
            **kwargs,
        )
        self._pending: deque[Any] = deque(maxlen=max_lines)
        self._start([channel] if channel else None, remote=remote)

    def _store(self, channel: str, data: Any) -> None:
        self._pending.append(data)

    def _apply(self) -> None:
        new: list[str] = []
        while self._pending:
            new.extend(as_text(self._pending.popleft()).splitlines() or [""])
        lines = (self.lines + new)[-self.max_lines :]
        self._state_bytes = sum(len(line) for line in lines)
        self.lines = lines

    def close(self) -> None:
        self._unbind()
        super().close()
