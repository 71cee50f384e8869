"""A kernel pushing through an outage: it never blocks, what fits in its buffer arrives in
order afterwards, and what did not is reported: subscribers get a gap with the count.

The outage is a real TCP relay between the publisher and a real server that the test stops
and starts, so the subscriber stays connected and sees exactly what the publisher sends."""

from __future__ import annotations

import json
import socket
import threading
import time

from tests.support.streams import sse, take
from tests.support.waiting import until


class Relay:
    """Forwards TCP connections from a local port to the server; `cut()` drops them all."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = threading.Event()
        self.open.set()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open.is_set():
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.close()
            except OSError:
                pass

    def cut(self) -> None:
        self.open.clear()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.sockets.clear()

    def restore(self) -> None:
        self.open.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


async def test_overflow_during_an_outage_is_reported_as_a_gap_then_the_newest_arrive(
    http, push_url, kernel_token, jp_http_port
):
    from jupyter_push.client.publisher import Publisher

    relay = Relay(jp_http_port)
    publisher = Publisher(push_url.replace(f":{jp_http_port}/", f":{relay.port}/"),
                          kernel_token, capacity=100)
    try:
        async with sse(http, "outage", retained=0) as stream:
            publisher.put("outage", -1)
            assert json.loads((await take(stream, 1))[0].data)["data"] == -1
            relay.cut()
            await until(lambda: not publisher.connected, what="the publisher seeing the cut")
            started = time.monotonic()
            for i in range(1000):
                publisher.put("outage", i)  # the buffer keeps the newest 100
            assert time.monotonic() - started < 0.5  # never blocks
            relay.restore()
            gap, *events = await take(stream, 101)
            notice = json.loads(gap.data)
            assert gap.event == "gap" and notice["channel"] == "outage"
            assert notice["dropped"] == 900
            assert [json.loads(e.data)["data"] for e in events] == list(range(900, 1000))
    finally:
        publisher.close()
        relay.close()
