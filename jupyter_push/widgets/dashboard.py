from __future__ import annotations

import threading
from collections import deque
from typing import Any

import ipywidgets

from ._base import ChannelSink
from ._kinds import Kind, widget_kind
from .chart import Chart
from .label import Label
from .log import Log
from .progress import Progress

EARLY_EVENTS_KEPT = 500
_KINDS: dict[Kind, Any] = {
    "progress": Progress,
    "chart": Chart,
    "log": Log,
    "label": Label,
}


class Dashboard(ipywidgets.VBox, ChannelSink):
    """A widget per channel matching `pattern`, added as each channel appears: a progress bar
    for `{"value", "total"}` (and numbers on a channel named like "progress"), a chart for
    numbers and dicts of numbers, a log for strings on a channel named like "log", a label for
    anything else."""

    def __init__(self, pattern: str | list[str] = "**", *, remote: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        self.add_class("jp-push-dashboard")
        self._by_channel: dict[str, Any] = {}
        self._new: dict[str, deque[Any]] = {}
        self._new_lock = threading.Lock()
        self._start([pattern] if isinstance(pattern, str) else list(pattern), remote=remote)

    @property
    def channels(self) -> dict[str, Any]:
        """The widget shown for each channel, in order of appearance."""
        return dict(self._by_channel)

    def _store(self, channel: str, data: Any) -> None:
        child = self._by_channel.get(channel)
        if child is not None:
            child._receive(channel, data)
            return
        with self._new_lock:
            child = self._by_channel.get(channel)
            if child is None:
                early = self._new.setdefault(channel, deque(maxlen=EARLY_EVENTS_KEPT))
                early.append(data)
        if child is not None:
            child._receive(channel, data)

    def _apply(self) -> None:
        added: list[Any] = []
        with self._new_lock:
            new, self._new = self._new, {}
            for channel, early in new.items():
                child = _KINDS[widget_kind(channel, early[0])](channel=None, description=channel)
                child.channel = channel
                for data in early:
                    child._receive(channel, data)
                self._by_channel[channel] = child
                added.append(child)
        if added:
            shown: tuple[Any, ...] = tuple(self.children)  # type: ignore[has-type]
            self.children = (*shown, *added)
            for child in added:
                child.flush()

    def close(self) -> None:
        self._unbind()
        for child in self._by_channel.values():
            child.close()
        super().close()
