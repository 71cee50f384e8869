"""End to end: a notebook kernel started by the server pushes; standard clients receive.

The kernel is a real subprocess started through `POST api/sessions` (so jupyter_server sets
JPY_SESSION_NAME), code runs through the kernel's channels WebSocket as in a browser, and the
events arrive over SSE (httpx-sse) and WebSocket (websockets).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from contextlib import asynccontextmanager

import httpx_sse
import pytest
import websockets

from tests.client.support import subscribed
from tests.conftest import ws_url

NOTEBOOK = "notebooks/demo.ipynb"
TIMEOUT = 60


@pytest.fixture
def notebook_kernel(jp_fetch, jp_ws_fetch, jp_root_dir):
    """An async context manager: a notebook session's kernel id and its channels socket."""
    (jp_root_dir / "notebooks").mkdir()

    @asynccontextmanager
    async def start():
        r = await jp_fetch("api", "sessions", method="POST", body=json.dumps(
            {"path": NOTEBOOK, "type": "notebook", "kernel": {"name": "python3"}}))
        kernel_id = json.loads(r.body)["kernel"]["id"]
        channels = await jp_ws_fetch("api", "kernels", kernel_id, "channels")
        try:
            yield kernel_id, channels
        finally:
            channels.close()
            await jp_fetch("api", "kernels", kernel_id, method="DELETE")

    return start


async def execute(channels, code: str) -> None:
    """Run `code` in the kernel; fail with the traceback if it raises."""
    msg_id = uuid.uuid4().hex
    await channels.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": "test",
                   "username": "test", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    while True:
        raw = await asyncio.wait_for(channels.read_message(), TIMEOUT)
        assert raw is not None, "kernel channels closed"
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            pytest.fail("\n".join(msg["content"]["traceback"]))
        if msg["msg_type"] == "execute_reply":
            assert msg["content"]["status"] == "ok", msg["content"]
            return


@asynccontextmanager
async def sse_stream(http, channel: str):
    async with httpx_sse.aconnect_sse(
            http, "GET", "events", params={"channel": channel, "retained": "0"}) as source:
        assert source.response.status_code == 200
        yield source.aiter_sse()


async def sse_events(stream, n: int) -> list[dict]:
    return [json.loads((await asyncio.wait_for(stream.__anext__(), TIMEOUT)).data)
            for _ in range(n)]


@asynccontextmanager
async def ws_subscriber(push_url, auth, channel: str):
    async with websockets.connect(ws_url(push_url), additional_headers=auth) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": [channel], "retained": False}))
        yield sock


async def ws_events(sock, n: int) -> list[dict]:
    events: list[dict] = []
    while len(events) < n:
        message = json.loads(await asyncio.wait_for(sock.recv(), TIMEOUT))
        batch = message if isinstance(message, list) else [message]
        assert all("op" not in item for item in batch), batch
        events.extend(batch)
    return events


async def test_push_from_a_notebook_reaches_sse_and_websocket_with_its_source(
        notebook_kernel, http, push_url, auth):
    async with notebook_kernel() as (kernel_id, channels), sse_stream(http, "progress") as sse, \
            ws_subscriber(push_url, auth, "progress") as ws:
        await subscribed(http, 2)  # the SSE stream and the WebSocket
        await execute(channels, 'from jupyter_push import push; push("progress", 40)')
        (over_sse,) = await sse_events(sse, 1)
        (over_ws,) = await ws_events(ws, 1)
    for event in (over_sse, over_ws):
        assert event["channel"] == "progress" and event["data"] == 40
        assert event["source"]["kernel"] == kernel_id
        assert event["source"]["path"] == NOTEBOOK
    assert over_sse["id"] == over_ws["id"]


async def test_a_thousand_pushes_in_one_cell_all_arrive_in_order(
        notebook_kernel, http, push_url, auth):
    async with notebook_kernel() as (_, channels), sse_stream(http, "count") as sse, \
            ws_subscriber(push_url, auth, "count") as ws:
        await subscribed(http, 2)
        await execute(channels, "from jupyter_push import push\n"
                                "for i in range(1000):\n    push('count', i)")
        assert [e["data"] for e in await sse_events(sse, 1000)] == list(range(1000))
        assert [e["data"] for e in await ws_events(ws, 1000)] == list(range(1000))


async def test_cell_end_flushes_so_history_is_complete_when_the_cell_returns(
        notebook_kernel, http):
    async with notebook_kernel() as (_, channels):
        await execute(channels, "from jupyter_push import push\n"
                                "for i in range(500):\n    push('done', {'i': i})")
        r = await http.get("history", params={"channel": "done", "limit": 1000})
    assert [e["data"]["i"] for e in r.json()["events"]] == list(range(500))
