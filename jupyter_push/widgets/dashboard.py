"""`Dashboard`: a widget per channel matching a pattern, each added as its channel appears,
grouped under the kernel that pushed it as in the JupyterLab panel and the viewer (its front end,
static/dashboard.js, arranges the channel widgets' views with the tile library's groups)."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

import anywidget
import ipywidgets
import traitlets as t

from ..channels import PatternSet, check_pattern
from ..static_html import group
from ..tile_rules import (
    COMPARE_GROUP,
    GROUP_TITLES,
    KERNEL_GROUP,
    OTHER_GROUP,
    TILE_KINDS,
    group_of,
    group_order,
)
from ._base import ChannelSink, static, view_module
from ._binding import Binding
from ._fallback import FALLBACKS, StaticFallback
from ._kinds import Kind, widget_for_tile, widget_kind
from .chart import Chart
from .label import Label
from .log import Log
from .progress import Progress

EARLY_EVENTS_KEPT = 500
KERNEL_STATES = "$kernels/*"  # the server's kernel lifecycle: the groups' header badges
_KINDS: dict[Kind, Any] = {
    "progress": Progress,
    "chart": Chart,
    "log": Log,
    "label": Label,
}


def _cards(widgets: list[Any]) -> list[str]:
    """The static fallback cards of `widgets`, in order."""
    return [html for widget in widgets for html in widget._fallback_cards()]


def widget_ref(widget: ipywidgets.Widget) -> str:
    """How the front end names a child widget to draw (anywidget's widget references)."""
    return f"anywidget:{widget.model_id}"


def publisher(source: dict[str, Any]) -> dict[str, str]:
    """The part of an event's source a channel is grouped by: its kernel and notebook."""
    return {k: v for k in ("kernel", "path") if isinstance(v := source.get(k), str) and v}


def kernel_of_state(channel: str) -> str | None:
    """The kernel whose state `channel` is (`$kernels/<id>`), or None for any other channel."""
    if channel.startswith("$kernels/") and channel.count("/") == 1:
        return channel[len("$kernels/"):]
    return None


class Dashboard(StaticFallback, anywidget.AnyWidget, ChannelSink):
    """A widget per channel matching `pattern`, added as each channel appears: a progress bar
    for `{"value", "total"}` (and numbers on a channel named like "progress"), a chart for
    numbers and dicts of numbers, a log for strings on a channel named like "log", a label for
    anything else (the tile rules every front end shares, `jupyter_push.tile_rules`).

    `kinds={"train/lr": "chart"}` picks the tile of a channel instead ("progress", "chart",
    "number", "log", "table", "image", "json"), as "Show as…" does in the widget.

    `overlays=["runs/*/loss"]` compares runs: one chart per pattern with a series per matching
    channel, named by the run (as the viewer's `?overlay=`); those channels get no widget of
    their own.

    Its channels are grouped as in the JupyterLab panel and the viewer: under the kernel that
    pushed each channel's latest value (headed by its notebook), comparisons first ("Compared"),
    channels published over HTTP or the CLI under "Other channels". With a server, each kernel's
    header shows its state (`$kernels/<id>`: idle, busy, dead with the reason), and a dead
    kernel's group can be dismissed (kept in `dismissed` until the kernel runs again)."""

    _esm = view_module("dashboard.js")
    _css = static("widgets.css")

    # what the front end draws, in order: {"widget": widget_ref, "channel", "overlay", "source"}
    tiles = t.List(t.Dict()).tag(sync=True)
    # kernel id -> its latest `$kernels/<id>` state (the header of that kernel's group)
    kernels = t.Dict().tag(sync=True)
    # the groups the user dismissed in a view (dead kernels'), until their kernel runs again:
    # kept with the widget, so every view of it and its static fallback leave them out
    dismissed = t.List(t.Unicode()).tag(sync=True)
    _states: Binding | None = None

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
        # the kernel and notebook of each channel's latest event (set in the pushing thread)
        self._sources: dict[str, dict[str, str]] = {}
        # (not `_<trait>_changed`: traitlets takes such names for its old-style observers)
        self._sources_dirty = False
        self._kernel_states: dict[str, Any] = {}
        self._kernels_dirty = False
        self._new: dict[str, deque[Any]] = {}
        self._new_lock = threading.Lock()
        self._overlays: list[tuple[PatternSet, Chart]] = []
        for overlay in overlays or []:
            chart = Chart(None, description=overlay)
            chart.channel = check_pattern(overlay)
            chart.overlay(overlay)
            self._overlays.append((PatternSet([overlay]), chart))
        self._show_tiles()
        patterns = [pattern] if isinstance(pattern, str) else list(pattern)
        self._patterns = [*patterns, *(p for p in overlays or [] if p not in patterns)]
        self._start(self._patterns, remote=remote, sourced=True)
        # the kernels' states: their retained latest only (no history, which would crowd out
        # the channels' own in the server's answer)
        self._states = Binding([KERNEL_STATES], self._receive, remote=True, history=False) \
            if remote else None

    @property
    def channels(self) -> dict[str, Any]:
        """The widget shown for each channel, in order of appearance."""
        return dict(self._by_channel)

    @property
    def children(self) -> tuple[Any, ...]:
        """Every widget the dashboard shows: its comparisons, then a widget per channel."""
        return (*(chart for _, chart in self._overlays), *self._by_channel.values())

    def _receive_sourced(self, channel: str, data: Any, source: dict[str, Any]) -> None:
        kernel, path = source.get("kernel"), source.get("path")
        known = self._sources.get(channel)
        if known is None or known.get("kernel") != kernel or known.get("path") != path:
            self._sources[channel] = publisher(source)
            self._sources_dirty = True
        self._receive(channel, data)

    def _store(self, channel: str, data: Any) -> None:
        kernel = kernel_of_state(channel)
        if kernel is not None:
            self._kernel_states[kernel] = data
            self._kernels_dirty = True
            return
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
            for child in added:
                child.flush()
        if added or self._sources_dirty:
            self._show_tiles()
        if self._kernels_dirty:
            self._kernels_dirty = False
            self.kernels = dict(self._kernel_states)
            running = [key for key in self.dismissed if self._kernel_runs(key)]
            if running:  # back on the board
                self.dismissed = [key for key in self.dismissed if key not in running]

    def _kernel_runs(self, key: str) -> bool:
        state = self._kernel_states.get(key.removeprefix(KERNEL_GROUP))
        return isinstance(state, dict) and state.get("state") not in (None, "dead")

    @t.observe("dismissed")
    def _dismissed_changed(self, _change: Any) -> None:
        self._applied += 1  # the static fallback leaves the group out at the next cell's end

    def _show_tiles(self) -> None:
        self._sources_dirty = False
        sources = dict(self._sources)
        overlays = [(chart, True) for _, chart in self._overlays]
        channels = [(child, False) for child in self._by_channel.values()]
        self.tiles = [
            {"widget": widget_ref(w), "channel": w.channel, "overlay": overlay,
             "source": {} if overlay else sources.get(w.channel, {})}
            for w, overlay in [*overlays, *channels]
        ]

    def __repr__(self) -> str:  # the widget output's text, where no widget can be drawn
        return f"Dashboard({', '.join(map(repr, self._patterns))})"

    def _fallback_cards(self) -> list[str]:
        """The cards of its widgets, grouped and ordered as the live view groups them (static
        groups: no dismissing, no folding). With no groups but "Other channels" (no server,
        or only HTTP publishers), the cards alone."""
        groups = self._fallback_groups()
        if list(groups) in ([], [OTHER_GROUP]):
            return [card for _, shown in groups.values() for card in _cards(shown)]
        return [group(key, title, _cards(shown), **self._group_state(key))
                for key, (title, shown) in groups.items()]

    def _fallback_text(self) -> str:
        groups = self._fallback_groups()
        if list(groups) in ([], [OTHER_GROUP]):
            return "\n".join(w._fallback_text() for _, shown in groups.values() for w in shown) \
                or "no channels yet"
        lines = []
        for key, (title, shown) in groups.items():
            state = self._group_state(key)
            lines.append(f"[{title}{' · ' + state['state'] if state else ''}]")
            lines.extend(w._fallback_text() for w in shown)
        return "\n".join(lines)

    def _fallback_groups(self) -> dict[str, tuple[str, list[Any]]]:
        """Group key -> (heading, the widgets shown in it), in the live view's order:
        comparisons, kernels by notebook, notifications, other channels, system; the groups
        the user dismissed left out."""
        found: dict[str, list[Any]] = {}
        if self._overlays:
            found[COMPARE_GROUP] = [chart for _, chart in self._overlays]
        notebooks: dict[str, str] = {}
        for channel, child in self._by_channel.items():
            source = self._sources.get(channel, {})
            key = group_of(channel, source)
            if not isinstance(child, StaticFallback) or key in self.dismissed:
                continue
            found.setdefault(key, []).append(child)
            if key.startswith(KERNEL_GROUP) and source.get("path"):
                notebooks[key] = source["path"]
        for key in found:
            state = self._kernel_states.get(key.removeprefix(KERNEL_GROUP))
            if key.startswith(KERNEL_GROUP) and isinstance(state, dict) and \
                    isinstance(state.get("notebook"), str) and state["notebook"]:
                notebooks.setdefault(key, state["notebook"])

        def title(key: str) -> str:
            if key.startswith(KERNEL_GROUP):
                return notebooks.get(key) or f"kernel {key.removeprefix(KERNEL_GROUP)[:8]}"
            return GROUP_TITLES[key]

        ordered = sorted(found, key=lambda key: group_order(key, notebooks.get(key, "")))
        return {key: (title(key), found[key]) for key in ordered}

    def _group_state(self, key: str) -> dict[str, str]:
        """The heading's kernel state (and why it died), as the group header shows it."""
        if not key.startswith(KERNEL_GROUP):
            return {}
        state = self._kernel_states.get(key.removeprefix(KERNEL_GROUP))
        if not isinstance(state, dict) or not isinstance(state.get("state"), str):
            return {}
        reason = state.get("reason")
        return {"state": state["state"], "reason": reason if isinstance(reason, str) else ""}

    def state_version(self) -> int:
        return self._applied + sum(child.state_version() for child in self._shown())

    def _shown(self) -> list[Any]:
        return [c for c in self.children if isinstance(c, StaticFallback)]

    def close(self) -> None:
        FALLBACKS.discard(self)
        self._unbind()
        if self._states is not None:
            self._states.close()
            self._states = None
        for child in [*self._by_channel.values(), *(chart for _, chart in self._overlays)]:
            child.close()
        super().close()
