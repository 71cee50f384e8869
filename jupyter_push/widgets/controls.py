"""Control widgets: `Button`, `Toggle`, `Slider`, `Text`, `Choice` bound to a control channel,
usable while the cell that reads them runs.

    stop = Button("train/stop", label="Stop")        # last line of a cell: shows the button
    while not stop.value:                            # or stop.control.value, stop.changed()
        step()

Each widget declares a `control()` (so the panel, the viewer and any write link see the same
control) and draws the control tile. A click is published through the server with the page's
own Jupyter credentials (a POST to `{base}push/events`), not as a comm message: comm messages
wait until the busy kernel finishes the cell, the kernel's publisher thread does not. Where
the page cannot reach the server (no server extension, VS Code), the value goes by comm
message instead and is applied when the kernel is idle. The value the kernel confirmed comes
back to the widget the way every widget's state does (conflated, from the publisher thread).
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets as t

from ..client.controls import Control, control
from ..declarations import declaration_channel
from ..static_html import as_text, card, text_body
from ._base import ChannelSink, static, view_module
from ._fallback import StaticFallback


class _ControlWidget(StaticFallback, anywidget.AnyWidget, ChannelSink):
    _esm = view_module("control.js")
    _css = static("widgets.css")

    channel = t.Unicode("").tag(sync=True)
    declaration = t.Dict().tag(sync=True)  # the control's declaration, its confirmed value
    kind = t.Unicode("").tag(sync=True)  # (the tile kind chosen in "Show as…": unused)
    problem = t.Unicode("").tag(sync=True)  # why the last value sent by comm was refused

    def __init__(self, channel: str, default: Any, control_kind: str, **declared: Any):
        self.control: Control = control(channel, default, kind=control_kind, **declared)
        super().__init__(channel=channel, declaration=self.control.declaration)
        self._latest = self.control.declaration
        self._start([declaration_channel(channel)], remote=False)
        self.on_msg(self._on_front_end_message)

    @property
    def value(self) -> Any:
        """The control's latest value (readable while the cell runs)."""
        return self.control.value

    def changed(self) -> bool:
        return self.control.changed()

    def _store(self, channel: str, data: Any) -> None:
        if isinstance(data, dict):
            self._latest = data

    def _apply(self) -> None:
        self.declaration = self._latest

    def _on_front_end_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and "set" in content:
            try:
                self.control.set(content["set"])
                self.problem = ""
            except ValueError as e:
                self.problem = str(e)

    def __repr__(self) -> str:  # the widget output's text, where no widget can be drawn
        return f"{type(self).__name__}({self.channel!r})"

    def _fallback_cards(self) -> list[str]:
        return [card(self.channel, "control", text_body(as_text(self.value)))]

    def _fallback_text(self) -> str:
        return f"{self.channel}: {as_text(self.value)}"

    def close(self) -> None:
        self._unbind()
        super().close()


class Button(_ControlWidget):
    """A button: `.value` turns true when pressed; `.changed()` on every press."""

    def __init__(self, channel: str, *, label: str | None = None):
        super().__init__(channel, False, "button", label=label)


class Toggle(_ControlWidget):
    """On or off."""

    def __init__(self, channel: str, default: bool = False, *, label: str | None = None):
        super().__init__(channel, default, "toggle", label=label)


class Slider(_ControlWidget):
    """A number in [min, max] (whole numbers when min, max and default are)."""

    def __init__(self, channel: str, default: float, *, min: float, max: float,
                 step: float | None = None, label: str | None = None):
        super().__init__(channel, default, "slider", min=min, max=max, step=step, label=label)


class Text(_ControlWidget):
    """A line of text, sent with Enter (at most `max` characters)."""

    def __init__(self, channel: str, default: str = "", *, max: int | None = None,
                 label: str | None = None):
        super().__init__(channel, default, "text", max=max, label=label)


class Choice(_ControlWidget):
    """One of `options`."""

    def __init__(self, channel: str, options: list[Any], default: Any = None, *,
                 label: str | None = None):
        first = options[0] if options else None
        super().__init__(channel, first if default is None else default, "choice",
                         options=options, label=label)
