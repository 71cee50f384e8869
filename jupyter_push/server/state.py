"""The extension's state, as the handlers see it (in the Tornado settings as "jupyter_push")."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..auth import PushAuth
from .admission import ConnectionLimiter, PublishRates
from .controls import Controls
from .hub import Hub
from .publish_policy import ShareWriteLimits
from .share_scope import ShareScopes

if TYPE_CHECKING:
    from ..tokens import ShareTokens
    from .heartbeats import Heartbeats
    from .share_sessions import ShareConnections


@dataclass
class PushState:
    hub: Hub
    auth: PushAuth
    # why the extension cannot work (a setting it cannot use): every push route answers 503
    problem: str | None = None
    heartbeat_interval: float = 15.0
    dead_peer_timeout: float = 30.0
    connections: ConnectionLimiter = field(default_factory=lambda: ConnectionLimiter(0, 0))
    max_patterns: int = 100
    max_patterns_per_connection: int = 1000
    publish_rates: PublishRates = field(default_factory=lambda: PublishRates(0.0, 0.0))
    # seconds an HTTP publish waits for subscribers behind before it gets 429
    publish_wait_timeout: float = 2.0
    # publisher session -> the last frame ref it published: a frame resent after a lost ack
    # is acknowledged again instead of being published twice
    publish_sessions: OrderedDict[str, int] = field(default_factory=OrderedDict)
    # callables that close one open stream or socket, for a clean shutdown
    closers: set[Callable[[], Any]] = field(default_factory=set)
    stopping: bool = False
    # share tokens: minting and revocation (tokens.ShareTokens), and the streams they opened
    shares: ShareTokens | None = None
    share_connections: ShareConnections | None = None
    share_base_url: str = ""
    # links naming `$kernels`, `$alerts`, `$notify`: the kernels they cover (share_scope.py)
    share_scopes: ShareScopes = field(default_factory=ShareScopes)
    # declared controls (from `$controls/...`) and what share links may write
    controls: Controls = field(default_factory=Controls)
    share_writes: ShareWriteLimits = field(default_factory=ShareWriteLimits)
    # publishes count as server activity (JupyterHub's idle culler); when it was last noted
    publishing_is_activity: bool = False
    last_activity_noted: float = float("-inf")
    # beats every open stream and WebSocket each heartbeat_interval (handlers/heartbeat.py)
    heartbeats: Heartbeats | None = None
