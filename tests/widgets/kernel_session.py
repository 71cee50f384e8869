"""A kernel started through a real Jupyter server and driven over its websocket, exactly as
JupyterLab drives it: every IOPub message passes the server's rate limiter."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Execution:
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stdout(self) -> str:
        return "".join(
            m["content"]["text"] for m in self.messages
            if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
        )

    @property
    def errors(self) -> list[str]:
        return [
            f'{m["content"]["ename"]}: {m["content"]["evalue"]}' for m in self.messages
            if m["msg_type"] == "error"
        ]

    def widget_ids(self, model_name: str, **state: Any) -> list[str]:
        return [
            m["content"]["comm_id"] for m in self.messages
            if m["msg_type"] == "comm_open"
            and m["content"]["data"]["state"].get("_anywidget_id", "").endswith(model_name)
            and all(m["content"]["data"]["state"].get(k) == v for k, v in state.items())
        ]

    def updates(self, comm_id: str) -> list[dict[str, Any]]:
        """The state changes sent for one widget, in order."""
        return [
            m["content"]["data"]["state"] for m in self.messages
            if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id
            and m["content"]["data"].get("method") == "update"
        ]


class KernelSession:
    def __init__(self, ws: Any):
        self.ws = ws
        self.session = uuid.uuid4().hex
        self.backlog: list[dict[str, Any]] = []

    async def execute(self, code: str, timeout: float = 60) -> Execution:
        msg_id = uuid.uuid4().hex
        self.ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": self.session,
                       "username": "test", "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        result = Execution()
        replied = idle = False
        while not (replied and idle):
            raw = await asyncio.wait_for(self.ws.read_message(), timeout)
            assert raw is not None, "the kernel websocket closed"
            msg = json.loads(raw)
            msg["msg_type"] = msg["header"]["msg_type"]
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                self.backlog.append(msg)
                continue
            if msg["channel"] == "shell" and msg["msg_type"] == "execute_reply":
                replied = True
            elif msg["channel"] == "iopub":
                result.messages.append(msg)
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
        return result
