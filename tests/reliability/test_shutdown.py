"""Graceful shutdown: open streams end cleanly, sockets get a close code, kernels' publishers
reconnect to the next server, and the runtime file is removed."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import websockets

from tests.redis.servers import JupyterServer
from tests.support.processes import wait_until


async def test_shutdown_closes_streams_cleanly_and_removes_the_runtime_file(tmp_path):
    server = JupyterServer(tmp_path, {}).start()
    runtime = tmp_path / "runtime"
    try:
        files = list(runtime.glob("jupyter_push-*.json"))
        assert len(files) == 1 and json.loads(files[0].read_text())["url"] == server.push_url
        ws_url = server.push_url.replace("http", "ws") + "ws"
        async with httpx.AsyncClient(timeout=10) as client, \
                client.stream("GET", server.push_url + "events?channel=x",
                              headers=server.headers) as stream, \
                websockets.connect(ws_url, additional_headers=server.headers) as sock:
            await sock.send(json.dumps({"op": "subscribe", "channels": ["x"]}))
            chunks = stream.aiter_bytes()
            assert (await chunks.__anext__()).startswith(b": jupyter_push")
            started = time.monotonic()
            proc = server.proc
            assert proc is not None
            proc.terminate()
            # the SSE response ends as a complete chunked response: no exception here
            async for _ in chunks:
                pass
            await asyncio.wait_for(sock.wait_closed(), 10)
            assert sock.close_code == 1001
            assert time.monotonic() - started < 10
        await asyncio.to_thread(proc.wait, 15)
        assert proc.returncode == 0, server.log()
        assert list(runtime.glob("jupyter_push-*.json")) == []
    finally:
        server.stop()


def test_publisher_keeps_buffering_through_a_restart_and_delivers_in_order(tmp_path):
    from jupyter_push.client.publisher import Publisher

    server = JupyterServer(tmp_path, {"PushApp": {"kernel_token": "fixed-kernel-token"}})
    server.start()
    port = server.port
    publisher = Publisher(server.push_url, "fixed-kernel-token")
    try:
        for i in range(100):
            publisher.put("restart", i)
        assert publisher.flush(10)
        server.stop()
        started = time.monotonic()
        for i in range(100, 200):
            publisher.put("restart", i)  # never blocks while the server is down
        assert time.monotonic() - started < 1
        server = JupyterServer(tmp_path, {"PushApp": {"kernel_token": "fixed-kernel-token"}},
                               port=port).start()
        assert publisher.flush(20)
        history = httpx.get(server.push_url + "history", params={"channel": "restart"},
                            headers=server.headers).json()["events"]
        assert [e["data"] for e in history] == list(range(100, 200))
    finally:
        publisher.close()
        server.stop()
        wait_until(lambda: not server.alive(), 5, "server stop")
