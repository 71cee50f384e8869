"""A load-generator process: holds many subscriber connections to one server and reports,
per armed round, when each connection had received the expected number of events.

Run as `loadgen.py SPEC_JSON`; it prints `{"ready": ...}` once connected, then answers
commands on stdin, one JSON per line:
  {"cmd": "arm", "expect": N, "mode": "count" | "check", "timeout": S, "quiet": Q?}
      -> {"armed": true}, later {"done": ...} with the per-connection completion times,
         whether every event arrived in order (mode "check") and latency samples; per
         connection also its count, its `gap` notices and whether the server ended it. The
         round ends when every connection has its N events or was ended, after S seconds, or
         (with Q) once no event arrived for Q seconds after the first;
  {"cmd": "close"} -> closes everything and exits.
Mode "count" only counts events (bytes.count); "check" parses every event, verifies that
each connection saw consecutive `seq` values, and records two latencies per event: from its
`t` to the kernel's receive timestamp on the subscriber's socket (`latencies`), and to the
moment this process read it (`client_latencies`).
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
import struct
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
GAP_MARK = b"event: gap\n"
SO_TIMESTAMPNS = 35  # Linux: SCM_TIMESTAMPNS carries the same number
TIMESPEC = struct.Struct("@qq")
ANC_SIZE = socket.CMSG_SPACE(TIMESPEC.size)


class Round:
    def __init__(self, conns: int, expect: int, check: bool):
        self.expect, self.check = expect, check
        self.counts = [0] * conns
        self.gaps = [0] * conns  # SSE `event: gap` notices (counted in mode "count")
        self.ended = [False] * conns  # the server closed the connection during the round
        self.done_at: list[float | None] = [None] * conns
        self.last_seq: list[int | None] = [None] * conns
        self.in_order = True
        # event `t` to its arrival at the socket / to this process reading it
        self.latencies: list[float] = []
        self.client_latencies: list[float] = []
        self.last_at = 0.0  # when the latest event of this round arrived
        self.unstamped = 0  # reads that came without a kernel receive timestamp
        self.remaining = conns if expect > 0 else 0
        self.finished = asyncio.Event()
        if self.remaining == 0:
            self.finished.set()

    def got(self, i: int, n: int, now: float) -> None:
        if not n:
            return
        self.counts[i] += n
        self.last_at = now
        if self.done_at[i] is None and self.counts[i] >= self.expect:
            self.done_at[i] = now
            self.remaining -= 1
            if self.remaining == 0:
                self.finished.set()

    def end(self, i: int) -> None:
        """The server closed connection `i`: it will get nothing more this round."""
        if not self.ended[i]:
            self.ended[i] = True
            if self.done_at[i] is None:
                self.remaining -= 1
                if self.remaining == 0:
                    self.finished.set()

    def got_payloads(self, i: int, payloads: list[Any], arrived: float, now: float) -> None:
        last = self.last_seq[i]
        lat, client = self.latencies, self.client_latencies
        for p in payloads:
            seq = p["seq"]
            if last is not None and seq != last + 1:
                self.in_order = False
            last = seq
            if len(lat) < MAX_LATENCY_SAMPLES:
                lat.append(arrived - p["t"])
                client.append(now - p["t"])
        self.last_seq[i] = last
        self.got(i, len(payloads), now)


class Subscriber:
    """One subscriber connection on a raw non-blocking socket read straight from the loop's
    selector (no transport or protocol layers), so one process can follow many sockets.

    Reads use `recvmsg` with SO_TIMESTAMPNS: the kernel stamps each segment when it reaches the
    socket, so a latency can be measured where the server's delivery ends — independent of when
    this process, sharing the cores with the server, gets round to the read."""

    def __init__(self, gen: LoadGen, i: int, sock: socket.socket, websocket: bool):
        self.gen, self.i, self.sock, self.websocket = gen, i, sock, websocket
        self.push = gen.proto == "push-ws"
        self.body = Dechunker()
        self.buf = bytearray()
        self.tail = b""
        self.gap_tail = b""

    @classmethod
    async def open(cls, gen: LoadGen, i: int, host: str, port: int, request: bytes, path: str,
                   websocket: bool, subscribe: bytes | None) -> Subscriber:
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        await loop.sock_connect(sock, (host, port))
        await loop.sock_sendall(sock, request)
        head = b""
        while HEADER_END not in head:
            chunk = await loop.sock_recv(sock, 1 << 16)
            if not chunk:
                raise ConnectionError(f"{path}: closed during the handshake")
            head += chunk
        head, _, rest = head.partition(HEADER_END)
        check_head(head, path, websocket)
        self = cls(gen, i, sock, websocket)
        if subscribe:
            self.send(ws_frame(subscribe))
        if rest:
            self.feed(rest, time.time(), time.time())
        loop.add_reader(sock.fileno(), self.readable)
        return self

    def send(self, data: bytes) -> None:
        # small control frames into an idle send buffer: never partial in practice
        if self.sock.send(data) != len(data):
            self.gen.errors.append(f"{self.i}: a control frame was sent only in part")

    def readable(self) -> None:
        try:
            data, anc, _, _ = self.sock.recvmsg(1 << 18, ANC_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            data, anc = b"", []
            self.gen.errors.append(f"{self.i}: {e!r}")
        now = time.time()
        if not data:
            asyncio.get_running_loop().remove_reader(self.sock.fileno())
            self.gen.round.end(self.i)
            return
        arrived = 0.0
        for level, kind, value in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                sec, nsec = TIMESPEC.unpack(value[:TIMESPEC.size])
                arrived = sec + nsec * 1e-9
        if not arrived:  # no kernel timestamp (not Linux?): the read time stands in
            arrived = now
            self.gen.round.unstamped += 1
        self.feed(data, arrived, now)

    def feed(self, data: bytes, arrived: float, now: float) -> None:
        try:
            if self.websocket:
                self.on_ws(data, arrived, now)
            else:
                self.on_sse(self.body.feed(data), arrived, now)
                if self.body.ended:  # the server finished the response (cut off)
                    self.gen.round.end(self.i)
        except Exception as e:  # report, never hang the benchmark
            self.gen.errors.append(f"{self.i}: {e!r}")

    def on_sse(self, chunk: bytes, arrived: float, now: float) -> None:
        r = self.gen.round
        if r.check:
            self.buf += chunk
            payloads = [sse_data(m) for m in sse_messages(self.buf)]
            r.got_payloads(self.i, [p for p in payloads if p is not None], arrived, now)
        else:
            # a `gap` notice is a message too: counted apart (the search keeps a tail
            # shorter than the marker, so no notice is counted twice)
            seen = self.gap_tail + chunk
            gaps = seen.count(GAP_MARK)
            self.gap_tail = seen[-len(GAP_MARK) + 1:]
            r.gaps[self.i] += gaps
            r.got(self.i, (self.tail + chunk).count(b"\n\n") - gaps, now)
            self.tail = chunk[-1:]

    def on_ws(self, data: bytes, arrived: float, now: float) -> None:
        r = self.gen.round
        self.buf += data
        for opcode, payload in ws_parse(self.buf):
            if opcode == 9:
                self.send(ws_frame(payload, 10))
            elif opcode in (8, 9, 10):
                continue
            elif r.check:
                r.got_payloads(self.i, push_payloads(payload) if self.push
                               else [json.loads(payload)], arrived, now)
            elif self.push:
                r.got(self.i, payload.count(b'"channel":'), now)
            else:
                r.got(self.i, 1, now)

    def close(self) -> None:
        try:
            asyncio.get_running_loop().remove_reader(self.sock.fileno())
        except ValueError:
            pass
        self.sock.close()


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
        self.connections.append(await Subscriber.open(self, i, s["host"], s["port"], req,
                                                      s["path"], ws, subscribe))

    async def run_round(self, expect: int, check: bool, timeout: float,
                        quiet: float | None = None) -> dict[str, Any]:
        r = self.round = Round(len(self.connections), expect, check)
        emit({"armed": True})
        deadline = time.monotonic() + timeout
        while not r.finished.is_set() and time.monotonic() < deadline:
            try:
                await asyncio.wait_for(r.finished.wait(),
                                       min(0.25, max(0.0, deadline - time.monotonic())))
            except asyncio.TimeoutError:
                if quiet and r.last_at and time.time() - r.last_at > quiet:
                    break
        await asyncio.sleep(0.05 if check else 0)  # catch duplicates / extras arriving late
        done = [t for t in r.done_at if t is not None]
        lat, client = r.latencies, r.client_latencies
        if len(lat) > 20_000:
            keep = sorted(random.sample(range(len(lat)), 20_000))
            lat, client = [lat[k] for k in keep], [client[k] for k in keep]
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
            "client_latencies": client,
            "unstamped": r.unstamped,
            "counts": r.counts,
            "gaps": r.gaps,
            "ended": r.ended,
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
            emit(await gen.run_round(cmd["expect"], cmd["mode"] == "check", cmd["timeout"],
                                     cmd.get("quiet")))
    for c in gen.connections:
        c.close()


if __name__ == "__main__":
    asyncio.run(main())
