"""No event stored twice: a publish whose reply Redis sent but the server never got (the
connection dropped in between) is retried by the server and stored once; a frame a publisher
resends to another server after a reconnect is stored once too. Real redis-server; the lost
reply is a real dropped TCP connection (a relay between the server and Redis)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading

import redis
import websockets

from tests.support.streams import data_of, sse, take

from .conftest import NEEDS_REDIS, client, server_config

pytestmark = NEEDS_REDIS
PREFIX = "once:"


class LosesOneReply:
    """A TCP relay to redis-server. Once `armed`, it passes the next EVALSHA (a publish) on to
    Redis and, when Redis has answered, drops that connection instead of passing the answer
    back: the publish ran, its reply was lost."""

    def __init__(self, redis_port: int):
        self.redis_port = redis_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.armed = threading.Event()
        self.dropped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.redis_port))
            doomed = threading.Event()  # this connection carries the publish to lose
            threading.Thread(target=self._requests, args=(downstream, upstream, doomed),
                             daemon=True).start()
            threading.Thread(target=self._replies, args=(upstream, downstream, doomed),
                             daemon=True).start()

    def _requests(self, src: socket.socket, dst: socket.socket, doomed: threading.Event) -> None:
        try:
            while data := src.recv(65536):
                if b"EVALSHA" in data and self.armed.is_set():
                    self.armed.clear()
                    doomed.set()
                dst.sendall(data)
        except OSError:
            pass
        _close(src, dst)

    def _replies(self, src: socket.socket, dst: socket.socket, doomed: threading.Event) -> None:
        try:
            while data := src.recv(65536):
                if doomed.is_set():
                    self.dropped.set()
                    break
                dst.sendall(data)
        except OSError:
            pass
        _close(src, dst)

    def close(self) -> None:
        self.listener.close()


def _close(*sockets: socket.socket) -> None:
    for s in sockets:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


async def _ack(sock, frame: dict) -> dict:
    await sock.send(json.dumps(frame))
    while True:
        message = json.loads(await asyncio.wait_for(sock.recv(), 20))
        if isinstance(message, dict) and message.get("op") in ("ack", "error"):
            return message


def _frame(ref: int, data: str) -> dict:
    """A publish op as the kernel-side publisher sends it."""
    return {"op": "publish", "ref": ref, "session": "5e55", "events": [
        {"channel": "once", "data": data}]}


async def test_a_publish_whose_reply_was_lost_or_that_is_resent_elsewhere_is_one_event(
    own_redis, start_jupyter
):
    relay = LosesOneReply(own_redis.port)
    a = start_jupyter("a", server_config(relay.url, PREFIX))
    b = start_jupyter("b", server_config(own_redis.url, PREFIX))
    store = redis.Redis(port=own_redis.port)
    try:
        async with client(b) as on_b, sse(on_b, "once", retained=0) as stream, \
                websockets.connect(a.push_url.replace("http", "ws") + "ws",
                                   additional_headers=a.headers) as to_a, \
                websockets.connect(b.push_url.replace("http", "ws") + "ws",
                                   additional_headers=b.headers) as to_b:
            assert (await _ack(to_a, _frame(1, "first")))["op"] == "ack"
            relay.armed.set()
            second = await _ack(to_a, _frame(2, "second"))
            assert relay.dropped.is_set()  # the fault happened: the reply never came back
            assert second["op"] == "ack" and len(second["ids"]) == 1
            assert store.xlen(PREFIX + "events") == 2  # retried by the server, stored once
            # the publisher reconnects to the other server and resends its unacknowledged frame
            again = await _ack(to_b, _frame(2, "second"))
            assert again == {"op": "ack", "ref": 2, "ids": [], "duplicate": True}
            assert (await _ack(to_b, _frame(3, "third")))["op"] == "ack"

            assert data_of(await take(stream, 3)) == ["first", "second", "third"]
        assert store.xlen(PREFIX + "events") == 3
        assert store.hget(PREFIX + "count", "once") == b"3"
    finally:
        store.close()
        relay.close()
