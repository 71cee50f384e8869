"""What every channel widget shares: cheap receive, conflated flush, binding, close; and
`ChannelWidget`, the base of the widgets that show one channel."""

from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager, nullcontext
from importlib.resources import files
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from ..channels import check_pattern
from ..static_html import card
from ..tiles_bundle import bundle
from ._binding import Binding
from ._fallback import FALLBACKS, StaticFallback
from ._flusher import FLUSHER


def static(name: str) -> str:
    return files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def view_module(name: str) -> str:
    """A widget's front end (`static/NAME`) joined with the tile library it draws with."""
    return bundle(Path(str(files(__package__).joinpath("static", name))))


class ChannelSink:
    """Mixin for an ipywidgets class. Subclasses implement `_store(channel, data)` (runs in the
    pushing thread: keep it to a few attribute writes) and `_apply()` (sets the traits)."""

    _dirty = False
    _applied = 0  # how many times the state was applied (the static fallback redraws after)
    _last_sent = 0.0
    _state_bytes = 0
    _binding: Binding | None = None

    def _start(self, patterns: list[str] | None, *, remote: bool, sourced: bool = False) -> None:
        """Bind to `patterns`; with `sourced`, events arrive with their source
        (`_receive_sourced`)."""
        self._flush_lock = threading.Lock()
        FLUSHER.add(self)
        if patterns:
            for pattern in patterns:
                check_pattern(pattern)
            receive = self._receive_sourced if sourced else self._receive
            self._binding = Binding(patterns, receive, remote=remote, sourced=sourced)

    @property
    def remote(self) -> bool:
        """Whether events published outside this kernel reach this widget (a server was found)."""
        return self._binding is not None and self._binding.remote

    def _receive(self, channel: str, data: Any) -> None:
        self._store(channel, data)
        if not self._dirty:
            self._dirty = True
            FLUSHER.wake()

    def _receive_sourced(self, channel: str, data: Any, source: dict[str, Any]) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Send the pending state now."""
        with self._flush_lock:
            if not self._dirty:
                return
            self._dirty = False
            self._last_sent = time.monotonic()
            with self._hold():
                self._apply()
            self._applied += 1

    def _hold(self) -> AbstractContextManager[Any]:
        hold = getattr(self, "hold_sync", None)
        return hold() if hold is not None else nullcontext()

    def _unbind(self) -> None:
        FLUSHER.discard(self)
        FALLBACKS.discard(self)  # type: ignore[arg-type]
        if self._binding is not None:
            self._binding.close()
            self._binding = None

    def _store(self, channel: str, data: Any) -> None:
        raise NotImplementedError

    def _apply(self) -> None:
        raise NotImplementedError


class ChannelWidget(StaticFallback, anywidget.AnyWidget, ChannelSink):
    """An anywidget showing one channel: the `channel`, `kind` and `description` traits, the
    binding made at construction, and its undoing in `close()`. A subclass sets `_esm`, its
    own traits, and whatever `_store` needs before calling `super().__init__`; and draws its
    static fallback (`_fallback_body()`, `_fallback_text()`; see _fallback.py)."""

    _css = static("widgets.css")

    channel = t.Unicode("").tag(sync=True)
    kind = t.Unicode("").tag(sync=True)  # the tile chosen in "Show as…" ("" = the widget's own)
    description = t.Unicode("").tag(sync=True)

    def __init__(self, channel: str | None = None, *, description: str | None = None,
                 remote: bool = True, **kwargs: Any):
        super().__init__(
            channel=channel or "",
            description=(channel or "") if description is None else description,
            **kwargs,
        )
        self._start([channel] if channel else None, remote=remote)

    def __repr__(self) -> str:  # the widget output's text, where no widget can be drawn
        return f"{type(self).__name__}({self.channel!r})"

    @property
    def title(self) -> str:
        """What the widget's card is headed with: its description, else its channel."""
        return str(self.description or self.channel)

    def _fallback_cards(self) -> list[str]:
        kind, body = self._fallback_body()
        return [card(self.title, kind, body)]

    def _fallback_body(self) -> tuple[str, str]:
        """(tile kind, HTML body) of the static fallback."""
        raise NotImplementedError

    def close(self) -> None:
        self._unbind()
        super().close()
