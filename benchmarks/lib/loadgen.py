"""A load-generator process: holds many subscriber connections to one server and reports,
per armed round, when each connection had received the expected number of events.

Run as `loadgen.py SPEC_JSON`; it prints `{"ready": ...}` once connected, then answers
commands on stdin, one JSON per line:
  {"cmd": "arm", "expect": N, "mode": "count" | "check", "timeout": S}
      -> {"armed": true}, later {"done": ...} with the per-connection completion times,
         whether every event arrived in order (mode "check") and latency samples;
  {"cmd": "close"} -> closes everything and exits.
Mode "count" only counts events (bytes.count); "check" parses every event, verifies that
each connection saw consecutive `seq` values, and records `time.time() - t` latencies.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from typing import Any

from wire import (
    HEADER_END,
    Dechunker,
    check_head,
    push_payloads,
    request,
    sse_data,
    sse_messages,
    ws_frame,
    ws_parse,
)

MAX_LATENCY_SAMPLES = 50_000


class Round:
    def __init__(self, conns: int, expect: int, check: bool):
        self.expect, self.check = expect, check
        self.counts = [0] * conns
        self.done_at: list[float | None] = [None] * conns
        self.last_seq: list[int | None] = [None] * conns
        self.in_order = True
        self.latencies: list[float] = []
        self.last_at = 0.0  # when the latest event of this round arrived
        self.remaining = conns if expect > 0 else 0
        self.finished = asyncio.Event()
        if self.remaining == 0:
            self.finished.set()

    def got(self, i: int, n: int) -> None:
        if not n:
            return
        self.counts[i] += n
        self.last_at = time.time()
        if self.done_at[i] is None and self.counts[i] >= self.expect:
            self.done_at[i] = time.time()
            self.remaining -= 1
            if self.remaining == 0:
                self.finished.set()

    def got_payloads(self, i: int, payloads: list[Any]) -> None:
        now = time.time()
        last = self.last_seq[i]
        lat = self.latencies
        for p in payloads:
            seq = p["seq"]
            if last is not None and seq != last + 1:
                self.in_order = False
            last = seq
            if len(lat) < MAX_LATENCY_SAMPLES:
                lat.append(now - p["t"])
        self.last_seq[i] = last
        self.got(i, len(payloads))


class Subscriber(asyncio.Protocol):
    """One subscriber connection, handled in callbacks: no task wake-up per read, so one
    process can follow many sockets and time each read closely."""

    def __init__(self, gen: LoadGen, i: int, request: bytes, path: str, websocket: bool,
                 subscribe: bytes | None):
        self.gen, self.i, self.request, self.path = gen, i, request, path
        self.websocket, self.subscribe = websocket, subscribe
        self.push = gen.proto == "push-ws"
        self.head = b""
        self.open: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.body = Dechunker()
        self.buf = bytearray()
        self.tail = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.open.done():
            self.open.set_exception(ConnectionError(f"{self.path}: closed during the handshake"))

    def data_received(self, data: bytes) -> None:
        if not self.open.done():
            self.head += data
            if HEADER_END not in self.head:
                return
            head, _, data = self.head.partition(HEADER_END)
            try:
                check_head(head, self.path, self.websocket)
            except ConnectionError as e:
                self.open.set_exception(e)
                return
            self.open.set_result(None)
            if self.subscribe and self.transport is not None:
                self.transport.write(ws_frame(self.subscribe))
            if not data:
                return
        try:
            if self.websocket:
                self.on_ws(data)
            else:
                self.on_sse(self.body.feed(data))
        except Exception as e:  # report, never hang the benchmark
            self.gen.errors.append(f"{self.i}: {e!r}")

    def on_sse(self, chunk: bytes) -> None:
        r = self.gen.round
        if r.check:
            self.buf += chunk
            payloads = [sse_data(m) for m in sse_messages(self.buf)]
            r.got_payloads(self.i, [p for p in payloads if p is not None])
        else:
            r.got(self.i, (self.tail + chunk).count(b"\n\n"))
            self.tail = chunk[-1:]

    def on_ws(self, data: bytes) -> None:
        r = self.gen.round
        self.buf += data
        for opcode, payload in ws_parse(self.buf):
            if opcode == 9 and self.transport is not None:
                self.transport.write(ws_frame(payload, 10))
            elif opcode in (8, 9, 10):
                continue
            elif r.check:
                r.got_payloads(self.i, push_payloads(payload) if self.push
                               else [json.loads(payload)])
            elif self.push:
                r.got(self.i, payload.count(b'"channel":'))
            else:
                r.got(self.i, 1)


class LoadGen:
    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self.proto: str = spec["proto"]  # push-sse | push-ws | frame-ws
        self.round = Round(0, 0, False)
        self.connections: list[Subscriber] = []
        self.errors: list[str] = []

    async def connect_all(self) -> None:
        n = self.spec["conns"]
        self.round = Round(n, 0, False)
        gate = asyncio.Semaphore(50)

        async def one(i: int) -> None:
            async with gate:
                await self.connect(i)

        await asyncio.gather(*(one(i) for i in range(n)))

    async def connect(self, i: int) -> None:
        s = self.spec
        ws = self.proto != "push-sse"
        subscribe = s["subscribe"].encode() if s.get("subscribe") else None
        req = request(s["host"], s["port"], s["path"], s["headers"], ws)
        _, sub = await asyncio.get_running_loop().create_connection(
            lambda: Subscriber(self, i, req, s["path"], ws, subscribe), s["host"], s["port"])
        await sub.open
        self.connections.append(sub)

    async def run_round(self, expect: int, check: bool, timeout: float) -> dict[str, Any]:
        r = self.round = Round(len(self.connections), expect, check)
        emit({"armed": True})
        try:
            await asyncio.wait_for(r.finished.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        await asyncio.sleep(0.05 if check else 0)  # catch duplicates / extras arriving late
        done = [t for t in r.done_at if t is not None]
        lat = r.latencies
        if len(lat) > 20_000:
            lat = random.sample(lat, 20_000)
        return {
            "done": True,
            "complete": len(done) == len(r.done_at),
            "received": sum(r.counts),
            "expected": expect * len(r.counts),
            "extra": sum(max(0, c - expect) for c in r.counts),
            "in_order": r.in_order,
            "first_done": min(done) if done else None,
            "last_done": max(done) if done else None,
            "last_at": r.last_at or None,
            "latencies": lat,
            "errors": self.errors[:5],
        }


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def main() -> None:
    gen = LoadGen(json.loads(sys.argv[1]))
    try:
        await gen.connect_all()
    except Exception as e:
        emit({"ready": False, "error": repr(e)})
        return
    emit({"ready": True, "conns": len(gen.connections)})
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    while True:
        line = await stdin.readline()
        if not line:
            break
        cmd = json.loads(line)
        if cmd["cmd"] == "close":
            break
        if cmd["cmd"] == "arm":
            emit(await gen.run_round(cmd["expect"], cmd["mode"] == "check", cmd["timeout"]))
    for c in gen.connections:
        if c.transport is not None:
            c.transport.close()


if __name__ == "__main__":
    asyncio.run(main())
