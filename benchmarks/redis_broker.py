"""The Redis broker next to the memory broker, in one run: publish -> SSE delivery.

    python benchmarks/redis_broker.py                 # default sizes, prints a table
    python benchmarks/redis_broker.py --smoke         # seconds; checks every event arrives
    python benchmarks/redis_broker.py --subscribers 50 --events 20000 --batch 100 \\
        --rate 200 --seconds 3 --reps 2 --json results.json

Systems, each a real `python -m jupyter_server` with jupyter_push on 127.0.0.1:
- `memory`: the embedded broker;
- `redis`: the Redis broker (redis-server started here, on a free port);
- `redis-cross`: two servers sharing that Redis, publishing on one and subscribing on the other.

Per system: `burst` publishes `--events` events over one WebSocket in batches of `--batch`
(each batch acknowledged before the next) to `--subscribers` SSE streams and reports deliveries
per second; `paced` publishes `--rate` events/s for `--seconds` and reports the publish ->
delivery latency (p50, p99, max), measured in this process (one clock). `run(args) -> dict`
is the entry point for benchmarks/run.py. Every process started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import orjson
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.redis.servers import HAVE_REDIS, JupyterServer, RedisServer


class Sink:
    """One SSE subscriber: counts events and records arrival minus send time (`t` in data)."""

    def __init__(self) -> None:
        self.count = 0
        self.latencies: list[float] = []
        self.last_arrival = 0.0
        self.first: asyncio.Event = asyncio.Event()

    async def run(self, http: httpx.AsyncClient, channel: str, ready: asyncio.Event) -> None:
        async with http.stream("GET", "events", params={"channel": channel, "retained": "0"}) as r:
            buf = b""
            async for chunk in r.aiter_bytes():
                ready.set()
                buf += chunk
                *frames, buf = buf.split(b"\n\n")
                now = time.perf_counter()
                for frame in frames:
                    for line in frame.split(b"\n"):
                        if line.startswith(b"data: "):
                            sent = orjson.loads(line[6:])["data"]["t"]
                            self.latencies.append(now - sent)
                            self.count += 1
                self.last_arrival = now


async def _open_sinks(server: JupyterServer, channel: str, n: int):
    http = httpx.AsyncClient(base_url=server.push_url, headers=server.headers, timeout=None,
                             limits=httpx.Limits(max_connections=n + 5))
    sinks = [Sink() for _ in range(n)]
    ready = [asyncio.Event() for _ in range(n)]
    tasks = [asyncio.ensure_future(s.run(http, channel, e)) for s, e in zip(sinks, ready,
                                                                             strict=True)]
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready)), 30)
    return http, sinks, tasks


async def _close(http: httpx.AsyncClient, tasks: list[asyncio.Future[Any]]) -> None:
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await http.aclose()


async def _wait_all(sinks: list[Sink], expected: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while any(s.count < expected for s in sinks):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


def _ws_url(server: JupyterServer) -> str:
    return server.push_url.replace("http:", "ws:") + "ws"


async def burst(pub: JupyterServer, sub: JupyterServer, subscribers: int, events: int,
                batch: int) -> dict[str, Any]:
    channel = f"burst-{time.monotonic_ns()}"
    http, sinks, tasks = await _open_sinks(sub, channel, subscribers)
    try:
        async with websockets.connect(_ws_url(pub), additional_headers=pub.headers,
                                      max_size=None) as sock:
            start = time.perf_counter()
            for ref, first in enumerate(range(0, events, batch)):
                size = min(batch, events - first)
                now = time.perf_counter()
                await sock.send(orjson.dumps({"op": "publish", "ref": ref, "events": [
                    {"channel": channel, "data": {"t": now, "i": first + i}}
                    for i in range(size)]}))
                reply = json.loads(await sock.recv())
                if reply.get("op") != "ack":
                    raise RuntimeError(f"publish failed: {reply}")
            published = time.perf_counter() - start
        complete = await _wait_all(sinks, events, 120)
        end = max(s.last_arrival for s in sinks)
        delivered = sum(s.count for s in sinks)
        return {"events": events, "subscribers": subscribers, "batch": batch,
                "complete": complete, "delivered": delivered,
                "publish_per_s": events / published,
                "deliveries_per_s": delivered / (end - start)}
    finally:
        await _close(http, tasks)


async def paced(pub: JupyterServer, sub: JupyterServer, subscribers: int, rate: float,
                seconds: float) -> dict[str, Any]:
    channel = f"paced-{time.monotonic_ns()}"
    http, sinks, tasks = await _open_sinks(sub, channel, subscribers)
    total = max(1, int(rate * seconds))
    try:
        async with websockets.connect(_ws_url(pub), additional_headers=pub.headers) as sock:
            start = time.perf_counter()
            for i in range(total):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                await sock.send(orjson.dumps({"op": "publish", "channel": channel,
                                              "data": {"t": time.perf_counter(), "i": i}}))
        complete = await _wait_all(sinks, total, 30)
        lat = sorted(x for s in sinks for x in s.latencies)
        return {"events": total, "subscribers": subscribers, "rate": rate, "complete": complete,
                "p50_ms": 1000 * statistics.median(lat),
                "p99_ms": 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))],
                "max_ms": 1000 * lat[-1]}
    finally:
        await _close(http, tasks)


def start_systems(stack: ExitStack, workdir: Path, only: list[str]) -> dict[str, tuple]:
    def jupyter(name: str, config: dict) -> JupyterServer:
        server = JupyterServer(workdir / name, {"PushApp": config})
        stack.callback(server.stop)
        return server.start()

    systems: dict[str, tuple] = {}
    if "memory" in only:
        memory = jupyter("memory", {})
        systems["memory"] = (memory, memory)
    if {"redis", "redis-cross"} & set(only):
        if not HAVE_REDIS:
            print("redis-server not installed (apt-get install redis-server): memory only",
                  file=sys.stderr)
            return systems
        redis = RedisServer(workdir / "redis")
        stack.callback(redis.stop)
        redis.start()
        config = {"broker_url": redis.url, "redis_prefix": "bench:"}
        a = jupyter("redis-a", config)
        if "redis" in only:
            systems["redis"] = (a, a)
        if "redis-cross" in only:
            systems["redis-cross"] = (a, jupyter("redis-b", config))
    return systems


async def measure(systems: dict[str, tuple], args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {name: {"burst": [], "paced": []} for name in systems}
    for _ in range(args.reps):
        for name, (pub, sub) in systems.items():  # alternate systems within each repetition
            results[name]["burst"].append(
                await burst(pub, sub, args.subscribers, args.events, args.batch))
            results[name]["paced"].append(
                await paced(pub, sub, args.subscribers, args.rate, args.seconds))
    return results


def run(args: argparse.Namespace) -> dict[str, Any]:
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="push-bench-") as tmp:
        systems = start_systems(stack, Path(tmp), args.systems)
        return asyncio.run(measure(systems, args))


def table(results: dict[str, Any]) -> str:
    rows = [f"{'system':<12} {'deliveries/s':>13} {'publish ev/s':>13} {'p50 ms':>8} "
            f"{'p99 ms':>8} {'max ms':>8} complete"]
    for name, r in results.items():
        b = max(r["burst"], key=lambda x: x["deliveries_per_s"])
        p = min(r["paced"], key=lambda x: x["p99_ms"])
        ok = all(x["complete"] for x in r["burst"] + r["paced"])
        rows.append(f"{name:<12} {b['deliveries_per_s']:>13,.0f} {b['publish_per_s']:>13,.0f} "
                    f"{p['p50_ms']:>8.2f} {p['p99_ms']:>8.2f} {p['max_ms']:>8.2f} {ok}")
    return "\n".join(rows)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--subscribers", type=int, default=20, help="SSE streams (default 20)")
    p.add_argument("--events", type=int, default=10_000, help="events per burst")
    p.add_argument("--batch", type=int, default=100, help="events per WebSocket publish")
    p.add_argument("--rate", type=float, default=200.0, help="paced events per second")
    p.add_argument("--seconds", type=float, default=3.0, help="paced duration")
    p.add_argument("--reps", type=int, default=1, help="repetitions (best is reported)")
    p.add_argument("--systems", nargs="+", default=["memory", "redis", "redis-cross"],
                   choices=["memory", "redis", "redis-cross"])
    p.add_argument("--json", type=Path, help="also write the raw results here")
    p.add_argument("--smoke", action="store_true",
                   help="tiny sizes: a check that every event arrives, in seconds")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.smoke:
        args.subscribers, args.events, args.batch = 3, 300, 50
        args.rate, args.seconds, args.reps = 50.0, 0.4, 1
    results = run(args)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    complete = all(x["complete"] for r in results.values() for x in r["burst"] + r["paced"])
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
