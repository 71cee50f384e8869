"""The kernel side of push(): a bounded buffer drained by one background thread that owns
one WebSocket to `{url}ws`.

push() only appends to the buffer (and wakes the thread when it sleeps); it never blocks and
never raises for transport reasons. The thread sends whatever has accumulated as one
`publish` frame as soon as it is idle, so events batch by themselves under load. A sparse event
(the thread idle, nothing sent for DIRECT_GAP) is sent by push() itself with one non-blocking
send: waking the thread would add a thread switch (~0.1–0.2 ms) to its latency. Each frame
carries a `ref`; the server's ack completes it. Frames not acknowledged when the socket drops
are sent again after reconnecting (at least once). On overflow the oldest events are dropped,
counted per channel, and the next frame reports them as `"dropped": {channel: n}`.

Scalars (str, int, float, bool, None) are encoded on the thread; other values are encoded in
push() itself, so mutating a list or dict after pushing it does not change what is sent.
"""

from __future__ import annotations

import atexit
import collections
import logging
import os
import re
import secrets
import select
import socket
import sys
import threading
import time
import warnings
from typing import Any

from ..events import InvalidInput, check_channel, dumps
from . import local
from .discovery import NoServer, Server, find_server

log = logging.getLogger("jupyter_push")

DEFAULT_BUFFER = 100_000
FRAME_BYTES = 1 << 20  # soft cap on one publish frame
CHUNK_EVENTS = 512  # events encoded per orjson call
MAX_EVENT_BYTES = 8 << 20  # under tornado's 10 MiB WebSocket message limit
MAX_IN_FLIGHT = 64  # unacknowledged frames before the thread waits for acks
BACKOFF_FIRST, BACKOFF_MAX = 0.05, 2.0
CONNECT_TIMEOUT = 5.0
PING_INTERVAL = 30.0
DIRECT_GAP = 0.001  # push() sends itself only if nothing went out this recently: else batch


try:
    from orjson import Fragment as _Fragment
    from orjson import dumps as _orjson_dumps
except ImportError:  # orjson missing or older than 3.10: encode one event at a time
    _Fragment = None  # type: ignore[assignment,misc]


class Encoded(bytes):
    """An event's data, already JSON-encoded."""


_LAZY = frozenset({str, int, float, bool, type(None)})


def buffer_size() -> int:
    try:
        return max(1, int(os.environ.get("JUPYTER_PUSH_BUFFER", DEFAULT_BUFFER)))
    except ValueError:
        return DEFAULT_BUFFER


