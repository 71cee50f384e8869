"""Helpers for the run-health tests: notebook kernels started through api/sessions, code run
through the kernel's channels WebSocket (as a browser does), SSE streams of reserved channels."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable

import httpx_sse

from tests.support import kernels

TIMEOUT = 60


async def start_session(jp_fetch, path: str) -> str:
    r = await jp_fetch("api", "sessions", method="POST", body=json.dumps(
        {"path": path, "type": "notebook", "kernel": {"name": "python3"}}))
    return json.loads(r.body)["kernel"]["id"]


async def execute(channels, code: str, **options: Any) -> dict[str, Any]:
    """Run `code` as a notebook cell (counted in the kernel's history); see kernels.execute."""
    return await kernels.execute(channels, code, store_history=True, **options)


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


async def restart_finished(serverapp, kernel_id: str, timeout: float = TIMEOUT) -> None:
    """Wait until jupyter_client has finished restarting a kernel. The new kernel answers (and
    is idle) a moment before that, and a DELETE in between fails inside jupyter_client (500,
    "Exception is not set")."""
    manager = serverapp.kernel_manager.get_kernel(kernel_id)
    deadline = asyncio.get_running_loop().time() + timeout
    while not manager.ready.done():
        assert asyncio.get_running_loop().time() < deadline, f"kernel {kernel_id} still restarting"
        await asyncio.sleep(0.05)
