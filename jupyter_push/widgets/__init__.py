"""ipywidgets bound to jupyter_push channels.

    from jupyter_push.widgets import Progress
    Progress("progress")      # last line of a cell: shows the bar; push("progress", i) moves it

Updates are conflated (at most ~30 per second per widget, the latest value wins) and whatever is
pending is sent at the end of every cell, so the final value is always shown exactly.
"""

from __future__ import annotations

from ._flusher import FLUSHER
from .chart import Chart
from .controls import Button, Choice, Slider, Text, Toggle
from .dashboard import Dashboard
from .label import Label
from .log import Log
from .progress import Progress

__all__ = ["Button", "Chart", "Choice", "Dashboard", "Label", "Log", "Progress", "Slider", "Text",
           "Toggle", "flush"]


def flush() -> None:
    """Send every widget's pending state now."""
    FLUSHER.flush_all()
