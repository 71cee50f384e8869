"""A notebook's kernel in a test: started through the real `api/sessions` of the test server,
driven over its channels WebSocket (a pytest plugin: the `notebook_kernel` fixture). `execute`
also drives a kernel of a server in a subprocess, over a `websockets` client."""

from __future__ import annotations

import asyncio
import json
import uuid
from contextlib import asynccontextmanager
from typing import Any

import pytest

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


async def execute(channels, code: str, *, cell_id: str | None = None,
                  expect_error: bool = False, store_history: bool = False,
                  timeout: float = TIMEOUT) -> dict[str, Any]:
    """Run `code` in the kernel (with JupyterLab's `cellId` metadata when given) and return
    the execute_reply content; fail with the traceback if it raises, unless `expect_error`.
    `channels`: the kernel's channels socket, a Tornado client (`jp_ws_fetch`) or a
    `websockets` one."""
    send = getattr(channels, "write_message", None) or channels.send
    receive = getattr(channels, "read_message", None) or channels.recv
    msg_id = uuid.uuid4().hex
    await send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": "test",
                   "username": "test", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {"cellId": cell_id} if cell_id else {},
        "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": store_history,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    while True:
        raw = await asyncio.wait_for(receive(), timeout)
        assert raw is not None, "kernel channels closed"
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error" and not expect_error:
            pytest.fail("\n".join(msg["content"]["traceback"]))
        if msg["msg_type"] == "execute_reply":
            assert (msg["content"]["status"] == "error") == expect_error, msg["content"]
            return msg["content"]
