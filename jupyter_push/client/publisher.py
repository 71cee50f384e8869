"""The kernel's publisher: a bounded buffer drained by one background thread that owns
one WebSocket to `{url}ws`.

put() only appends to the buffer (and wakes the thread when it sleeps); it never blocks and
never raises for transport reasons. The thread sends whatever has accumulated as one
`publish` frame as soon as it is idle, so events batch by themselves under load. A sparse event
(the thread idle, nothing sent for DIRECT_GAP) is sent by put() itself with one non-blocking
send: waking the thread would add a thread switch (~0.1–0.2 ms) to its latency. Each frame
carries a `ref`; the server's ack completes it. Frames not acknowledged when the socket drops
are sent again after reconnecting (at least once). On overflow the oldest events are dropped,
counted per channel, and the next frame reports them as `"dropped": {channel: n}`.

The buffer is bounded in events (`capacity`, JUPYTER_PUSH_BUFFER) and in bytes
(`byte_capacity`, JUPYTER_PUSH_BUFFER_BYTES): the size of each value, carried beside it from
put() (its JSON when push() encoded it, a string's length; numbers count 0). Frames sent and
not yet acknowledged count towards the bytes too, so the bound covers everything the
publisher holds; the thread stops sending once they reach half of it (`_in_flight_cap`), so
the buffer keeps old events to drop for a new one. One writer per counter: the caller's
thread spends `_room` (what it may add before it looks again: one subtraction per put()) and
drops; whoever holds the lock counts `_bytes_sent` and `_bytes_released` (acknowledged by the
server). When the room is spent, put() looks again (`_refresh_room`) and drops the oldest if
it must.

The link to the server is one of the `Link` states; `_idle` is the hand-off flag between the
thread and put() (who sends next), and `_closed` the request to stop.
"""

from __future__ import annotations

import collections
import enum
import logging
import os
import secrets
import select
import socket
import threading
import time
import warnings
from typing import Any, Callable

from .._backoff import backoff_delay
from .._json import dumps, loads
from ..exceptions import InvalidInput, NoServer
from ..wire import client_frame, publish_frame
from .discovery import Server, find_server, restarted_elsewhere
from .encoding import CHUNK_EVENTS, FRAME_BYTES, encode_events
from .identity import kernel_source

log = logging.getLogger("jupyter_push")

DEFAULT_BUFFER = 1_000_000  # a million-push loop waits here whole under backpressure
DEFAULT_BUFFER_BYTES = 256 << 20  # a loop of large values (images) stays within this
MAX_IN_FLIGHT = 64  # unacknowledged frames before the thread waits for acks
CONNECT_TIMEOUT = 5.0
PING_INTERVAL = 30.0
DIRECT_GAP = 0.001  # put() sends itself only if nothing went out this recently: else batch


class Link(enum.Enum):
    """Where the publisher stands with its server."""

    CONNECTING = "connecting"  # looking for the server or (re)connecting; events wait
    CONNECTED = "connected"  # a WebSocket is open
    UNREACHABLE = "unreachable"  # the last attempt failed; retrying with backoff, events wait
    DISCARDING = "discarding"  # no server at all: events only reach in-process listeners


CONNECTING, CONNECTED, UNREACHABLE, DISCARDING = Link  # module names: cheaper on hot paths


def buffer_size() -> int:
    return _positive_env("JUPYTER_PUSH_BUFFER", DEFAULT_BUFFER)


def buffer_bytes() -> int:
    return _positive_env("JUPYTER_PUSH_BUFFER_BYTES", DEFAULT_BUFFER_BYTES)


