"""`Label`: the latest value pushed to one channel, as text."""

from __future__ import annotations

from typing import Any

import traitlets as t

from ..static_html import as_text, text_body
from ._base import ChannelWidget, view_module


class Label(ChannelWidget):
    """The latest value pushed to `channel`, as text (strings as they are, the rest as JSON)."""

    _esm = view_module("label.js")

    value = t.Unicode("").tag(sync=True)
    _latest: Any = None

    def _fallback_body(self) -> tuple[str, str]:
        return "json", text_body(self.value)

    def _fallback_text(self) -> str:
        return f"{self.title}: {self.value}"

    def _store(self, channel: str, data: Any) -> None:
        self._latest = data

    def _apply(self) -> None:
        self.value = as_text(self._latest)
