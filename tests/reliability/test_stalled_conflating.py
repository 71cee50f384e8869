"""A stalled renderer is slow in time too: an SSE subscriber that asked for `max_rate` and
stops reading is cut off once its queue has waited longer than slow_subscriber_timeout (not
only when it reaches the byte cap, set out of reach here), while a healthy conflating
subscriber of the same channels keeps its stream and gets every channel's latest value.
Neither holds the publisher back: what enters their queues is capped by their rate."""

from __future__ import annotations

import asyncio
import json
import socket
from urllib.parse import urlparse

import pytest

from tests.support.streams import sse
from tests.support.waiting import until

CHANNELS = [f"render/{c}" for c in range(8)]
RATE = 50  # per channel: 8 x 50 x ~8 KB ≈ 3 MB/s into the stalled queue, past any socket buffer
PAYLOAD = "x" * 8000
TIMEOUT = 1.0
ROUNDS = 5000  # the bound on publishing while waiting for the cut-off (~20 s of queue)
CONFIG = {"slow_subscriber_timeout": TIMEOUT, "queue_max_bytes": 1 << 30}


def stalled_conflating_client(push_url: str, token: str) -> socket.socket:
    """A client that subscribes with `max_rate` and then never reads."""
    url = urlparse(push_url)
    sock = socket.create_connection((url.hostname, url.port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    query = "&".join(f"channel={c}" for c in CHANNELS)
    sock.sendall(
        f"GET {url.path}events?{query}&retained=0&max_rate={RATE} HTTP/1.1\r\n"
        f"Host: {url.netloc}\r\nAuthorization: token {token}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    return sock


@pytest.mark.parametrize("push_config", [CONFIG])
async def test_stalled_max_rate_subscriber_is_cut_off_after_the_timeout_healthy_one_is_not(
    http, push_url, jupyter_token, push_app
):
    hub = push_app.state.hub
    stalled = stalled_conflating_client(push_url, jupyter_token)
    try:
        async with sse(http, *CHANNELS, retained=0, max_rate=RATE) as healthy:
            await until(lambda: hub.subscribers == 2, what="two subscribers")
            latest: dict[str, object] = {}

            async def read() -> None:
                async for message in healthy:
                    event = json.loads(message.data)
                    latest[event["channel"]] = event["data"]

            reader = asyncio.ensure_future(read())
            rounds = 0
            while hub.subscribers > 1 and rounds < ROUNDS:
                batch = [{"channel": c, "data": [rounds, PAYLOAD]} for c in CHANNELS]
                assert (await http.post("events", json=batch)).status_code == 200
                assert not hub.backlog.behind  # a conflating subscriber holds no one back
                rounds += 1
            # cut off in time: its queue stayed far below the byte cap
            assert hub.subscribers == 1, f"still subscribed after {rounds} rounds"
            assert hub.stats.overflows == 1  # the stalled one only

            # the healthy one still has its stream and gets every channel's latest value
            await http.post("events", json=[{"channel": c, "data": "last"} for c in CHANNELS])
            await until(lambda: all(latest.get(c) == "last" for c in CHANNELS),
                        what="the latest value of every channel")
            assert not reader.done()
            assert hub.stats.overflows == 1
            reader.cancel()
            # the stalled stream is let go by the server (only the healthy one is left)
            await until(lambda: len(push_app.state.closers) == 1, what="the stalled one let go")
    finally:
        stalled.close()