class FlushMarker:
    """Put in the buffer by flush(); set once every event before it is acknowledged."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


class Publisher:
    """One buffer, one thread, one WebSocket. `put` is the hot path."""

    def __init__(self, url: str | None = None, token: str | None = None,
                 capacity: int | None = None, source: dict[str, Any] | None = None):
        self._url, self._token = url, token
        self.capacity = capacity or buffer_size()
        self.source = source if source is not None else kernel_source()
        self._buffer: collections.deque[Any] = collections.deque()
        self._dropped: dict[str, int] = {}  # per channel, since the start
        self._reported_drops: dict[str, int] = {}
        # Held by whoever writes to the socket or changes what is in flight: the thread, or
        # push() when it sends a sparse event itself (it never waits for the lock).
        self._lock = threading.Lock()
        self._direct: socket.socket | None = None  # non-blocking twin of the session's socket
        self._partial = b""  # the rest of a frame push() could only send in part
        self._last_direct = 0.0
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._idle = False
        self._closed = False
        self.connected = False
        self.reachable = True  # until a connection attempt fails
        self.discarding = False  # no server: events only reach in-process listeners
        self.server: Server | None = None
        self._next_ref = 1
        self.session = secrets.token_hex(8)  # frames resent after a lost ack are dropped
        self._unacked: collections.OrderedDict[int, tuple[bytes, list[FlushMarker]]] = (
            collections.OrderedDict()
        )
        self.sent_frames = 0
        self.sent_direct = 0  # of which push() sent itself
        self.dropped_total = 0  # reported to the server so far
        self._next_drop_warning = 0.0
        self.connections = 0
        self.acked_events = 0
        self._thread = threading.Thread(target=self._run, name="jupyter_push-publisher",
                                        daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ caller's thread

    def put(self, channel: str, data: Any) -> None:
        buffer = self._buffer
        if len(buffer) >= self.capacity:
            self._drop_oldest()
        buffer.append((channel, data))
        if self._idle and not self._send_now():
            self._wake()

    def _send_now(self) -> bool:
        """Send what is buffered from the caller's thread; False to leave it to the thread."""
        now = time.monotonic()
        if now - self._last_direct < DIRECT_GAP or not self._lock.acquire(blocking=False):
            return False
        try:
            sock = self._direct
            if (sock is None or not self._idle or self._partial
                    or len(self._unacked) >= MAX_IN_FLIGHT):
                return False
            frame = self._next_frame()
            if frame is None:
                return True
            data = client_frame(frame)
            try:
                sent = sock.send(data)
            except BlockingIOError:
                sent = 0
            except OSError:
                return False  # the thread finds the socket broken and resends after reconnecting
            self.sent_frames += 1
            self.sent_direct += 1
            self._last_direct = now
            if sent < len(data):
                self._partial = data[sent:]  # the thread completes the frame before anything else
                return False
            return True
        finally:
            self._lock.release()

    def flush(self, timeout: float | None = 2.0) -> bool:
        """Wait until everything put so far is acknowledged by the server. False on timeout,
        or at once when there is no server."""
        if self.discarding or self._closed:
            return False
        marker = FlushMarker()
        self._buffer.append(marker)
        self._wake()
        return marker.done.wait(timeout) and not self.discarding

    def pending(self) -> bool:
        return bool(self._buffer or self._unacked)

    def close(self) -> None:
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        self._idle = False
        try:
            os.write(self._wake_w, b"\0")
        except (BlockingIOError, OSError):
            pass

    def _drop_oldest(self) -> None:
        # Drops a block (1% of the buffer) at a time so that a loop outpacing the sender pays
        # this once per block. No lock: counts only grow here; the thread reports the growth.
        buffer, dropped = self._buffer, self._dropped
        keep = self.capacity - max(1, self.capacity // 100)
        while len(buffer) > keep:
            try:
                item = buffer.popleft()
            except IndexError:
                return
            if type(item) is tuple:
                dropped[item[0]] = dropped.get(item[0], 0) + 1
            else:
                item.done.set()

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        backoff = BACKOFF_FIRST
        while not self._closed:
            try:
                self.server = find_server(self._url, self._token)
            except NoServer as e:
                self._discard(str(e))
                return
            try:
                ws = self._connect(self.server)
            except Exception as e:
                if self.reachable:  # once per outage; retries are quiet
                    log.warning("jupyter_push: cannot reach %s (%s); keeping events and retrying",
                                self.server.url, _connect_problem(e))
                self.reachable = False
                self._sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            backoff = BACKOFF_FIRST
            try:
                self._session(ws)
            except Exception as e:
                log.debug("jupyter_push: connection lost: %s", e)
            finally:
                self.connected = False
                try:
                    ws.close(timeout=0.1)
                except Exception:
                    pass
            if not self._closed:
                self._sleep(BACKOFF_FIRST)

    def _connect(self, server: Server) -> Any:
        import websocket

        header = [f"Authorization: token {server.token}"] if server.token else []
        ws = websocket.create_connection(
            server.ws_url, timeout=CONNECT_TIMEOUT, header=header, suppress_origin=True,
            skip_utf8_validation=True, enable_multithread=False,
        )
        ws.settimeout(CONNECT_TIMEOUT)
        self.connected = self.reachable = True
        self.connections += 1
        self._partial = b""
        for frame, _ in self._unacked.values():  # sent before the drop, never acknowledged
            ws.send(frame)
        return ws

    def _session(self, ws: Any) -> None:
        sock = ws.sock
        try:
            if type(sock) is socket.socket:  # plain TCP: push() may send sparse events itself
                self._direct = socket.socket(fileno=os.dup(sock.fileno()))
                self._direct.setblocking(False)
            self._exchange(ws, sock)
        finally:
            with self._lock:
                self._idle = False
                if self._direct is not None:
                    self._direct.close()
                    self._direct = None

    def _exchange(self, ws: Any, sock: Any) -> None:
        lock = self._lock
        while not self._closed:
            with lock:
                self._finish_partial(sock)
                can_send = len(self._unacked) < MAX_IN_FLIGHT
                wait = 0.0
                if can_send and self._buffer:
                    self._idle = False
                    frame = self._next_frame()
                    if frame is not None:
                        ws.send(frame)
                        self.sent_frames += 1
                elif can_send:
                    self._idle = True  # from here on, put() sends itself or wakes us
                    if self._buffer:
                        self._idle = False
                    else:
                        wait = PING_INTERVAL
                else:
                    wait = PING_INTERVAL  # too much in flight: wait for acks, let put() buffer
            watched = [sock, self._wake_r] if can_send else [sock]
            readable, _, _ = select.select(watched, [], [], wait)
            if self._wake_r in readable:
                self._drain_wake()
            if sock in readable or _ssl_pending(sock):
                with lock:
                    self._finish_partial(sock)  # receiving may answer a ping
                    self._receive(ws)
            elif wait and not readable:
                with lock:
                    self._finish_partial(sock)
                    ws.ping()

    def _finish_partial(self, sock: Any) -> None:
        if self._partial:
            sock.sendall(self._partial)
            self._partial = b""

    def _next_frame(self) -> bytes | None:
        """Drain the buffer into one publish frame (up to FRAME_BYTES)."""
        buffer = self._buffer
        parts: list[bytes] = []
        markers: list[FlushMarker] = []
        size = 0
        popleft = buffer.popleft
        while buffer and size < FRAME_BYTES:
            chunk = []
            for _ in range(min(CHUNK_EVENTS, len(buffer))):
                try:
                    item = popleft()
                except IndexError:
                    break
                if type(item) is tuple:
                    chunk.append(item)
                else:
                    markers.append(item)
            for part in encode_events(chunk):
                parts.append(part)
                size += len(part)
        dropped = self._take_dropped()
        if not parts and not dropped:
            self._complete_markers(markers)
            return None
        ref = self._next_ref
        self._next_ref += 1
        frame = publish_frame(ref, parts, self.source, dropped, self.session)
        self._unacked[ref] = (frame, markers)
        return frame

    def _complete_markers(self, markers: list[FlushMarker]) -> None:
        if not markers:
            return
        if self._unacked:  # done when the last frame already sent is acknowledged
            self._unacked[next(reversed(self._unacked))][1].extend(markers)
        else:
            for marker in markers:
                marker.done.set()

    def _take_dropped(self) -> dict[str, int]:
        """Drops since the last frame, per channel."""
        if not self._dropped:
            return {}
        counts, reported = dict(self._dropped), self._reported_drops
        new = {ch: n - reported.get(ch, 0) for ch, n in counts.items() if n > reported.get(ch, 0)}
        if not new:
            return {}
        self._reported_drops = counts
        self.dropped_total += sum(new.values())
        now = time.monotonic()
        if now >= self._next_drop_warning:  # at most every 10 s: a tight loop overflows a lot
            self._next_drop_warning = now + 10
            log.warning("jupyter_push: buffer full (%d events; JUPYTER_PUSH_BUFFER), dropped the "
                        "oldest: %d so far", self.capacity, self.dropped_total)
        return new

    def _receive(self, ws: Any) -> None:
        import websocket

        opcode, frame = ws.recv_data_frame(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            raise ConnectionError("closed by the server")
        if opcode != websocket.ABNF.OPCODE_TEXT:
            return
        try:
            from ..events import loads

            message = loads(frame.data if hasattr(frame, "data") else frame)
        except InvalidInput:
            return
        if not isinstance(message, dict):
            return
        if message.get("op") == "ack" and isinstance(message.get("ref"), int):
            self._acked(message["ref"], len(message.get("ids") or ()))
        elif message.get("op") == "error":
            log.warning("jupyter_push: the server refused an event: %s", message.get("message"))

    def _acked(self, ref: int, count: int) -> None:
        self.acked_events += count
        while self._unacked:
            first = next(iter(self._unacked))
            if first > ref:
                break
            _, markers = self._unacked.pop(first)
            for marker in markers:
                marker.done.set()

    def _drain_wake(self) -> None:
        try:
            while os.read(self._wake_r, 4096):
                pass
        except (BlockingIOError, OSError):
            pass

    def _sleep(self, seconds: float) -> None:
        select.select([self._wake_r], [], [], seconds)
        self._drain_wake()

    def _discard(self, reason: str) -> None:
        self.discarding = True
        self._idle = False
        warnings.warn(f"jupyter_push: events stay in this process: {reason}", stacklevel=1)
        while self._buffer:
            item = self._buffer.popleft()
            if isinstance(item, FlushMarker):
                item.done.set()


def encode_events(items: list[tuple[str, Any]]) -> list[bytes]:
    """`{"channel", "data"}` JSON for each (channel, data), comma-joined in as few pieces as
    possible. An event that cannot be encoded, or too large for any frame, is left out with a
    warning; the others are kept."""
    if not items:
        return []
    if _Fragment is not None:
        try:
            encoded = _orjson_dumps([{"channel": c, "data": d} for c, d in items])
        except TypeError:
            pass
        else:
            if len(encoded) <= FRAME_BYTES:
                return [encoded[1:-1]]
    parts = []
    for channel, data in items:
        try:
            part = event_json(channel, _encoded_bytes(data))
        except InvalidInput as e:
            warnings.warn(f"jupyter_push: event on {channel!r} not sent: {e}", stacklevel=1)
            continue
        if len(part) > MAX_EVENT_BYTES:
            warnings.warn(f"jupyter_push: event on {channel!r} not sent: {len(part)} bytes is "
                          f"more than the {MAX_EVENT_BYTES} a frame may carry", stacklevel=1)
            continue
        parts.append(part)
    return parts


def encoded(data: Any) -> Any:
    """`data` encoded now, in a form encode_events embeds as is (an orjson Fragment if
    available)."""
    raw = dumps(data)
    return _Fragment(raw) if _Fragment is not None else Encoded(raw)


def _encoded_bytes(data: Any) -> bytes:
    return data if type(data) is Encoded else dumps(data)  # orjson passes a Fragment through


def client_frame(payload: bytes) -> bytes:
    """`payload` as one masked WebSocket text frame, as a client must send it."""
    n = len(payload)
    if n < 126:
        head = bytes((0x81, 0x80 | n))
    elif n < 65536:
        head = bytes((0x81, 0xFE)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x81, 0xFF)) + n.to_bytes(8, "big")
    key = os.urandom(4)
    mask = (key * (n // 4 + 1))[:n]
    masked = (int.from_bytes(payload, "little") ^ int.from_bytes(mask, "little")).to_bytes(
        n, "little")
    return head + key + masked


def event_json(channel: str, encoded_data: bytes) -> bytes:
    """`{"channel", "data"}` for a publish frame; `channel` is already a valid name, which
    never needs JSON escaping."""
    return b'{"channel":"%b","data":%b}' % (channel.encode(), encoded_data)


def publish_frame(ref: int, events: list[bytes], source: dict[str, Any] | None,
                  dropped: dict[str, int] | None, session: str | None = None) -> bytes:
    """One `publish` op: the events, who sent them, and how many were dropped per channel.
    `session` + `ref` let the server recognise a frame resent after a lost ack."""
    return b'{"op":"publish","ref":%d,"events":[%b]%b%b%b}' % (
        ref,
        b",".join(events),
        b',"source":' + dumps(source) if source else b"",
        b',"dropped":' + dumps(dropped) if dropped else b"",
        b',"session":"' + session.encode() + b'"' if session else b"",
    )


def _connect_problem(error: Exception) -> str:
    status = getattr(error, "status_code", None)
    if status in (401, 403):
        return f"HTTP {status}: the server refused the token (JUPYTER_PUSH_TOKEN)"
    return str(error) or type(error).__name__


def _ssl_pending(sock: Any) -> bool:
    pending = getattr(sock, "pending", None)
    return bool(pending and pending())


# --------------------------------------------------------------------------- source


_KERNEL_FILE = re.compile(r"kernel-(.+)\.json\Z")


def kernel_source() -> dict[str, Any]:
    """What the server should record as the publisher: kernel id and notebook path, if known."""
    source: dict[str, Any] = {}
    kernel = _kernel_id()
    if kernel:
        source["kernel"] = kernel
    path = os.environ.get("JPY_SESSION_NAME")
    if path:
        source["path"] = path
    return source


def _kernel_id() -> str | None:
    candidates = []
    if "ipykernel" in sys.modules:
        try:
            from ipykernel.kernelapp import IPKernelApp

            if IPKernelApp.initialized():
                candidates.append(IPKernelApp.instance().connection_file)
        except Exception:
            pass
    argv = sys.argv
    candidates += [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg in ("-f", "--f")]
    candidates += [arg.split("=", 1)[1] for arg in argv if arg.startswith(("-f=", "--f="))]
    for candidate in candidates:
        match = _KERNEL_FILE.match(os.path.basename(candidate or ""))
        if match:
            return match.group(1)
    return None


# --------------------------------------------------------------------------- module API


_publisher: Publisher | None = None
_start_lock = threading.Lock()
_valid_channels: set[str] = set()
_warned_discard = False


def get_publisher() -> Publisher:
    """The process's publisher, started on first use (also after a fork)."""
    global _publisher
    publisher = _publisher
    if publisher is not None:
        return publisher
    with _start_lock:
        if _publisher is None:
            _publisher = Publisher()
            _install_hooks()
        return _publisher


def push(channel: str, data: Any) -> None:
    """Publish `data` (any JSON value) on `channel`. Returns at once; never blocks; never
    raises for transport reasons. In-process listeners (widgets) see it first."""
    if channel not in _valid_channels:
        _validate(channel)
    local.dispatch(channel, data)
    if type(data) not in _LAZY:
        data = encoded(data)
    publisher = _publisher or get_publisher()
    if not publisher.discarding:
        publisher.put(channel, data)


def flush(timeout: float | None = 2.0) -> bool:
    """Wait until everything pushed so far has reached the server. True if it has; False on
    timeout or when no server was found. Never raises for transport reasons."""
    publisher = _publisher
    if publisher is None:
        return True
    return publisher.flush(timeout)


def _validate(channel: str) -> None:
    check_channel(channel)  # InvalidChannel (a ValueError) tells the user what is wrong
    if len(_valid_channels) > 10_000:
        _valid_channels.clear()
    _valid_channels.add(channel)


CELL_FLUSH_TIMEOUT = 1.0
EXIT_FLUSH_TIMEOUT = 2.0


def _flush_after_cell(*_: Any) -> None:
    publisher = _publisher
    if publisher is not None and publisher.reachable and publisher.pending():
        publisher.flush(CELL_FLUSH_TIMEOUT)


def _flush_at_exit() -> None:
    publisher = _publisher
    if publisher is not None and publisher.pending():
        publisher.flush(EXIT_FLUSH_TIMEOUT)


def _install_hooks() -> None:
    atexit.register(_flush_at_exit)
    if "IPython" in sys.modules:
        try:
            from IPython import get_ipython

            shell = get_ipython()
            if shell is not None:
                shell.events.register("post_run_cell", _flush_after_cell)
        except Exception:
            log.debug("jupyter_push: no IPython cell hook", exc_info=True)


def _forget_after_fork() -> None:
    global _publisher
    _publisher = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
