"""`Progress`: a progress bar with rate and time left for one channel."""

from __future__ import annotations

import time
from typing import Any

import traitlets as t

from ..static_html import describe_progress, progress_body
from ..tracking import RateMeter, eta
from ._base import ChannelWidget, view_module
from ._kinds import progress_fields


class Progress(ChannelWidget):
    """A progress bar bound to `channel`. Pushes are a count (`push("progress", 40)`) or
    `{"value": 40, "total": 100}` (what `track()` sends, with its own rate and ETA); the bar
    shows the percentage, the rate and the time left."""

    _esm = view_module("progress.js")

    value = t.Float(0.0).tag(sync=True)
    total = t.Float(None, allow_none=True).tag(sync=True)
    rate = t.Float(None, allow_none=True).tag(sync=True)
    eta = t.Float(None, allow_none=True).tag(sync=True)
    unit = t.Unicode("it").tag(sync=True)

    def __init__(
        self,
        channel: str | None = None,
        *,
        total: float | None = None,
        description: str | None = None,
        unit: str = "it",
        remote: bool = True,
        **kwargs: Any,
    ):
        self._latest: Any = None
        self._meter = RateMeter(0, time.monotonic())
        super().__init__(channel, description=description, remote=remote, total=total,
                         unit=unit, **kwargs)

    def _fallback_body(self) -> tuple[str, str]:
        return "progress", progress_body(self.value, self.total, self.rate, self.eta)

    def _fallback_text(self) -> str:
        return f"{self.title}: {describe_progress(self.value, self.total, self.rate, self.eta)}"

    def _store(self, channel: str, data: Any) -> None:
        self._latest = data

    def _apply(self) -> None:
        fields = progress_fields(self._latest)
        value = fields.pop("value", self.value)
        if "total" in fields:
            self.total = fields.pop("total")
        if "rate" not in fields:
            fields["rate"] = self._meter.update(value, time.monotonic())
        if "eta" not in fields:
            fields["eta"] = eta(value, self.total, fields["rate"])
        self.set_trait("value", value)
        for name, field in fields.items():
            self.set_trait(name, field)
