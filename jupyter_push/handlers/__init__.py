"""The transports: Tornado handlers under `{base}push/`."""

from .rest import ChannelsHandler, HistoryHandler, StatusHandler
from .sse import EventsHandler
from .ws import PushWebSocket

default_handlers = [
    (r"/push/events", EventsHandler),
    (r"/push/ws", PushWebSocket),
    (r"/push/channels", ChannelsHandler),
    (r"/push/history", HistoryHandler),
    (r"/push/status", StatusHandler),
]

__all__ = ["default_handlers"]
