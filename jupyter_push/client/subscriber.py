"""Receiving events in Python, over one WebSocket to `{url}ws`.

Iterate in a script (blocks; Ctrl-C or `.close()` from another thread ends it):

    from jupyter_push import subscribe
    for event in subscribe("train/**"):
        print(event["channel"], event["data"])

Or get a callback on a background thread (in a kernel, to bind widgets to events that other
kernels or scripts publish); the returned handle stops it:

    sub = subscribe("progress", callback=lambda event: bar.set(event["data"]))
    ...
    sub.close()

Every event is the protocol's dict: {"id", "channel", "data", "time", "source"?}. When the
server cannot replay what was missed (history too short, server restarted) the iterator
yields a gap marker instead, `{"op": "gap", "since": ID}`; events never have an "op" key, so
`if "op" in event` tells them apart. After a lost connection the subscription reconnects
(backoff up to 2 s) and resumes after the last event it delivered, so nothing is delivered
twice and nothing is skipped silently; the same happens when a slow consumer makes the
server's queue for it overflow (a gap marker appears only if the server's history no longer
holds the missed events). Errors that retrying cannot fix (no server found,
a refused token, a bad pattern) are raised: NoServer (also when the first connection
fails), or SubscribeError with the server's message.
"""

from __future__ import annotations

import json
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from .._backoff import backoff_delay
from ..channels import check_pattern
from ..exceptions import NoServer, PushError, SubscribeError
from .discovery import WHAT_TO_DO, Server, find_server

log = logging.getLogger("jupyter_push")

CONNECT_TIMEOUT = 5.0
PATTERNS_PER_REQUEST = 100  # PushApp.max_patterns' default
Event = dict[str, Any]


class FellBehind(PushError):
    """The server's queue for this socket overflowed (we read too slowly); caught inside, to
    resume on a fresh connection."""


