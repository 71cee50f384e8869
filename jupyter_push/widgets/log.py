"""`Log`: the last lines pushed to one channel, scrolling."""

from __future__ import annotations

from collections import deque
from typing import Any

import traitlets as t

from ..static_html import MAX_LOG_LINES, as_text, lines_body
from ._base import ChannelWidget, view_module


class Log(ChannelWidget):
    """Scrolling lines pushed to `channel`; keeps the last `max_lines`."""

    _esm = view_module("log.js")

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
        self._pending: deque[Any] = deque(maxlen=max_lines)
        super().__init__(channel, description=description, remote=remote,
                         max_lines=max_lines, **kwargs)

    def _fallback_body(self) -> tuple[str, str]:
        return "log", lines_body(self.lines)

    def _fallback_text(self) -> str:
        return "\n".join([f"{self.title}:", *self.lines[-MAX_LOG_LINES:]])

    def _store(self, channel: str, data: Any) -> None:
        self._pending.append(data)

    def _apply(self) -> None:
        new: list[str] = []
        while self._pending:
            new.extend(as_text(self._pending.popleft()).splitlines() or [""])
        lines = (self.lines + new)[-self.max_lines :]
        self._state_bytes = sum(len(line) for line in lines)
        self.lines = lines
