"""Bursts must not hurt: a notebook's 1,000,000-push loop reaches healthy SSE and WebSocket
subscribers whole (every event, in order, no gap, no cut-off) with every setting at its
default; a subscriber that stalls longer than slow_subscriber_timeout during a burst is cut
off while the healthy ones keep everything."""

from __future__ import annotations

import json
import re
import socket
import threading
import uuid
from typing import Any

import httpx
from websockets.sync.client import connect

from tests.redis.servers import JupyterServer, wait_until

CHANNEL = "bench"
DATA = re.compile(rb'"data":(\d+)')


class SSEReader(threading.Thread):
    """Reads a stream as fast as the socket gives it (like `curl -N`) and keeps the data."""

    def __init__(self, server: JupyterServer, expect: int):
        super().__init__(daemon=True)
        self.expect = expect
        self.data: list[int] = []
        self.problems: list[bytes] = []
        self.sock = socket.create_connection(("127.0.0.1", server.port))
        self.sock.sendall(
            f"GET /push/events?channel={CHANNEL}&retained=0 HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\nAuthorization: token {server.token}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode())

    def run(self) -> None:
        tail = b""
        with self.sock:
            while len(self.data) < self.expect:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    self.problems.append(b"closed by the server")
                    return
                whole, sep, tail = (tail + chunk).rpartition(b"\n\n")
                if not sep:
                    tail = whole + tail
                    continue
                if b"too slow" in whole or b"event: gap" in whole:
                    self.problems.append(whole[-300:])
                self.data.extend(map(int, DATA.findall(whole)))


class WSReader(threading.Thread):
    def __init__(self, server: JupyterServer, expect: int):
        super().__init__(daemon=True)
        self.expect = expect
        self.data: list[int] = []
        self.problems: list[Any] = []
        self.ws = connect(f"ws://127.0.0.1:{server.port}/push/ws",
                          additional_headers=server.headers, max_size=None, max_queue=4)
        self.ws.send(json.dumps({"op": "subscribe", "channels": [CHANNEL], "retained": False,
                                 "ref": "s"}))

    def run(self) -> None:
        with self.ws:
            while len(self.data) < self.expect:
                msg = json.loads(self.ws.recv(timeout=120))
                for item in msg if isinstance(msg, list) else [msg]:
                    if "op" in item:
                        if item["op"] != "ack":
                            self.problems.append(item)
                    else:
                        self.data.append(item["data"])


def run_in_kernel(server: JupyterServer, code: str, timeout: float = 600) -> str:
    """Start a kernel through the server's REST API, run `code`, return its stdout."""
    base = f"http://127.0.0.1:{server.port}"
    r = httpx.post(f"{base}/api/kernels", headers=server.headers, json={"name": "python3"})
    kernel = r.json()["id"]
    try:
        with connect(f"ws://127.0.0.1:{server.port}/api/kernels/{kernel}/channels",
                     additional_headers=server.headers, max_size=None) as ws:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": "t",
                           "username": "t", "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": False,
                            "user_expressions": {}, "allow_stdin": False,
                            "stop_on_error": True}}))
            out = []
            while True:
                msg = json.loads(ws.recv(timeout=timeout))
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "stream":
                    out.append(msg["content"]["text"])
                elif msg["msg_type"] == "error":
                    raise AssertionError("\n".join(msg["content"]["traceback"]))
                elif msg["msg_type"] == "execute_reply":
                    return "".join(out)
    finally:
        httpx.delete(f"{base}/api/kernels/{kernel}", headers=server.headers)


def subscribers(server: JupyterServer) -> int:
    return httpx.get(server.push_url + "status", headers=server.headers).json()["subscribers"]


BURST = """
from jupyter_push import flush, push
for i in range({n}):
    push("bench", i)
print("flushed", flush(timeout=600))
"""


def test_a_million_push_burst_reaches_healthy_subscribers_whole(tmp_path):
    n = 1_000_000
    server = JupyterServer(tmp_path, {}).start()  # every PushApp setting at its default
    try:
        readers: list[Any] = [SSEReader(server, n) for _ in range(5)]
        readers += [WSReader(server, n) for _ in range(5)]
        wait_until(lambda: subscribers(server) == 10, 30, "10 subscribers")
        for r in readers:
            r.start()
        out = run_in_kernel(server, BURST.format(n=n))
        assert "flushed True" in out, out
        for r in readers:
            r.join(300)
        for r in readers:
            assert r.problems == [], r.problems[:3]
            assert len(r.data) == n and r.data == list(range(n))  # whole, in order, once
    finally:
        server.stop()


def test_a_subscriber_stalled_longer_than_the_timeout_is_cut_off_healthy_ones_are_not(tmp_path):
    n = 200_000
    server = JupyterServer(tmp_path, {"PushApp": {"slow_subscriber_timeout": 1.0}}).start()
    try:
        stalled = socket.socket()
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(("127.0.0.1", server.port))
        stalled.sendall(
            f"GET /push/events?channel={CHANNEL}&retained=0 HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\nAuthorization: token {server.token}\r\n\r\n"
            .encode())  # and never reads
        readers: list[Any] = [SSEReader(server, n), WSReader(server, n)]
        wait_until(lambda: subscribers(server) == 3, 30, "3 subscribers")
        for r in readers:
            r.start()
        out = run_in_kernel(server, BURST.format(n=n))
        assert "flushed True" in out, out
        for r in readers:
            r.join(300)
        for r in readers:
            assert r.problems == [], r.problems[:3]
            assert r.data == list(range(n))
        # the stalled one was cut off: the server closed its stream and forgot it
        wait_until(lambda: subscribers(server) == 0, 30, "the stalled subscriber cut off")
        stalled.close()
    finally:
        server.stop()
