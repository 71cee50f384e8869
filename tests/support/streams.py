"""Subscribing in tests with standard clients: an SSE stream (httpx-sse) and a WebSocket
(websockets), and reading what they deliver with a timeout."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager

import httpx
import httpx_sse
import websockets

from tests.conftest import ws_url

TIMEOUT = 5
KERNEL_TIMEOUT = 60  # events pushed by a kernel that may still be starting


@asynccontextmanager
async def sse(http: httpx.AsyncClient, *channels: str, headers=None, **params):
    """An open SSE stream; yields an async iterator of httpx_sse.ServerSentEvent."""
    query = [("channel", c) for c in channels] + [(k, str(v)) for k, v in params.items()]
    async with httpx_sse.aconnect_sse(http, "GET", "events", params=query,
                                      headers=headers or {}) as source:
        assert source.response.status_code == 200, await source.response.aread()
        yield source.aiter_sse()


async def take(events, n: int) -> list:
    return [await asyncio.wait_for(events.__anext__(), TIMEOUT) for _ in range(n)]


async def nothing_more(events, wait=0.3) -> bool:
    try:
        extra = await asyncio.wait_for(events.__anext__(), wait)
    except asyncio.TimeoutError:
        return True
    print("unexpected:", extra)
    return False


def data_of(messages) -> list:
    return [json.loads(m.data)["data"] for m in messages]


@asynccontextmanager
async def ws(push_url, auth):
    async with websockets.connect(ws_url(push_url), additional_headers=auth) as sock:
        yield sock


async def recv(sock) -> object:
    return json.loads(await asyncio.wait_for(sock.recv(), TIMEOUT))


# Events as dicts, for tests that only need the event objects


@asynccontextmanager
async def sse_stream(http, channel: str):
    async with httpx_sse.aconnect_sse(
            http, "GET", "events", params={"channel": channel, "retained": "0"}) as source:
        assert source.response.status_code == 200
        yield source.aiter_sse()


async def sse_events(stream, n: int) -> list[dict]:
    return [json.loads((await asyncio.wait_for(stream.__anext__(), KERNEL_TIMEOUT)).data)
            for _ in range(n)]


@asynccontextmanager
async def ws_subscriber(push_url, auth, channel: str):
    async with websockets.connect(ws_url(push_url), additional_headers=auth) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": [channel], "retained": False}))
        yield sock


async def ws_events(sock, n: int) -> list[dict]:
    events: list[dict] = []
    while len(events) < n:
        message = json.loads(await asyncio.wait_for(sock.recv(), KERNEL_TIMEOUT))
        batch = message if isinstance(message, list) else [message]
        assert all("op" not in item for item in batch), batch
        events.extend(batch)
    return events
