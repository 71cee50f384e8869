"""`Label`: the latest value pushed to one channel, as text."""

from __future__ import annotations

from typing import Any

import traitlets as t

from ._base import ChannelWidget, view_module
from ._kinds import as_text


class Label(ChannelWidget):
    """The latest value pushed to `channel`, as text (strings as they are, the rest as JSON)."""

    _esm = view_module("label.js")

    value = t.Unicode("").tag(sync=True)
    _latest: Any = None

    def _store(self, channel: str, data: Any) -> None:
        self._latest = data

    def _apply(self) -> None:
        self.value = as_text(self._latest)
