"""The Jupyter server extension: configuration, wiring, and the environment kernels inherit."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_data_dir, jupyter_runtime_dir
from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join
from tornado.ioloop import IOLoop
from traitlets import Bool, Dict, Float, Int, Unicode, default

from .auth import PushAuth
from .config_problems import config_problems
from .exceptions import UnusableConfig
from .handlers import _tornado_fastpath as fastpath
from .handlers import default_handlers
from .server import metrics
from .server.admission import ConnectionLimiter, PublishRates
from .server.brokers.base import Broker
from .server.brokers.memory import MemoryBroker
from .server.heartbeats import Heartbeats
from .server.hub import Hub, QueueLimits
from .server.kernel_health import KernelHealth
from .server.kernel_token import stable_kernel_token
from .server.publish_policy import ShareWriteLimits
from .server.share_sessions import ShareConnections
from .server.state import PushState
from .server.system_metrics import SystemSampler
from .server.turns import REST_SECONDS, TURN_SECONDS, TurnBudget
from .server.watchdog import Watchdog
from .tokens import KeyFile, KeyStore, ShareTokens


class PushApp(ExtensionApp):
    """jupyter_push: a live event hub in the Jupyter server (configure as `c.PushApp.<name>`)."""

    name = "jupyter_push"
    load_other_extensions = True

    history_size = Int(
        10_000, help="Events kept for resume (Last-Event-ID / since) and GET push/history."
    ).tag(config=True)
    retained = Bool(
        True, help="Send each channel's latest event to a fresh subscriber before live events."
    ).tag(config=True)
    heartbeat_interval = Float(
        15.0, help="Seconds between heartbeats on an idle connection: an SSE comment line, a "
        "WebSocket ping (keeps proxies from closing it; lets dead peers be detected)."
    ).tag(config=True)
    dead_peer_timeout = Float(
        30.0,
        help="Seconds sent data may stay unacknowledged before a stream counts as dead "
        "(TCP_USER_TIMEOUT, Linux). Heartbeats make idle streams send, so a vanished peer is "
        "noticed within heartbeat_interval + this. 0: the OS default (many minutes).",
    ).tag(config=True)
    max_event_bytes = Int(
        1 << 20, help="Largest encoded event accepted, in bytes; larger ones get 413."
    ).tag(config=True)
    queue_max_events = Int(
        10_000,
        help="Events queued for one subscriber above which publishers are slowed down "
        "(backpressure: the server stops reading a kernel's WebSocket, HTTP publishes are "
        "answered later) until it has drained. Not a cut-off: a healthy subscriber's burst "
        "is never cut; see slow_subscriber_timeout and queue_max_bytes.",
    ).tag(config=True)
    queue_max_bytes = Int(
        16 << 20,
        help="Bytes queued for one subscriber at most (the bound on memory); more and it counts "
        "as too slow at once. Half of it also slows publishers down, as queue_max_events.",
    ).tag(config=True)
    slow_subscriber_timeout = Float(
        5.0,
        help="Seconds a subscriber's queue may wait without being emptied before it counts as "
        "too slow: an SSE stream is closed (the client resumes from history), a WebSocket is "
        "sent a gap.",
    ).tag(config=True)
    publish_wait_timeout = Float(
        2.0,
        help="Seconds an HTTP publish (POST push/events) waits while subscribers are behind "
        "(backpressure) before it is refused with 429 and Retry-After; nothing of a refused "
        "request is stored. 0: refuse at once while they are behind. Kernels (WebSocket) "
        "are not refused: the server stops reading them and their own buffer holds the burst.",
    ).tag(config=True)
    push_turn_seconds = Float(
        TURN_SECONDS,
        help="Seconds of push work (reading a kernel's frames, validating, storing, handing "
        "events to subscribers) in one turn of the server's event loop at most, all of it "
        "together; then the loop serves everything else.",
    ).tag(config=True)
    push_rest_seconds = Float(
        REST_SECONDS,
        help="After a turn that used all of push_turn_seconds, push work waits this long, so "
        "jupyter_server's own requests, kernel messages and the threads they wait for run while "
        "a notebook pushes as fast as it can. 0: yield the loop only.",
    ).tag(config=True)
    fast_path = Bool(
        True,
        help="Write pre-built bytes straight to idle sockets and shed what a long-lived "
        "request no longer needs, using Tornado internals (checked against the running Tornado "
        "at start; off by itself when one is missing). False: Tornado's public API only.",
    ).tag(config=True)
    gc_freeze = Bool(
        True,
        help="At start, move the heap built so far (jupyter_server and its extensions) out of "
        "Python's garbage collections (gc.freeze()), whose pauses otherwise dominate p99 "
        "latency with many subscribers. Process-wide; announced in the log.",
    ).tag(config=True)
    broker_url = Unicode(
        "memory://",
        help='Where events are stored and relayed: "memory://" (this process) or '
        '"redis://host:port/db" to share channels between servers.',
    ).tag(config=True)
    redis_prefix = Unicode(
        help="Prefix of this server's Redis keys. Servers with the same prefix share channels, "
        'history and retained values. Default: "jupyter_push:<JUPYTERHUB_USER>:" under '
        'JupyterHub (each user apart), else "jupyter_push:".'
    ).tag(config=True)
    redis_publish_timeout = Float(
        5.0, help="Seconds a publish waits for an unreachable Redis before it is refused (503)."
    ).tag(config=True)
    redis_buffer_events = Int(
        10_000, help="Events that may wait for an unreachable Redis; more are refused at once."
    ).tag(config=True)

    @default("redis_prefix")
    def _default_redis_prefix(self) -> str:
        user = os.environ.get("JUPYTERHUB_USER")
        return f"jupyter_push:{user}:" if user else "jupyter_push:"
    max_connections = Int(
        20_000,
        help="Open SSE + WebSocket connections the server holds; more get 429 (0: no limit).",
    ).tag(config=True)
    max_connections_per_credential = Int(
        5_000,
        help="Open connections per credential (a Jupyter user, the kernel token, one share "
        "token); more get 429 (0: no limit).",
    ).tag(config=True)
    max_patterns = Int(
        100, help="Patterns in one subscription (SSE channel parameters, one subscribe op)."
    ).tag(config=True)
    max_patterns_per_connection = Int(
        1_000, help="Patterns one WebSocket may hold across its subscribe ops."
    ).tag(config=True)
    max_publish_rate = Float(
        1_000_000.0,
        help="Events per second one WebSocket, or one credential over HTTP, may publish "
        "(bursts up to max_publish_burst); more get 429 / an error op (0: no limit).",
    ).tag(config=True)
    max_publish_burst = Float(
        1_000_000.0, help="Events a publisher may send at once before max_publish_rate applies."
    ).tag(config=True)
    kernel_token_file = Unicode(
        "",
        help="File (mode 0600) keeping the generated kernel token, so that kernels and scripts "
        "holding it reach the server again after a restart. Default: "
        "jupyter_push_kernel_token.json in the Jupyter data directory. Delete it to change "
        "the token at the next start.",
    ).tag(config=True)
    kernel_token = Unicode(
        help="Token for kernels and scripts (JUPYTER_PUSH_TOKEN); valid only under push/. "
        "Default: generated once and kept in kernel_token_file (the same after a restart)."
    ).tag(config=True)

    share_links = Bool(
        True, help="Allow read-only share links (POST push/tokens, jupyter_push.share())."
    ).tag(config=True)
    share_secret = Unicode(
        "",
        help="Secret (>= 32 bytes) that signs share links. Default: generated once and kept in "
        "share_secret_file, so links survive restarts. Set the same value on several servers "
        "to make their links interchangeable.",
    ).tag(config=True)
    share_secret_file = Unicode(
        "",
        help="File (mode 0600) holding the generated share secret and the revocation counter. "
        "Default: jupyter_push_share.json in the Jupyter data directory.",
    ).tag(config=True)
    share_max_ttl = Float(
        7 * 24 * 3600.0, help="Longest lifetime of a share link, in seconds."
    ).tag(config=True)
    share_base_url = Unicode(
        help="Public address of this server for share links, e.g. https://hub.example.org/user/"
        "alice/. Default: JUPYTERHUB_PUBLIC_URL under JupyterHub (set c.JupyterHub.public_url), "
        "else the address the minting request came to (with ServerApp.trust_xheaders, the "
        "scheme and host the outermost proxy received: X-Forwarded-Proto/-Host).",
    ).tag(config=True)
    publishing_is_activity = Bool(
        False,
        help="Publishing (push() in a kernel, POST push/events) counts as activity of this "
        "server, so JupyterHub's idle culler keeps a server that is still pushing. Open "
        "subscriptions (dashboards, share links) never count.",
    ).tag(config=True)

    @default("share_base_url")
    def _default_share_base_url(self) -> str:
        return os.environ.get("JUPYTERHUB_PUBLIC_URL", "")

    kernel_states = Bool(
        True, help="Publish each kernel's lifecycle on $kernels/<kernel_id> (retained): "
        "starting, idle, busy, restarting, dead with the reason."
    ).tag(config=True)
    kernel_poll_interval = Float(
        0.25, help="Seconds between checks that a watched kernel's process lives, only while "
        "someone subscribes to its $kernels/<kernel_id> channel."
    ).tag(config=True)
    kernel_idle_poll_interval = Float(
        1.0, help="Seconds between those checks while the kernel is idle (a kernel running "
        "code is checked every kernel_poll_interval)."
    ).tag(config=True)

    system_metrics = Bool(
        True, help="Offer $system/... and $kernels/<kernel_id>/resources (sampled only while "
        "someone subscribes)."
    ).tag(config=True)
    system_interval = Float(
        2.0, help="Seconds between samples of $system/cpu, $system/memory, $system/gpu/<i> "
        "and $kernels/<kernel_id>/resources, taken only while someone subscribes to them."
    ).tag(config=True)
    watch = Dict(
        {}, help='Stall watchdog: {"train/**": 120} raises an alert ($alerts/stalled/train and '
        "a $notify warning) when no event on a matching channel arrives for 120 seconds, and "
        "clears it when events resume. Notebooks add rules with expect() and alert_if()."
    ).tag(config=True)
    share_write_rate = Float(
        5.0, help="Events per second one write-scoped share link may publish to its controls "
        "(bursts up to share_write_burst); more get 429 with Retry-After."
    ).tag(config=True)
    share_write_burst = Float(
        20.0, help="Events a write-scoped share link may send at once before share_write_rate "
        "applies."
    ).tag(config=True)
    share_write_max_bytes = Int(
        4096, help="Largest value (encoded JSON bytes) a share link may publish; larger get 413."
    ).tag(config=True)

    def make_shares(self) -> Any:
        if not self.share_links:
            return None, None
        path = Path(self.share_secret_file or Path(jupyter_data_dir()) / "jupyter_push_share.json")
        local = KeyFile(path, self.share_secret)
        if local.write_error:
            self.log.warning("jupyter_push: share links will not survive a restart (%s); "
                             "set PushApp.share_secret or share_secret_file", local.write_error)
        connections = ShareConnections()
        keys: KeyStore = local
        if self.broker_url.startswith(("redis://", "rediss://", "unix://")):
            # the servers on this prefix sign with one secret and revoke together
            from .server.shared_keys import RedisShareKeys

            keys = self.shared_keys = RedisShareKeys(
                self.broker_url, self.redis_prefix, local,
                configured_secret=bool(self.share_secret), on_revoke=connections.close_all,
                log=self.log,
            )
        return ShareTokens(keys, self.share_max_ttl), connections

    @default("kernel_token")
    def _default_kernel_token(self) -> str:
        configured = os.environ.get("JUPYTER_PUSH_SERVER_TOKEN")
        if configured:
            return configured
        path = Path(self.kernel_token_file or
                    Path(jupyter_data_dir()) / "jupyter_push_kernel_token.json")
        token, problem = stable_kernel_token(path)
        if problem:
            self.log.warning("jupyter_push: the kernel token will change at the next start "
                             "(%s); set PushApp.kernel_token or kernel_token_file", problem)
        return token

    state: PushState | None = None
    shared_keys: Any = None  # RedisShareKeys when the broker is Redis
    kernel_health: KernelHealth | None = None
    watchdog: Watchdog | None = None
    system_sampler: SystemSampler | None = None
    runtime_file: Path | None = None

    def make_broker(self) -> Broker:
        """The configured broker. Raises UnusableConfig naming the fix when it cannot be made."""
        url = self.broker_url
        if url.startswith("memory:"):
            return MemoryBroker(self.history_size)
        try:
            from .server.brokers.redis import RedisBroker
        except ImportError as e:
            raise UnusableConfig(
                f"PushApp.broker_url is {url.split('://')[0]}://… but the Python package "
                f"{e.name or 'redis'!r} is missing from this server's environment: "
                "pip install 'jupyter_push[redis]', then restart the server"
            ) from e
        try:
            return RedisBroker(
                url,
                history_size=self.history_size,
                prefix=self.redis_prefix,
                publish_timeout=self.redis_publish_timeout,
                buffer_events=self.redis_buffer_events,
                log=self.log,
            )
        except ValueError as e:
            raise UnusableConfig(str(e)) from e

    def initialize_settings(self) -> None:
        # share tokens travel in ?access=: keep them out of the request log like ?token=
        scrub = self.settings.get("extra_log_scrub_param_keys") or []
        self.settings["extra_log_scrub_param_keys"] = [*scrub, "access"]
        try:
            self.state = self.make_state()
        except UnusableConfig as e:
            # A Jupyter server should not die for an extension, and a warning with 404s
            # everywhere is easy to miss: serve every push route with 503 and the reason.
            self.state = PushState(hub=Hub(MemoryBroker(0)), auth=PushAuth(self.kernel_token),
                                   problem=str(e))
            self.log.error("jupyter_push cannot start: %s. Every push/ route answers 503 "
                           "until this is fixed and the server restarted.", e)
        self.settings["jupyter_push"] = self.state
        self._advertise()  # kernels keep their events and retry until the routes work
        if self.state.problem is None:
            metrics.install(self.state.hub)
            # Under some launchers _start_jupyter_server_extension never runs: start here.
            IOLoop.current().add_callback(self._start_hub)
            if self.shared_keys is not None:
                IOLoop.current().add_callback(self.shared_keys.start)
            IOLoop.current().add_callback(self._start_health, self.serverapp)

    def make_state(self) -> PushState:
        """Everything the handlers use. Raises UnusableConfig naming what to fix in the config."""
        problems = config_problems(self)
        if problems:
            raise UnusableConfig("; ".join(problems))
        limits = QueueLimits(
            max_event_bytes=self.max_event_bytes,
            queue_max_events=self.queue_max_events,
            queue_max_bytes=self.queue_max_bytes,
            slow_subscriber_timeout=self.slow_subscriber_timeout,
        )
        hub = Hub(self.make_broker(), limits, retained=self.retained,
                  turn=TurnBudget(self.push_turn_seconds, self.push_rest_seconds))
        self.log.info("jupyter_push: %s", fastpath.check(self.fast_path))
        try:
            shares, share_connections = self.make_shares()
        except ValueError as e:
            raise UnusableConfig(str(e)) from e
        return PushState(
            hub=hub,
            auth=PushAuth(self.kernel_token, shares),
            heartbeat_interval=self.heartbeat_interval,
            dead_peer_timeout=self.dead_peer_timeout,
            connections=ConnectionLimiter(
                self.max_connections, self.max_connections_per_credential
            ),
            max_patterns=self.max_patterns,
            max_patterns_per_connection=self.max_patterns_per_connection,
            publish_rates=PublishRates(self.max_publish_rate, self.max_publish_burst),
            publish_wait_timeout=self.publish_wait_timeout,
            shares=shares,
            share_connections=share_connections,
            share_base_url=self.share_base_url,
            publishing_is_activity=self.publishing_is_activity,
            heartbeats=Heartbeats(self.heartbeat_interval),
            share_writes=ShareWriteLimits(
                self.share_write_rate, self.share_write_burst, self.share_write_max_bytes
            ),
        )

    def initialize_handlers(self) -> None:
        self.handlers.extend(default_handlers)

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        if self.state is None or self.state.problem is not None:
            return  # (the reason is in the log, and in every push/ response)
        await self._start_hub()
        self.log.info("jupyter_push: events at %s (broker %s)", self.push_url,
                      type(self.state.hub.broker).__name__)
        if self.gc_freeze:
            # The startup heap (jupyter_server, its extensions) lives until exit: keep it out
            # of full collections, whose pauses dominated p99 latency at 1,000 subscribers.
            gc.collect()
            gc.freeze()
            self.log.info("jupyter_push: gc.freeze(): %d startup objects kept out of garbage "
                          "collections (PushApp.gc_freeze)", gc.get_freeze_count())

    async def _start_hub(self) -> None:
        assert self.state is not None
        await self.state.hub.start()
        await self.state.controls.follow(self.state.hub)

    async def _start_health(self, serverapp: Any) -> None:
        """The server's own reserved channels: kernel lifecycle, the watchdog's alerts."""
        assert self.state is not None
        if self.watchdog is None:
            self.watchdog = Watchdog(self.state.hub, self.watch, log=self.log)
            await self.watchdog.start()
        kernels = getattr(serverapp, "kernel_manager", None)
        if self.system_sampler is None and self.system_metrics:
            self.system_sampler = SystemSampler(self.state.hub, kernels,
                                                interval=self.system_interval, log=self.log)
            self.system_sampler.start()
        if self.kernel_health is None and self.kernel_states and kernels is not None:
            self.kernel_health = KernelHealth(
                self.state.hub, serverapp.kernel_manager,
                getattr(serverapp, "session_manager", None),
                getattr(serverapp, "event_logger", None),
                poll_interval=self.kernel_poll_interval,
                idle_poll_interval=self.kernel_idle_poll_interval, log=self.log)
            await self.kernel_health.start()

    async def stop_extension(self) -> None:
        if self.kernel_health is not None:
            await self.kernel_health.stop()
            self.kernel_health = None
        if self.watchdog is not None:
            await self.watchdog.stop()
            self.watchdog = None
        if self.system_sampler is not None:
            await self.system_sampler.stop()
            self.system_sampler = None
        if self.state is not None:
            self.state.stopping = True
            for close in list(self.state.closers):
                close()
            if self.state.problem is None:
                metrics.uninstall(self.state.hub)
            if self.state.heartbeats is not None:
                self.state.heartbeats.stop()
            await self.state.hub.stop()
            if self.state.share_connections is not None:
                self.state.share_connections.stop()
        if self.shared_keys is not None:
            await self.shared_keys.stop()
            self.shared_keys = None
        if self.runtime_file is not None:
            self.runtime_file.unlink(missing_ok=True)
            self.runtime_file = None
        if os.environ.get("JUPYTER_PUSH_TOKEN") == self.kernel_token:
            os.environ.pop("JUPYTER_PUSH_URL", None)
            os.environ.pop("JUPYTER_PUSH_TOKEN", None)

    # ------------------------------------------------------------------ discovery

    @property
    def push_url(self) -> str:
        """`{base}push/` on the server's own address, as kernels on this machine reach it."""
        app = self.serverapp
        assert app is not None
        scheme = "https" if app.certfile else "http"
        ip = app.ip or "127.0.0.1"
        if ip in ("0.0.0.0", "*", "localhost"):
            ip = "127.0.0.1"
        elif ip == "::":
            ip = "[::1]"
        elif ":" in ip and not ip.startswith("["):
            ip = f"[{ip}]"
        return f"{scheme}://{ip}:{app.port}" + url_path_join(app.base_url, "push/")

    def _advertise(self) -> None:
        """Put the URL and kernel token where kernels and local scripts find them."""
        info = {"url": self.push_url, "token": self.kernel_token, "pid": os.getpid()}
        os.environ["JUPYTER_PUSH_URL"] = info["url"]  # type: ignore[assignment]
        os.environ["JUPYTER_PUSH_TOKEN"] = info["token"]  # type: ignore[assignment]
        runtime = Path(jupyter_runtime_dir())
        runtime.mkdir(parents=True, exist_ok=True)
        path = runtime / f"jupyter_push-{os.getpid()}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(info, f)
        os.chmod(path, 0o600)
        self.runtime_file = path


main = launch_new_instance = PushApp.launch_instance
