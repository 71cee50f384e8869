from __future__ import annotations

from typing import Any

import anywidget
import traitlets as t

from ._base import ChannelSink, static, view_module
from ._kinds import as_text


class Label(anywidget.AnyWidget, ChannelSink):
    """The latest value pushed to `channel`, as text (strings as they are, the rest as JSON)."""

    _esm = view_module("label.js")
    _css = static("widgets.css")

    channel = t.Unicode("").tag(sync=True)
    kind = t.Unicode("").tag(sync=True)  # the tile chosen in "Show as…" ("" = the widget's own)
    description = t.Unicode("").tag(sync=True)
    value = t.Unicode("").tag(sync=True)

    def __init__(
        self,
        channel: str | None = None,
        *,
        description: str | None = None,
        remote: bool = True,
        **kwargs: Any,
    ):
        super().__init__(
            channel=channel or "",
            description=(channel or "") if description is None else description,
            **kwargs,
        )
        self._latest: Any = None
        self._start([channel] if channel else None, remote=remote)

    def _store(self, channel: str, data: Any) -> None:
        self._latest = data

    def _apply(self) -> None:
        self.value = as_text(self._latest)

    def close(self) -> None:
        self._unbind()
        super().close()