class Subscription:
    """An open subscription: iterate over it, or pass `callback=` to subscribe()."""

    def __init__(self, patterns: tuple[str, ...] | list[str], since: str | None = None,
                 retained: bool = True, url: str | None = None, token: str | None = None):
        self.patterns = [check_pattern(p) for p in (patterns or ("**",))]
        self.server: Server = find_server(url, token)  # NoServer at once, not in the loop
        self.last_id = since
        self._retained = retained
        self._ws: Any = None
        self._closed = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._ever_connected = False
        self.connections = 0

    # ------------------------------------------------------------------ iteration

    def __iter__(self) -> Iterator[Event]:
        attempt = 0  # failed connection attempts in a row
        while not self._closed:
            try:
                ws = self._connect()
            except SubscribeError:
                raise
            except Exception as e:
                if self._closed:
                    return
                if not self._ever_connected:
                    raise NoServer(f"cannot reach jupyter_push at {self.server.url} ({e}): "
                                   f"{WHAT_TO_DO}") from e
                log.debug("jupyter_push: subscribe: cannot connect: %s", e)
                time.sleep(backoff_delay(attempt))
                attempt += 1
                continue
            attempt = 0
            self._ever_connected = True
            self.connections += 1
            try:
                yield from self._receive(ws, asked_since=self.last_id is not None)
            except FellBehind:
                log.debug("jupyter_push: subscribe: fell behind; resuming after %s", self.last_id)
                continue  # (finally closes the socket)
            except (OSError, ConnectionError, _websocket_errors()) as e:
                if self._closed:
                    return
                log.debug("jupyter_push: subscribe: connection lost: %s", e)
            finally:
                self._drop(ws)
            if not self._closed:
                time.sleep(backoff_delay(0))  # jittered: every subscriber lost it at once

    def _connect(self) -> Any:
        import websocket

        server = self.server
        header = [f"Authorization: token {server.token}"] if server.token else []
        try:
            # skip_utf8_validation: websocket-client checks UTF-8 in pure Python (~0.2 s per MB,
            # seconds for a resume's replay); decoding the text frame checks it in C anyway.
            ws = websocket.create_connection(server.ws_url, timeout=CONNECT_TIMEOUT, header=header,
                                             suppress_origin=True, enable_multithread=True,
                                             skip_utf8_validation=True)
        except websocket.WebSocketBadStatusException as e:
            if e.status_code in (400, 401, 403, 404):
                raise SubscribeError(_http_message(e)) from e
            raise
        ws.settimeout(None)
        with self._lock:
            if self._closed:
                ws.close()
                raise ConnectionError("closed")
            self._ws = ws
            patterns = self.patterns
        for request in self._requests(patterns, self.last_id):
            ws.send(json.dumps(request))
        return ws

    def _receive(self, ws: Any, asked_since: bool) -> Iterator[Event]:
        seen_event = False
        while not self._closed:
            message = ws.recv()
            if not message:  # closed
                return
            decoded = json.loads(message)
            for item in decoded if isinstance(decoded, list) else (decoded,):
                if not isinstance(item, dict):
                    continue
                op = item.get("op")
                if op == "error":
                    raise SubscribeError(item.get("message", "the server refused the request"))
                if op is None:
                    self.last_id = item.get("id", self.last_id)
                    seen_event = True
                    yield item
                elif op == "gap":
                    if (asked_since and not seen_event) or self.last_id is None:
                        yield item  # what we missed cannot be asked for again: a real loss
                    else:
                        raise FellBehind  # resume from our last id on a fresh connection

    # ------------------------------------------------------------------ background use

    def start(self, callback: Callable[[Event], Any]) -> Subscription:
        """Call `callback(event)` for every event on a daemon thread; returns self."""

        def run() -> None:
            try:
                for event in self:
                    try:
                        callback(event)
                    except Exception:
                        log.exception("jupyter_push: subscribe callback %r failed", callback)
            except Exception as e:  # no traceback: inside a kernel it would land in the cell
                log.warning("jupyter_push: subscription to %s ended: %s", self.patterns, e)

        self._thread = threading.Thread(target=run, name="jupyter_push-subscriber", daemon=True)
        self._thread.start()
        return self

    def add(self, patterns: list[str]) -> None:
        """Also follow `patterns`, on the open connection and after reconnecting. The server
        sends their retained values (when asked for at the start), even for a pattern already
        followed."""
        new = [check_pattern(p) for p in patterns]
        with self._lock:
            self.patterns = self.patterns + [p for p in new if p not in self.patterns]
            ws = self._ws
        for request in self._requests(new, None):
            self._send(ws, request)

    def remove(self, patterns: list[str]) -> None:
        """Stop following `patterns` (exactly as they were given)."""
        with self._lock:
            gone = [p for p in patterns if p in self.patterns]
            self.patterns = [p for p in self.patterns if p not in gone]
            ws = self._ws
        if gone:
            self._send(ws, {"op": "unsubscribe", "channels": gone})

    def _requests(self, patterns: list[str], since: str | None) -> list[dict[str, Any]]:
        """Subscribe requests for `patterns`, at most PATTERNS_PER_REQUEST each (the server's
        default limit per request: a kernel's widgets may follow more)."""
        requests = []
        for i in range(0, max(1, len(patterns)), PATTERNS_PER_REQUEST):
            request: dict[str, Any] = {"op": "subscribe",
                                       "channels": patterns[i:i + PATTERNS_PER_REQUEST]}
            if since is not None:
                request["since"] = since
            if not self._retained:
                request["retained"] = False
            requests.append(request)
        return requests

    @staticmethod
    def _send(ws: Any, request: dict[str, Any]) -> None:
        if ws is None:
            return  # not connected: the next connection subscribes to self.patterns
        try:
            ws.send(json.dumps(request))
        except Exception as e:  # the reading thread reconnects with the current patterns
            log.debug("jupyter_push: subscribe: cannot update the patterns now: %s", e)

    def close(self) -> None:
        """Stop: the iterator ends, the callback thread exits."""
        with self._lock:
            self._closed = True
            ws, self._ws = self._ws, None
        if ws is not None and ws.sock is not None:
            try:
                ws.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(2.0)

    @property
    def closed(self) -> bool:
        return self._closed

    def _drop(self, ws: Any) -> None:
        with self._lock:
            if self._ws is ws:
                self._ws = None
        try:
            ws.close(timeout=0.1)
        except Exception:
            pass

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


def subscribe(*patterns: str, since: str | None = None, retained: bool = True,
              url: str | None = None, token: str | None = None,
              callback: Callable[[Event], Any] | None = None) -> Subscription:
    """Events on channels matching `patterns` (default: all). Iterate over the result, or pass
    `callback` to have it called on a background thread. See the module docstring."""
    subscription = Subscription(patterns, since=since, retained=retained, url=url, token=token)
    if callback is not None:
        subscription.start(callback)
    return subscription


def events_queue(subscription: Subscription) -> queue.Queue[Event]:
    """A queue filled from the subscription on a background thread (handy with timeouts)."""
    q: queue.Queue[Event] = queue.Queue()
    subscription.start(q.put)
    return q


def _http_message(error: Any) -> str:
    body = getattr(error, "resp_body", None)
    try:
        message = json.loads(body)["message"] if body else None
    except (ValueError, KeyError, TypeError):
        message = None
    return f"HTTP {error.status_code}: {message or error}"


def _websocket_errors() -> type[Exception]:
    import websocket

    return websocket.WebSocketException
