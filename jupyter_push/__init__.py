"""jupyter_push: live events for Jupyter.

    from jupyter_push import push
    push("progress", 40)

The kernel-side API is imported on first use, so the server process (which imports this
package to find its extension) never loads the kernel client.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__
from .exceptions import (
    AuthError,
    BrokerUnavailable,
    EventTooLarge,
    HTTPFailure,
    InvalidChannel,
    InvalidInput,
    NoServer,
    PushError,
    SubscribeError,
)

# public name -> the module that defines it, imported on first use
_API = {
    "Subscription": ".client.subscriber",
    "alert_if": ".watchdog",
    "ask": ".client.controls",
    "control": ".client.controls",
    "expect": ".watchdog",
    "flush": ".client.api",
    "notify": ".notify",
    "on": ".client.controls",
    "push": ".client.api",
    "push_figure": ".figures",
    "run_channel": ".runs",
    "share": ".sharing",
    "subscribe": ".client.subscriber",
    "track": ".tracking",
}

__all__ = [
    "AuthError", "BrokerUnavailable", "EventTooLarge", "HTTPFailure", "InvalidChannel",
    "InvalidInput", "NoServer", "PushError", "SubscribeError", "Subscription", "__version__",
    "alert_if", "ask", "control", "expect", "flush", "load_ipython_extension", "notify", "on",
    "push", "push_figure", "run_channel", "share", "subscribe", "track",
    "unload_ipython_extension", "widgets",
]


def __getattr__(name: str) -> Any:
    if name == "widgets":  # imported on first use: ipywidgets is slow to import
        return importlib.import_module(".widgets", __name__)
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext jupyter_push`: the `%push_notify` magic (cell-finished notifications)."""
    from .cell_notify import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .cell_notify import unload

    unload(ipython)


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import PushApp

    return [{"module": "jupyter_push.app", "app": PushApp}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-push"}]
