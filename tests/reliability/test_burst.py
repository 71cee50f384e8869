"""Bursts must not hurt: a notebook's 1,000,000-push loop reaches healthy SSE and WebSocket
subscribers whole (every event, in order, no gap, no cut-off) with every setting at its
default; a subscriber that stalls longer than slow_subscriber_timeout during a burst is cut
off while the healthy ones keep everything."""

from __future__ import annotations

import json
import multiprocessing
import re
import socket
import uuid
from typing import Any

import httpx
from websockets.sync.client import connect

from tests.redis.servers import JupyterServer
from tests.support.processes import wait_until

CHANNEL = "bench"
DATA = re.compile(rb'"data":(\d+)')


def read_sse(port: int, token: str, n: int, results: Any) -> None:
    """Read a stream as fast as the socket gives it (like `curl -N`), in a process of its own;
    report whether it got 0..n-1 in order, and anything else it was sent (gap, cut-off)."""
    data: list[int] = []
    problems: list[bytes] = []
    tail = b""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"GET /push/events?channel={CHANNEL}&retained=0 HTTP/1.1\r\n"
                     f"Host: 127.0.0.1:{port}\r\nAuthorization: token {token}\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        while len(data) < n and not problems:
            chunk = sock.recv(1 << 20)
            if not chunk:
                problems.append(b"closed by the server")
                break
            whole, sep, tail = (tail + chunk).rpartition(b"\n\n")
            if not sep:
                tail = whole + tail
                continue
            if b"too slow" in whole or b"event: gap" in whole:
                problems.append(whole[-300:])
            data.extend(map(int, DATA.findall(whole)))
    results.put(("sse", len(data), data == list(range(n)), problems))


def read_ws(port: int, token: str, n: int, results: Any) -> None:
    data: list[int] = []
    problems: list[Any] = []
    with connect(f"ws://127.0.0.1:{port}/push/ws", max_size=None, max_queue=4,
                 additional_headers={"Authorization": f"token {token}"}) as ws:
        ws.send(json.dumps({"op": "subscribe", "channels": [CHANNEL], "retained": False}))
        while len(data) < n and not problems:
            msg = json.loads(ws.recv(timeout=120))
            for item in msg if isinstance(msg, list) else [msg]:
                if "op" in item:
                    problems.append(item)
                else:
                    data.append(item["data"])
    results.put(("ws", len(data), data == list(range(n)), problems))


def start_readers(server: JupyterServer, n: int, sse: int, ws: int) -> tuple[list, Any]:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs = [ctx.Process(target=read_sse, args=(server.port, server.token, n, results))
             for _ in range(sse)]
    procs += [ctx.Process(target=read_ws, args=(server.port, server.token, n, results))
              for _ in range(ws)]
    for p in procs:
        p.start()
    return procs, results


def reports(procs: list, results: Any) -> list:
    got = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(30)
    return got


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
    procs: list = []
    try:
        procs, results = start_readers(server, n, sse=5, ws=5)
        wait_until(lambda: subscribers(server) == 10, 60, "10 subscribers")
        out = run_in_kernel(server, BURST.format(n=n))
        assert "flushed True" in out and "dropped" not in out, out
        for transport, count, whole, problems in reports(procs, results):
            assert problems == [], (transport, problems[:3])
            assert count == n and whole, (transport, count)  # every event, in order, once
    finally:
        for p in procs:
            p.kill()
        server.stop()


def test_a_subscriber_stalled_longer_than_the_timeout_is_cut_off_healthy_ones_are_not(tmp_path):
    n = 200_000
    server = JupyterServer(tmp_path, {"PushApp": {"slow_subscriber_timeout": 1.0}}).start()
    procs: list = []
    stalled = socket.socket()
    try:
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(("127.0.0.1", server.port))
        stalled.sendall(
            f"GET /push/events?channel={CHANNEL}&retained=0 HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\nAuthorization: token {server.token}\r\n\r\n"
            .encode())  # and never reads
        procs, results = start_readers(server, n, sse=1, ws=1)
        wait_until(lambda: subscribers(server) == 3, 60, "3 subscribers")
        out = run_in_kernel(server, BURST.format(n=n))
        assert "flushed True" in out and "dropped" not in out, out
        for transport, count, whole, problems in reports(procs, results):
            assert problems == [], (transport, problems[:3])
            assert count == n and whole, (transport, count)
        # the stalled one was cut off: the server closed its stream and forgot it
        wait_until(lambda: subscribers(server) == 0, 30, "the stalled subscriber cut off")
        stalled.settimeout(10)
        while stalled.recv(1 << 16):  # what the kernel buffers held, then the end
            pass
    finally:
        stalled.close()
        for p in procs:
            p.kill()
        server.stop()
