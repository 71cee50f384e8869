"""1,000 subscribers stop reading while 100 MB is published: the server's memory stays within
its queue limits, the stalled ones are cut off, and a healthy subscriber receives everything."""

from __future__ import annotations

import resource
import socket
import threading
import time

import httpx
import pytest

from tests.redis.servers import JupyterServer
from tests.support.processes import wait_until

STALLED = 1000
EVENT_BYTES = 1_000
EVENTS = 100_000  # 100,000 x 1 KB = 100 MB
BATCH = 500
QUEUE_BYTES = 1 << 20  # per subscriber; a healthy reader never holds more than a few batches
HISTORY = 20_000  # for the healthy reader to resume from when it is cut off (~45 MB held)


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def open_stream(port: int, path: str, token: str, rcvbuf: int | None = None,
                extra: str = "") -> socket.socket:
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}"
                 f"Authorization: token {token}\r\nAccept: text/event-stream\r\n\r\n".encode())
    return sock


@pytest.fixture
def many_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * STALLED + 500
    if hard != resource.RLIM_INFINITY and hard < need:
        pytest.skip(f"needs {need} open files (ulimit -Hn is {hard})")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_thousand_stalled_subscribers_are_cut_off_and_memory_stays_bounded(tmp_path,
                                                                           many_files):
    server = JupyterServer(tmp_path, {"PushApp": {
        "queue_max_bytes": QUEUE_BYTES, "queue_max_events": 5000, "history_size": HISTORY,
        "heartbeat_interval": 1.0,
    }}).start()
    path = "/push/events?channel=flood&retained=0"
    stalled: list[socket.socket] = []
    try:
        status = lambda: httpx.get(server.push_url + "status",  # noqa: E731
                                   headers=server.headers).json()
        received: list[int] = []
        reconnects = [0]

        def read_healthy() -> None:
            """An EventSource-like reader: on a cut-off it reconnects with Last-Event-ID."""
            last_id = None
            while len(received) < EVENTS:
                headers = f"Last-Event-ID: {last_id}\r\n" if last_id else ""
                sock = open_stream(server.port, path, server.token, extra=headers)
                buffer = b""
                with sock:
                    while len(received) < EVENTS:
                        chunk = sock.recv(1 << 20)
                        if not chunk:
                            break
                        *frames, buffer = (buffer + chunk).split(b"\n\n")
                        for frame in frames:
                            _, sep, rest = frame.rpartition(b"id: ")
                            if not sep:
                                continue
                            event_id, _, data = rest.partition(b"\ndata: ")
                            last_id = event_id.decode()
                            received.append(int(data.split(b'"data":[', 1)[1].split(b",", 1)[0]))
                reconnects[0] += 1

        reader = threading.Thread(target=read_healthy, daemon=True)
        reader.start()
        for _ in range(STALLED):
            stalled.append(open_stream(server.port, path, server.token, rcvbuf=4096))
        wait_until(lambda: status()["subscribers"] == STALLED + 1, 60, "all subscribers")
        before = rss_kb(server.proc.pid)  # type: ignore[union-attr]

        filler = "x" * EVENT_BYTES
        peak = before
        with httpx.Client(base_url=server.push_url, headers=server.headers, timeout=60) as c:
            for start in range(0, EVENTS, BATCH):
                batch = [{"channel": "flood", "data": [i, filler]}
                         for i in range(start, start + BATCH)]
                r = c.post("events", json=batch)
                while r.status_code == 429:  # held back by the stalled ones: as told, later
                    time.sleep(int(r.headers["Retry-After"]))
                    r = c.post("events", json=batch)
                assert r.status_code == 200, r.text
                peak = max(peak, rss_kb(server.proc.pid))  # type: ignore[union-attr]
        reader.join(120)
        assert received == list(range(EVENTS))  # everything, in order, once
        # (the healthy reader closed its stream when it had everything)
        wait_until(lambda: status()["subscribers"] == 0, 30, "the stalled ones to be cut off")
        # 100 MB to 1,001 subscribers would be ~100 GB unbounded. The queues allow 1 MB each
        # (1 GB in all) but hold shared events, so far less is used: the history (~45 MB),
        # one shared batch in the stalled sockets' write buffers, and the connections.
        growth_mb = (peak - before) / 1024
        assert growth_mb < STALLED * QUEUE_BYTES / (1 << 20) / 2, growth_mb
        print(f"RSS before {before / 1024:.0f} MB, peak growth {growth_mb:.0f} MB, "
              f"healthy reader resumed {reconnects[0] - 1} times")
        assert server.alive()
    finally:
        for s in stalled:
            s.close()
        server.stop()
