"""jupyter_push: live events for Jupyter.

    from jupyter_push import push
    push("progress", 40)
"""

from __future__ import annotations

from typing import Any

from .client.discovery import NoServer
from .client.publisher import flush, push
from .client.subscriber import Subscription, subscribe
from .sharing import share
from .track import track

__version__ = "0.1.0"
__all__ = ["NoServer", "Subscription", "flush", "push", "share", "subscribe", "track", "widgets"]


def __getattr__(name: str) -> Any:
    if name == "widgets":  # imported on first use: ipywidgets is slow to import
        import importlib

        return importlib.import_module(".widgets", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import PushApp

    return [{"module": "jupyter_push.app", "app": PushApp}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-push"}]
