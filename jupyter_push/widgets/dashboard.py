"""`Dashboard`: a widget per channel matching a pattern, each added as its channel appears."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

import ipywidgets

from ..channels import PatternSet, check_pattern
from ..tile_rules import TILE_KINDS
from ._base import ChannelSink
from ._fallback import FALLBACKS, StaticFallback
from ._kinds import Kind, widget_for_tile, widget_kind
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


class Dashboard(StaticFallback, ipywidgets.VBox, ChannelSink):
    """A widget per channel matching `pattern`, added as each channel appears: a progress bar
    for `{"value", "total"}` (and numbers on a channel named like "progress"), a chart for
    numbers and dicts of numbers, a log for strings on a channel named like "log", a label for
    anything else (the tile rules every front end shares, `jupyter_push.tile_rules`).

    `kinds={"train/lr": "chart"}` picks the tile of a channel instead ("progress", "chart",
    "number", "log", "table", "image", "json"), as "Show as…" does in the widget.

    `overlays=["runs/*/loss"]` compares runs: one chart per pattern with a series per matching
    channel, named by the run (as the viewer's `?overlay=`); those channels get no widget of
    their own."""

    def __init__(
        self,
        pattern: str | list[str] = "**",
        *,
        remote: bool = True,
        kinds: dict[str, str] | None = None,
        overlays: list[str] | None = None,
        **kwargs: Any,
    ):
        unknown = {k: v for k, v in (kinds or {}).items() if v not in TILE_KINDS}
        if unknown:
            raise ValueError(
                f"unknown tile kind(s) {unknown}; choose from {', '.join(TILE_KINDS)}"
            )
        super().__init__(**kwargs)
        self._kinds = dict(kinds or {})
        self.add_class("jp-push-dashboard")
        self._by_channel: dict[str, Any] = {}
        self._new: dict[str, deque[Any]] = {}
        self._new_lock = threading.Lock()
        self._overlays: list[tuple[PatternSet, Chart]] = []
        for overlay in overlays or []:
            chart = Chart(None, description=overlay)
            chart.channel = check_pattern(overlay)
            chart.overlay(overlay)
            self._overlays.append((PatternSet([overlay]), chart))
        if self._overlays:
            self.children = tuple(chart for _, chart in self._overlays)
        patterns = [pattern] if isinstance(pattern, str) else list(pattern)
        self._start([*patterns, *(p for p in overlays or [] if p not in patterns)], remote=remote)

    @property
    def channels(self) -> dict[str, Any]:
        """The widget shown for each channel, in order of appearance."""
        return dict(self._by_channel)

    def _store(self, channel: str, data: Any) -> None:
        overlaid = False
        for matches, chart in self._overlays:
            if matches(channel):
                chart._receive(channel, data)
                overlaid = True
        if overlaid:
            return
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
                chosen = self._kinds.get(channel)
                widget = widget_for_tile(chosen) if chosen else widget_kind(channel, early[0])
                child = _KINDS[widget](channel=None, description=channel)
                child.channel = channel
                child.kind = chosen or ""
                for data in early:
                    child._receive(channel, data)
                self._by_channel[channel] = child
                added.append(child)
        if added:
            shown: tuple[Any, ...] = tuple(self.children)
            self.children = (*shown, *added)
            for child in added:
                child.flush()

    def __repr__(self) -> str:  # the widget output's text, where no widget can be drawn
        return f"Dashboard({', '.join(map(repr, self._binding.patterns if self._binding else []))})"

    def _fallback_cards(self) -> list[str]:
        return [html for child in self._shown() for html in child._fallback_cards()]

    def _fallback_text(self) -> str:
        return "\n".join(child._fallback_text() for child in self._shown()) or "no channels yet"

    def state_version(self) -> int:
        return self._applied + sum(child.state_version() for child in self._shown())

    def _shown(self) -> list[Any]:
        return [c for c in self.children if isinstance(c, StaticFallback)]

    def close(self) -> None:
        FALLBACKS.discard(self)
        self._unbind()
        for child in [*self._by_channel.values(), *(chart for _, chart in self._overlays)]:
            child.close()
        super().close()
