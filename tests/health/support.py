"""Helpers for the run-health tests: notebook kernels started through api/sessions, code run
through the kernel's channels WebSocket (as a browser does), SSE streams of reserved channels."""

from __future__ import annotations

import asyncio
import json
import uuid
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable

import httpx_sse

TIMEOUT = 60


async def start_session(jp_fetch, path: str) -> str:
    r = await jp_fetch("api", "sessions", method="POST", body=json.dumps(
        {"path": path, "type": "notebook", "kernel": {"name": "python3"}}))
    return json.loads(r.body)["kernel"]["id"]


async def execute(channels, code: str, *, cell_id: str | None = None,
                  expect_error: bool = False) -> dict[str, Any]:
    """Run `code` in the kernel (with JupyterLab's `cellId` metadata when given); returns
    the execute_reply content. Fails on an error unless `expect_error`."""
    msg_id = uuid.uuid4().hex
    await channels.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": "test",
                   "username": "test", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {"cellId": cell_id} if cell_id else {},
        "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    while True:
        raw = await asyncio.wait_for(channels.read_message(), TIMEOUT)
        assert raw is not None, "kernel channels closed"
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "execute_reply":
            status = msg["content"]["status"]
            assert (status == "error") == expect_error, msg["content"]
            return msg["content"]


@asynccontextmanager
async def sse_stream(http, *channels: str, retained: bool = True) -> AsyncIterator[Any]:
    params = [("channel", c) for c in channels] + ([] if retained else [("retained", "0")])
    async with httpx_sse.aconnect_sse(http, "GET", "events", params=params) as source:
        assert source.response.status_code == 200, source.response.status_code
        yield source.aiter_sse()


async def wait_for(stream, accept: Callable[[dict], bool], timeout: float = TIMEOUT) -> dict:
    """The first event on `stream` that `accept` takes; fails after `timeout` seconds."""
    async def first() -> dict:
        async for message in stream:
            if message.event == "message":
                event = json.loads(message.data)
                if accept(event):
                    return event
        raise AssertionError("stream ended")
    return await asyncio.wait_for(first(), timeout)
