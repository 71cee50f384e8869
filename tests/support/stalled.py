"""A subscriber that stops reading, and holding the hub back with it: publishers then wait
(backpressure) until it drains or is let go."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import httpx

FILL = "f" * 60_000  # per event: a few posts of them pass what loopback socket buffers hold


def stalled_sse_client(push_url: str, token: str, *channels: str) -> socket.socket:
    """An SSE request for `channels` that is sent and then never read."""
    url = urlparse(push_url)
    sock = socket.create_connection((url.hostname, url.port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    query = "&".join(f"channel={c}" for c in channels)
    sock.sendall(
        f"GET {url.path}events?{query}&retained=0 HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Authorization: token {token}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    return sock


async def hold_back(http: httpx.AsyncClient, hub, channel: str, rounds: int = 500) -> int:
    """Publish on `channel` (which a stalled subscriber follows) until the hub counts a
    subscriber behind; returns the number of posts (each accepted)."""
    for n in range(1, rounds + 1):
        r = await http.post("events", json=[{"channel": channel, "data": [n, i, FILL]}
                                            for i in range(10)])
        assert r.status_code == 200, r.text
        if hub.backlog.behind:
            return n
    raise AssertionError(f"no subscriber behind after {rounds} posts")
