"""Bounded queues: a subscriber that stops reading is cut off (SSE) or told of a gap
(WebSocket); healthy subscribers keep receiving everything; the cut-off one can resume."""

from __future__ import annotations

import asyncio
import json
import socket
from urllib.parse import urlparse

import pytest
import websockets

from tests.conftest import ws_url
from tests.support.streams import sse, take
from tests.support.waiting import handled, until

# a stalled one is cut off well within the healthy reader's wait for its next event (the
# publisher waits for it meanwhile)
LIMITS = {"queue_max_events": 200, "queue_max_bytes": 200_000, "slow_subscriber_timeout": 1.0}
PAYLOAD = "x" * 4000
BATCHES = 60  # 60 x 20 events x ~4 KB ≈ 5 MB: more than loopback socket buffers hold


def stalled_sse_client(push_url: str, token: str) -> socket.socket:
    """A client that sends its request and then never reads."""
    url = urlparse(push_url)
    sock = socket.create_connection((url.hostname, url.port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(
        f"GET {url.path}events?channel=flood&retained=0 HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Authorization: token {token}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    return sock


@pytest.mark.parametrize("push_config", [LIMITS])
async def test_stalled_sse_subscriber_is_cut_off_and_healthy_ones_get_everything(
    http, push_url, jupyter_token, push_app
):
    stalled = [stalled_sse_client(push_url, jupyter_token) for _ in range(3)]
    try:
        async with sse(http, "flood", retained=0) as healthy:
            hub = push_app.state.hub
            await until(lambda: hub.subscribers == 4, what="four subscribers")
            received: list = []

            async def read_all():
                received.extend(await take(healthy, BATCHES * 20))

            reader = asyncio.ensure_future(read_all())
            for b in range(BATCHES):
                batch = [{"channel": "flood", "data": [b, i, PAYLOAD]} for i in range(20)]
                assert (await http.post("events", json=batch)).status_code == 200
                await asyncio.sleep(0)
            await asyncio.wait_for(reader, 30)
            assert [tuple(json.loads(m.data)["data"][:2]) for m in received] == [
                (b, i) for b in range(BATCHES) for i in range(20)
            ]
            # the stalled ones are gone: unsubscribed, their streams closed by the server
            await until(lambda: hub.subscribers == 1, what="the stalled ones cut off")
            assert len(push_app.state.closers) == 1
    finally:
        for s in stalled:
            s.close()


@pytest.mark.parametrize("push_config", [LIMITS])
async def test_cut_off_sse_subscriber_resumes_from_its_last_id(http):
    first = (await http.post("events", json={"channel": "resume", "data": 0})).json()["ids"][0]
    await http.post("events", json=[{"channel": "resume", "data": i} for i in range(1, 150)])
    async with sse(http, "resume", headers={"Last-Event-ID": first}) as stream:
        got = await take(stream, 149)
        assert [json.loads(m.data)["data"] for m in got] == list(range(1, 150))


@pytest.mark.parametrize("push_config", [LIMITS])
async def test_websocket_that_falls_behind_gets_a_gap_with_its_last_id(http, push_url, auth):
    url = urlparse(push_url)
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # so the server's writes stall
    raw.connect((url.hostname, url.port))
    async with websockets.connect(ws_url(push_url), additional_headers=auth, sock=raw,
                                  max_queue=1) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["wflood"],
                                    "retained": False}))
        await handled(sock)
        for b in range(BATCHES):
            await http.post("events", json=[{"channel": "wflood", "data": [b, i, PAYLOAD]}
                                            for i in range(20)])
        seen_gap = None
        last_id = None
        for _ in range(BATCHES * 20 + 10):
            msg = json.loads(await asyncio.wait_for(sock.recv(), 10))
            if isinstance(msg, dict) and msg.get("op") == "gap":
                seen_gap = msg
                break
            for e in msg if isinstance(msg, list) else [msg]:
                last_id = e["id"]
        # the client resumes with {"op": "subscribe", "since": <that id>}: see test_protocol
        assert seen_gap is not None and seen_gap["since"] == last_id
