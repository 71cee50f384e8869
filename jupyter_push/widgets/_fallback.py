"""The static fallback of a widget: its current state as plain HTML (and text), shown as a
second output under the live view, so a saved notebook keeps each widget's final value where
widgets do not run (nbconvert HTML, GitHub-style viewers, a notebook reopened without its kernel).

Why a second output and not `text/html` beside the widget view in one bundle: renderers pick
one type per output, and nbconvert picks the widget view whenever the notebook stores widget
state (nbclient and `jupyter nbconvert --execute` do by default), which draws nothing without
the widget scripts from a CDN. A separate output is shown by every renderer; where the live
widget is drawn above it, the widget stylesheet (static/widgets.css) hides it.

How the final value gets into the saved notebook: the fallback is displayed with a
`display_id`, and at the end of every cell (IPython's `post_run_cell`, in the kernel's main
thread, while the cell's request is still the parent of its messages) each displayed widget
whose fallback changed is re-sent with `update_display`. JupyterLab and nbclient apply such an
update to the output wherever it is in the notebook, so the output holds the state as of the
last cell that ran. (Updates from a background thread could land under another request, which
nbclient ignores; events from other kernels after the last cell show at the next cell's end.)
"""

from __future__ import annotations

import logging
import threading
import uuid
import weakref
from typing import Any

from ..static_html import fallback
from ._flusher import on_cell_end

log = logging.getLogger("jupyter_push")


class StaticFallback:
    """Mixin for an ipywidgets class: `_ipython_display_` shows the widget, then its static
    fallback. Subclasses implement `_fallback_cards()` (tile cards as HTML, static_html.py)
    and `_fallback_text()` (the same in words)."""

    _fallback_id: str | None = None
    _fallback_sent: str | None = None
    _fallback_version = -1

    def _ipython_display_(self, **kwargs: Any) -> None:
        from IPython.display import display

        view = self._repr_mimebundle_(**kwargs)  # type: ignore[attr-defined]
        data, metadata = view if isinstance(view, tuple) else (view, None)  # anywidget: a pair
        display(data or {"text/plain": repr(self)}, metadata=metadata, raw=True)
        if self._fallback_id is None:
            self._fallback_id = uuid.uuid4().hex
        FALLBACKS.add(self)
        bundle = self._fallback_bundle()
        display(bundle, raw=True, display_id=self._fallback_id)
        self._fallback_sent = bundle["text/html"]
        self._fallback_version = self.state_version()

    def state_version(self) -> int:
        """Grows whenever the state the fallback is drawn from changes."""
        return int(getattr(self, "_applied", 0))

    def _fallback_bundle(self) -> dict[str, str]:
        return {"text/html": fallback(self._fallback_cards()), "text/plain": self._fallback_text()}

    def refresh_fallback(self) -> None:
        """Re-send the fallback if the state changed since it was last sent."""
        version = self.state_version()
        if self._fallback_id is None or version == self._fallback_version:
            return  # (drawing a chart's fallback takes about a millisecond)
        self._fallback_version = version
        from IPython.display import update_display

        bundle = self._fallback_bundle()
        if bundle["text/html"] != self._fallback_sent:
            update_display(bundle, raw=True, display_id=self._fallback_id)
            self._fallback_sent = bundle["text/html"]

    def _fallback_cards(self) -> list[str]:
        raise NotImplementedError

    def _fallback_text(self) -> str:
        raise NotImplementedError


class Fallbacks:
    """The widgets whose fallback is displayed; refreshed at the end of every cell."""

    def __init__(self) -> None:
        self._widgets: weakref.WeakSet[StaticFallback] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._hooked_shell: object | None = None

    def add(self, widget: StaticFallback) -> None:
        with self._lock:
            self._widgets.add(widget)
        self._hook_cell_end()

    def discard(self, widget: StaticFallback) -> None:
        with self._lock:
            self._widgets.discard(widget)

    def refresh_all(self, *_: object) -> None:
        from ._flusher import FLUSHER

        FLUSHER.flush_all()  # the state the fallbacks are drawn from, exact
        with self._lock:
            widgets = list(self._widgets)
        for widget in widgets:
            try:
                widget.refresh_fallback()
            except Exception:  # one broken widget must not stop the others
                log.exception("jupyter_push widget %r: its static fallback failed", widget)

    def _hook_cell_end(self) -> None:
        self._hooked_shell = on_cell_end(self.refresh_all, self._hooked_shell)


FALLBACKS = Fallbacks()
