"""The systems compared: how to subscribe to each, and how to make each emit events."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

from .servers import HERE, Server
from .wire import open_stream, ws_frame

PUBLISH_BATCH = 100


@dataclass
class System:
    name: str  # row label in the results
    server: Server
    proto: str  # loadgen protocol: push-sse | push-ws | frame-ws
    path: str
    subscribe: str | None
    status_path: str

    def loadgen_spec(self, conns: int) -> dict[str, Any]:
        return {"proto": self.proto, "host": "127.0.0.1", "port": self.server.port,
                "path": self.server.base + self.path, "headers": self.server.auth_headers(),
                "subscribe": self.subscribe, "conns": conns}

    def subscribers(self) -> int:
        return int(self.server.get_json(self.status_path)["subscribers"])

    async def emit(self, n: int, rate: float, start: int) -> None:
        """Make the server emit `n` events `{"seq", "t"}`; `rate` per second, 0 = burst."""
        body = json.dumps({"n": n, "rate": rate, "start": start}).encode()
        req = urllib.request.Request(self.server.url(self.emit_path), data=body, method="POST",
                                     headers={**self.server.auth_headers(),
                                              "Content-Type": "application/json"})
        await asyncio.get_running_loop().run_in_executor(
            None, lambda: urllib.request.urlopen(req, timeout=600).read())

    emit_path = "bench/emit"

    async def close(self) -> None:
        pass


class PushSystem(System):
    """jupyter_push: events are published by a client over one WebSocket, as a kernel does
    (batches when bursting, one message per event when paced); `t` is the publisher's send
    time, so latencies include the publishing hop."""

    channel: str = "bench"
    _writer: asyncio.StreamWriter | None = None

    async def _publisher(self) -> asyncio.StreamWriter:
        if self._writer is None:
            _, self._writer, _ = await open_stream("127.0.0.1", self.server.port,
                                                   self.server.base + "push/ws",
                                                   self.server.auth_headers(), websocket=True)
        return self._writer

    async def emit(self, n: int, rate: float, start: int) -> None:
        w = await self._publisher()
        ch = self.channel
        if rate <= 0:
            for i in range(0, n, PUBLISH_BATCH):
                t = time.time()
                events = [{"channel": ch, "data": {"seq": start + j, "t": t}}
                          for j in range(i, min(n, i + PUBLISH_BATCH))]
                w.write(ws_frame(json.dumps({"op": "publish", "events": events}).encode()))
                await w.drain()
            return
        begin = time.monotonic()
        for i in range(n):
            delay = begin + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            msg = {"op": "publish", "channel": ch, "data": {"seq": start + i, "t": time.time()}}
            w.write(ws_frame(json.dumps(msg).encode()))
            await w.drain()

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class KernelSystem(PushSystem):
    """jupyter_push fed by `push()` in a separate Python process (kernel_pub.py), as from a
    notebook; `emit` returns when that process has flushed, and records when it started."""

    started: float = 0.0

    async def emit(self, n: int, rate: float, start: int) -> None:
        env = {**os.environ, "JUPYTER_PUSH_URL": self.server.url("push/"),
               "JUPYTER_PUSH_TOKEN": self.server.token}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(HERE / "kernel_pub.py"), self.channel, str(n), str(rate),
            env=env, stdout=asyncio.subprocess.PIPE)
        out, _ = await asyncio.wait_for(proc.communicate(), 300)
        self.started = json.loads(out.decode().strip().splitlines()[-1])["started"]


def kernel_system(server: Server) -> KernelSystem:
    system = KernelSystem("kernel push() → SSE", server, "push-sse",
                          "push/events?channel=bench/kernel&retained=0", None, "push/status")
    system.channel = "bench/kernel"
    return system


def push_systems(server: Server) -> list[System]:
    sse = PushSystem("jupyter_push SSE", server, "push-sse",
                     "push/events?channel=bench/sse&retained=0", None, "push/status")
    sse.channel = "bench/sse"
    ws = PushSystem("jupyter_push WS", server, "push-ws", "push/ws",
                    json.dumps({"op": "subscribe", "channels": ["bench/ws"], "retained": False}),
                    "push/status")
    ws.channel = "bench/ws"
    return [sse, ws]


def event_bus_system(server: Server) -> System:
    return System("jupyter_server events", server, "frame-ws", "api/events/subscribe", None,
                  "bench/status")


def tornado_system(server: Server) -> System:
    system = System("Tornado WS", server, "frame-ws", "ws", None, "status")
    system.emit_path = "emit"
    return system


class Fleet:
    """Load-generator processes holding `conns` subscriber connections to one system."""

    def __init__(self, system: System, conns: int, processes: int):
        self.system, self.conns = system, conns
        sizes = [conns // processes + (1 if i < conns % processes else 0)
                 for i in range(processes)]
        self.sizes = [s for s in sizes if s]
        self.procs: list[asyncio.subprocess.Process] = []

    async def start(self) -> None:
        for size in self.sizes:
            spec = json.dumps(self.system.loadgen_spec(size))
            self.procs.append(await asyncio.create_subprocess_exec(
                sys.executable, str(HERE / "loadgen.py"), spec,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                limit=1 << 24))
        for p in self.procs:
            reply = await self._read(p, 300)
            if not reply.get("ready"):
                raise RuntimeError(f"{self.system.name}: subscribers could not connect: {reply}")

    async def wait_registered(self, expected: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.system.subscribers() < expected:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.system.name}: only {self.system.subscribers()} of "
                                   f"{expected} subscribers registered")
            await asyncio.sleep(0.05)

    async def arm(self, expect: int, check: bool, timeout: float,
                  quiet: float | None = None) -> None:
        cmd = json.dumps({"cmd": "arm", "expect": expect, "mode": "check" if check else "count",
                          "timeout": timeout, "quiet": quiet}) + "\n"
        for p in self.procs:
            assert p.stdin is not None
            p.stdin.write(cmd.encode())
        for p in self.procs:
            await self._read(p, 30)

    async def results(self, timeout: float) -> dict[str, Any]:
        parts = [await self._read(p, timeout + 30) for p in self.procs]
        done = [r["last_done"] for r in parts if r["last_done"] is not None]
        return {
            "complete": all(r["complete"] for r in parts),
            "in_order": all(r["in_order"] for r in parts),
            "received": sum(r["received"] for r in parts),
            "expected": sum(r["expected"] for r in parts),
            "extra": sum(r["extra"] for r in parts),
            "last_done": max(done) if done else None,
            "last_at": max((r["last_at"] for r in parts if r["last_at"]), default=None),
            "latencies": [x for r in parts for x in r["latencies"]],
            "client_latencies": [x for r in parts for x in r["client_latencies"]],
            "unstamped": sum(r["unstamped"] for r in parts),
            "errors": [e for r in parts for e in r["errors"]],
            "counts": [c for r in parts for c in r["counts"]],
            "gaps": [g for r in parts for g in r["gaps"]],
            "ended": [e for r in parts for e in r["ended"]],
        }

    async def close(self) -> None:
        for p in self.procs:
            if p.returncode is None and p.stdin is not None:
                try:
                    p.stdin.write(b'{"cmd": "close"}\n')
                    p.stdin.close()
                except (BrokenPipeError, ConnectionResetError):
                    pass
        for p in self.procs:
            try:
                await asyncio.wait_for(p.wait(), 10)
            except asyncio.TimeoutError:
                p.kill()
                await p.wait()

    @staticmethod
    async def _read(p: asyncio.subprocess.Process, timeout: float) -> dict[str, Any]:
        assert p.stdout is not None
        line = await asyncio.wait_for(p.stdout.readline(), timeout)
        if not line:
            raise RuntimeError("a load generator exited early")
        return json.loads(line)  # type: ignore[no-any-return,unused-ignore]
