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

from wire import Dechunker, open_stream, push_payloads, sse_data, sse_messages, ws_frame, ws_parse

MAX_LATENCY_SAMPLES = 50_000


class Round:
    def __init__(self, conns: int, expect: int, check: bool):
        self.expect, self.check = expect, check
        self.counts = [0] * conns
        self.done_at: list[float | None] = [None] * conns
        self.last_seq: list[int | None] = [None] * conns
        self.in_order = True
        self.latencies: list[float] = []
        self.remaining = conns if expect > 0 else 0
        self.finished = asyncio.Event()
        if self.remaining == 0:
            self.finished.set()

    def got(self, i: int, n: int) -> None:
        self.counts[i] += n
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


class LoadGen:
    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self.proto: str = spec["proto"]  # push-sse | push-ws | frame-ws
        self.round = Round(0, 0, False)
        self.writers: list[asyncio.StreamWriter] = []
        self.readers: list[asyncio.Task[None]] = []
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
        reader, writer, rest = await open_stream(s["host"], s["port"], s["path"], s["headers"], ws)
        if s.get("subscribe"):
            writer.write(ws_frame(s["subscribe"].encode()))
        self.writers.append(writer)
        if ws:
            task = asyncio.ensure_future(self.read_ws(i, reader, writer, bytearray(rest)))
        else:
            task = asyncio.ensure_future(self.read_sse(i, reader, bytearray(rest)))
        self.readers.append(task)

    async def read_sse(self, i: int, reader: asyncio.StreamReader, buf: bytearray) -> None:
        tail = b""
        body = Dechunker()
        chunk = body.feed(bytes(buf))
        buf.clear()
        try:
            while True:
                r = self.round
                if r.check:
                    buf += chunk
                    payloads = [sse_data(m) for m in sse_messages(buf)]
                    r.got_payloads(i, [p for p in payloads if p is not None])
                else:
                    r.got(i, (tail + chunk).count(b"\n\n"))
                    tail = chunk[-1:]
                raw = await reader.read(1 << 20)
                if not raw:
                    return
                chunk = body.feed(raw)
        except Exception as e:  # report, never hang the benchmark
            self.errors.append(f"sse {i}: {e!r}")

    async def read_ws(self, i: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      buf: bytearray) -> None:
        push = self.proto == "push-ws"
        try:
            while True:
                r = self.round
                for opcode, payload in ws_parse(buf):
                    if opcode == 9:
                        writer.write(ws_frame(payload, 10))
                    elif opcode == 8:
                        return
                    elif r.check:
                        r.got_payloads(i, push_payloads(payload) if push else [json.loads(payload)])
                    elif push:
                        r.got(i, payload.count(b'"channel":'))
                    else:
                        r.got(i, 1)
                chunk = await reader.read(1 << 20)
                if not chunk:
                    return
                buf += chunk
        except Exception as e:
            self.errors.append(f"ws {i}: {e!r}")

    async def run_round(self, expect: int, check: bool, timeout: float) -> dict[str, Any]:
        r = self.round = Round(len(self.writers), expect, check)
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
    emit({"ready": True, "conns": len(gen.writers)})
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
    for w in gen.writers:
        w.close()


if __name__ == "__main__":
    asyncio.run(main())
