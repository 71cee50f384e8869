"""The transports: Tornado handlers under `{base}push/`."""

from .rest import ChannelsHandler, HistoryHandler, StatusHandler
from .share import EventsOrViewerHandler
from .share import default_handlers as share_handlers
from .ws import PushWebSocket

default_handlers = [
    (r"/push/events", EventsOrViewerHandler),
    (r"/push/ws", PushWebSocket),
    (r"/push/channels", ChannelsHandler),
    (r"/push/history", HistoryHandler),
    (r"/push/status", StatusHandler),
    *share_handlers,
]

__all__ = ["default_handlers"]
