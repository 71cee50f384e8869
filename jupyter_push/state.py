"""The extension's state, as the handlers see it (in the Tornado settings as "jupyter_push")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .auth import PushAuth
from .hub import Hub


@dataclass
class PushState:
    hub: Hub
    auth: PushAuth
    heartbeat_interval: float = 15.0
    # callables that close one open stream or socket, for a clean shutdown
    closers: set[Callable[[], Any]] = field(default_factory=set)
    stopping: bool = False