def _positive_env(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


class FlushMarker:
    """Put in the buffer by flush(); set once every event before it is acknowledged."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


class SourceChange:
    """Put in the buffer when a new notebook cell starts: the events after it carry `source`
    (the cell's id and execution count beside the kernel and notebook)."""

    __slots__ = ("source",)

    def __init__(self, source: dict[str, Any]) -> None:
        self.source = source


class Publisher:
    """One buffer, one thread, one WebSocket. `put` is the hot path."""

    # slots: put() reads and writes its attributes on every push()
    __slots__ = (
        "_added_mark", "_buffer", "_bytes_released", "_bytes_sent", "_closed", "_direct",
        "_dropped", "_following", "_granted", "_idle", "_in_flight_cap", "_last_direct",
        "_lock", "_next_drop_warning", "_next_ref", "_ops", "_partial", "_peak",
        "_released_mark", "_reported_drops", "_room", "_thread", "_token", "_unacked", "_url",
        "_wake_r", "_wake_w", "acked_events", "base_source", "byte_capacity", "capacity",
        "connections", "dropped_total", "inbox", "last_event_id", "link", "sent_direct",
        "sent_frames", "server", "session", "source",
    )

    def __init__(self, url: str | None = None, token: str | None = None,
                 capacity: int | None = None, source: dict[str, Any] | None = None,
                 byte_capacity: int | None = None):
        self._url, self._token = url, token
        self.capacity = capacity or buffer_size()
        self.byte_capacity = byte_capacity or buffer_bytes()
        # no frame is sent while unacknowledged ones hold half the bytes or more
        self._in_flight_cap = max(1, self.byte_capacity // 2)
        # the caller's thread: bytes it may still add; at its last look, the bytes it had
        # added in all (less those it dropped), the room it gave itself, what was released
        self._room = self._granted = self.byte_capacity
        self._added_mark = self._released_mark = 0
        self._bytes_sent = 0  # under the lock: sizes taken into frames
        self._bytes_released = 0  # under the lock: sizes acknowledged (or never sendable)
        self._peak = 0  # see peak_bytes
        if source is None:
            source = kernel_source()
            if "kernel" not in source:  # a script: a random origin tells its own events apart
                source["origin"] = secrets.token_hex(6)
        self.source = source
        self.base_source = dict(self.source)
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
        self.link = CONNECTING
        self.server: Server | None = None
        self._next_ref = 1
        self.session = secrets.token_hex(8)  # frames resent after a lost ack are dropped
        # ref -> (frame, flush markers completed by its ack, bytes of values it carries)
        self._unacked: collections.OrderedDict[int, tuple[bytes, list[FlushMarker], int]] = (
            collections.OrderedDict()
        )
        self.sent_frames = 0
        self.sent_direct = 0  # of which push() sent itself
        self.dropped_total = 0  # reported to the server so far
        self._next_drop_warning = 0.0
        self.connections = 0
        self.acked_events = 0
        # Channels this process listens to on the same socket (controls, on()): their events
        # go to `inbox` on this thread. Subscribe requests wait in `_ops` for the thread.
        self.inbox: Callable[[list[dict[str, Any]]], None] | None = None
        self._following: dict[str, None] = {}
        self._ops: collections.deque[bytes] = collections.deque()
        self.last_event_id: str | None = None
        self._thread = threading.Thread(target=self._run, name="jupyter_push-publisher",
                                        daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ caller's thread

    def put(self, channel: str, data: Any, size: int = 0) -> None:
        """Buffer one event; `size`: its value's bytes (0 for a number)."""
        buffer = self._buffer
        if len(buffer) >= self.capacity:
            self._drop_oldest()
        if size:
            room = self._room - size
            if room >= 0:
                self._room = room
            elif not self._take_room(channel, size):
                return
        buffer.append((channel, data, size))
        if self._idle and not self._send_now():
            self._wake()

    @property
    def held_bytes(self) -> int:
        """Bytes of the values buffered or sent and not yet acknowledged."""
        return self._added_mark + self._granted - self._room - self._bytes_released

    @property
    def peak_bytes(self) -> int:
        """At most this many bytes were held at once (buffered + unacknowledged): an upper
        bound, which counts as still held what was released since put() last looked."""
        return max(self._peak, self._added_mark + self._granted - self._room
                   - self._released_mark)

    def _can_send(self) -> bool:
        return (len(self._unacked) < MAX_IN_FLIGHT
                and self._bytes_sent - self._bytes_released < self._in_flight_cap)

    def set_cell(self, cell: dict[str, Any]) -> None:
        """The events put from now on come from this cell (`{"cell", "execution_count"}`)."""
        change = SourceChange({**self.base_source, **cell})
        buffer = self._buffer
        try:
            if buffer and type(buffer[-1]) is SourceChange:  # cells that pushed nothing
                buffer[-1] = change
                return
        except IndexError:  # the thread took it meanwhile
            pass
        buffer.append(change)

    def _send_now(self) -> bool:
        """Send what is buffered from the caller's thread; False to leave it to the thread."""
        now = time.monotonic()
        if now - self._last_direct < DIRECT_GAP or not self._lock.acquire(blocking=False):
            return False
        try:
            sock = self._direct
            if sock is None or not self._idle or self._partial or not self._can_send():
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

    def follow(self, patterns: list[str]) -> None:
        """Also receive events on `patterns` (handed to `inbox`), from now on and after every
        reconnection (resuming after the last one received). Ordered before anything put()
        after this call: a declaration pushed next is published once its listener is in place."""
        new = [p for p in patterns if p not in self._following]
        if not new:
            return
        for p in new:
            self._following[p] = None
        self._ops.append(dumps({"op": "subscribe", "channels": new, "retained": False}))
        self._wake()

    def flush(self, timeout: float | None = 2.0) -> bool:
        """Wait until everything put so far is acknowledged by the server. False on timeout,
        or at once when there is no server."""
        if self.link is DISCARDING or self._closed:
            return False
        marker = FlushMarker()
        self._buffer.append(marker)
        self._wake()
        return marker.done.wait(timeout) and self.link is not DISCARDING

    @property
    def connected(self) -> bool:
        return self.link is CONNECTED

    @property
    def reachable(self) -> bool:
        """False while retrying after a failed connection attempt."""
        return self.link is not UNREACHABLE

    @property
    def discarding(self) -> bool:
        return self.link is DISCARDING

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

    def _take_room(self, channel: str, size: int) -> bool:
        """put()'s room is spent: look again at what the server acknowledged meanwhile, and
        drop the oldest events if that is not enough. False when even dropping every buffered
        one leaves no room (the unacknowledged bytes fill the bound, or `size` alone is
        larger): the new event is dropped instead, and counted."""
        if size <= self.byte_capacity:
            self._refresh_room()
            if self._room < size:  # a block (1% of the bound) more, so this is paid rarely
                self._drop_oldest(min(size + self.byte_capacity // 100, self.byte_capacity))
            if self._room >= size:
                self._room -= size
                return True
        self._dropped[channel] = self._dropped.get(channel, 0) + 1
        return False

    def _refresh_room(self) -> None:
        added = self._added_mark + self._granted - self._room
        held_at_most = added - self._released_mark  # since the last look: released only grows
        if held_at_most > self._peak:
            self._peak = held_at_most
        released = self._bytes_released
        self._added_mark, self._released_mark = added, released
        self._granted = self._room = self.byte_capacity - (added - released)

    def _drop_oldest(self, room: int = 0) -> None:
        """Drop the oldest events until the buffer is a block (1% of `capacity`) below its
        event bound and there are `room` bytes of room (or nothing is left to drop)."""
        # By blocks so that a loop outpacing the sender pays this once per block. No lock:
        # counts only grow here; the thread reports the growth.
        buffer, dropped = self._buffer, self._dropped
        keep = self.capacity - max(1, self.capacity // 100)
        self._refresh_room()
        while len(buffer) > keep or self._room < room:
            try:
                item = buffer.popleft()
            except IndexError:
                return
            if type(item) is tuple:
                dropped[item[0]] = dropped.get(item[0], 0) + 1
                self._room += item[2]
            elif type(item) is SourceChange:
                self.source = item.source
            else:
                item.done.set()

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        attempt = 0  # failed connection attempts in a row
        while not self._closed:
            try:
                server = find_server(self._url, self._token)
            except NoServer as e:
                if self.server is None:  # never had a server: events stay in this process
                    self._discard(str(e))
                    return
                # the server is restarting (its runtime file is gone): keep events, look again
                self.link = UNREACHABLE
                self._sleep(backoff_delay(attempt))
                attempt += 1
                continue
            self.server = server
            try:
                ws = self._connect_somewhere(server, attempt)
            except Exception as e:
                if self.link is not UNREACHABLE:  # once per outage; retries are quiet
                    log.warning("jupyter_push: cannot reach %s (%s); keeping events and retrying",
                                server.url, _connect_problem(e))
                self.link = UNREACHABLE
                self._sleep(backoff_delay(attempt))
                attempt += 1
                continue
            attempt = 0
            try:
                self._session(ws)
            except Exception as e:
                log.debug("jupyter_push: connection lost: %s", e)
            finally:
                self.link = CONNECTING
                try:
                    ws.close(timeout=0.1)
                except Exception:
                    pass
            if not self._closed:  # lost: every kernel of a restarted server is here at once
                self._sleep(backoff_delay(0))

    def _connect_somewhere(self, server: Server, attempt: int) -> Any:
        """A connection to `server`; after a failed attempt, also to a server restarted
        elsewhere (another port) that accepts the same token (found by its runtime file)."""
        try:
            return self._connect(server)
        except Exception:
            if attempt == 0 or self._url is not None:
                raise
            for moved in restarted_elsewhere(server):
                try:
                    ws = self._connect(moved)
                except Exception:
                    continue
                self.server = moved
                return ws
            raise

    def _connect(self, server: Server) -> Any:
        import websocket

        header = [f"Authorization: token {server.token}"] if server.token else []
        ws = websocket.create_connection(
            server.ws_url, timeout=CONNECT_TIMEOUT, header=header, suppress_origin=True,
            skip_utf8_validation=True, enable_multithread=False,
        )
        ws.settimeout(CONNECT_TIMEOUT)
        self.link = CONNECTED
        self.connections += 1
        self._partial = b""
        self._ops.clear()  # this subscribe covers them
        if self._following:
            request: dict[str, Any] = {"op": "subscribe", "channels": list(self._following)}
            if self.last_event_id is not None:
                request["since"] = self.last_event_id  # what was sent while we were away
            else:
                request["retained"] = False
            ws.send(dumps(request))
        for frame, _, _ in self._unacked.values():  # sent before the drop, never acknowledged
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
                while self._ops:
                    ws.send(self._ops.popleft())
                can_send = self._can_send()
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
                    events = self._receive(ws)
                if events and self.inbox is not None:  # outside the lock: it may push()
                    try:
                        self.inbox(events)
                    except Exception:
                        log.exception("jupyter_push: handling received events failed")
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
        new_source = False
        taken = 0  # bytes of the values taken
        while buffer and size < FRAME_BYTES and not new_source:
            chunk = []
            for _ in range(min(CHUNK_EVENTS, len(buffer))):
                try:
                    item = popleft()
                except IndexError:
                    break
                if type(item) is tuple:
                    chunk.append(item)
                    taken += item[2]
                elif type(item) is SourceChange:
                    if chunk or parts:  # one source per frame: the next frame starts with it
                        buffer.appendleft(item)
                        new_source = True
                        break
                    self.source = item.source
                else:
                    markers.append(item)
            for part in encode_events(chunk):
                parts.append(part)
                size += len(part)
        dropped = self._take_dropped()
        if not parts and not dropped:
            self._bytes_sent += taken  # none of them could be encoded: nothing to wait for
            self._bytes_released += taken
            self._complete_markers(markers)
            return None
        ref = self._next_ref
        self._next_ref += 1
        frame = publish_frame(ref, parts, self.source, dropped, self.session)
        self._unacked[ref] = (frame, markers, taken)
        self._bytes_sent += taken
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
            log.warning("jupyter_push: buffer full (%d events or %d bytes: JUPYTER_PUSH_BUFFER, "
                        "JUPYTER_PUSH_BUFFER_BYTES), dropped the oldest: %d events so far",
                        self.capacity, self.byte_capacity, self.dropped_total)
        return new

    def _receive(self, ws: Any) -> list[dict[str, Any]] | None:
        """Read one message: acks and errors are handled here; events (on followed channels)
        are returned."""
        import websocket

        opcode, frame = ws.recv_data_frame(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            raise ConnectionError("closed by the server")
        if opcode != websocket.ABNF.OPCODE_TEXT:
            return None
        try:
            message = loads(frame.data if hasattr(frame, "data") else frame)
        except InvalidInput:
            return None
        if isinstance(message, list):  # a batch of events
            events = [e for e in message if isinstance(e, dict) and "op" not in e]
            if events:
                self.last_event_id = events[-1].get("id", self.last_event_id)
            return events
        if not isinstance(message, dict):
            return None
        if "op" not in message:
            self.last_event_id = message.get("id", self.last_event_id)
            return [message]
        if message.get("op") == "ack" and isinstance(message.get("ref"), int):
            self._acked(message["ref"], len(message.get("ids") or ()))
        elif message.get("op") == "error":
            log.warning("jupyter_push: the server refused an event: %s", message.get("message"))
        return None

    def _acked(self, ref: int, count: int) -> None:
        self.acked_events += count
        while self._unacked:
            first = next(iter(self._unacked))
            if first > ref:
                break
            _, markers, size = self._unacked.pop(first)
            self._bytes_released += size
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
        self.link = DISCARDING
        self._idle = False
        warnings.warn(f"jupyter_push: events stay in this process: {reason}", stacklevel=1)
        while self._buffer:
            item = self._buffer.popleft()
            if isinstance(item, FlushMarker):
                item.done.set()
            elif type(item) is tuple:
                self._bytes_sent += item[2]
                self._bytes_released += item[2]


def _connect_problem(error: Exception) -> str:
    status = getattr(error, "status_code", None)
    if status in (401, 403):
        return f"HTTP {status}: the server refused the token (JUPYTER_PUSH_TOKEN)"
    return str(error) or type(error).__name__


def _ssl_pending(sock: Any) -> bool:
    pending = getattr(sock, "pending", None)
    return bool(pending and pending())
