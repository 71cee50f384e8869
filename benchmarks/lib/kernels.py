"""Kernels of a running Jupyter server, driven as JupyterLab drives them: started through
`POST api/kernels`, code sent as `execute_request` over `api/kernels/<id>/channels`."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from .servers import Server


class Kernel:
    """One kernel and its channels WebSocket. `execute` returns when the request is done as
    JupyterLab sees it: the execute_reply has come and the kernel reported idle for it."""

    def __init__(self, server: Server, kernel_id: str, ws: ClientConnection):
        self.server, self.id, self.ws = server, kernel_id, ws
        self.session = uuid.uuid4().hex
        self._replies: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._output: dict[str, list[str]] = {}
        self._pending: dict[str, dict[str, Any]] = {}  # reply content or idle, the first seen
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, server: Server, http: httpx.AsyncClient) -> Kernel:
        r = await http.post(server.url("api/kernels"), json={"name": "python3"})
        r.raise_for_status()
        kernel_id = r.json()["id"]
        ws = await connect(server.url(f"api/kernels/{kernel_id}/channels", scheme="ws"),
                           additional_headers=server.auth_headers(), max_size=None)
        kernel = cls(server, kernel_id, ws)
        await kernel.execute("1 + 1", timeout=120)  # answers once it is up
        return kernel

    async def execute(self, code: str, timeout: float = 60) -> tuple[dict[str, Any], str]:
        """Run `code`; the execute_reply content and what the code printed."""
        msg_id = uuid.uuid4().hex
        reply = self._replies[msg_id] = asyncio.get_running_loop().create_future()
        self._output[msg_id] = []
        await self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "bench", "session": self.session,
                       "msg_type": "execute_request", "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "buffers": [], "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        try:
            content = await asyncio.wait_for(reply, timeout)
        finally:
            self._replies.pop(msg_id, None)
        return content, "".join(self._output.pop(msg_id, []))

    async def _read(self) -> None:
        async for raw in self.ws:
            msg = json.loads(raw)
            parent = msg.get("parent_header", {}).get("msg_id")
            kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
            if parent not in self._replies:
                continue
            if kind == "stream":
                self._output[parent].append(msg["content"].get("text", ""))
            elif kind == "execute_reply" or (
                    kind == "status" and msg["content"].get("execution_state") == "idle"):
                # shell and iopub are separate sockets in the kernel: done when both arrived
                seen = self._pending.pop(parent, None)
                if seen is None:
                    self._pending[parent] = msg["content"] if kind == "execute_reply" else {}
                elif not self._replies[parent].done():
                    self._replies[parent].set_result(
                        msg["content"] if kind == "execute_reply" else seen)

    async def shutdown(self, http: httpx.AsyncClient) -> None:
        self._reader.cancel()
        await self.ws.close()
        await http.delete(self.server.url(f"api/kernels/{self.id}"))
