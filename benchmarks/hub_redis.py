"""A JupyterHub user's servers joined through Redis: from a kernel's push() in alice's server
to an SSE subscriber on her other (named) server, next to a subscriber on the kernel's own
server. Both subscribers read the same events, through the hub's proxy.

    python benchmarks/hub_redis.py                   # prints a table
    python benchmarks/hub_redis.py --events 50000 --rate 500 --seconds 5 --json out.json

Runs the real thing (tests/hub/hub.py): JupyterHub with configurable-http-proxy (npm install in
tests/hub), a redis-server, alice's default and `second` servers. The kernel pushes `--events`
events as fast as it can (`burst`: events/s at each subscriber, first to last arrival), then
`--rate` events/s for `--seconds` (`paced`: push() -> arrival latency at the subscriber, both
clocks CLOCK_MONOTONIC of this machine). Every process started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hub.hub import Hub, proxy_missing, run_in_kernel
from tests.redis.servers import HAVE_REDIS, RedisServer

KERNEL_CODE = """
import time
from jupyter_push import flush, push
flush(timeout=10)
for i in range({events}):
    push("bench/burst", i)
assert flush(timeout=120)
interval = 1 / {rate}
start = time.monotonic()
for i in range({paced}):
    while time.monotonic() < start + i * interval:
        time.sleep(interval / 10)
    push("bench/paced", {{"i": i, "t": time.monotonic()}})
assert flush(timeout=60)
"""


class Subscriber:
    """One SSE stream of bench/**: burst arrival times and paced latencies."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.burst = 0
        self.burst_first = self.burst_last = 0.0
        self.latencies: list[float] = []
        self.gaps = 0
        self.ready = asyncio.Event()

    async def run(self, url: str, headers: dict[str, str], paced: int) -> None:
        async with httpx.AsyncClient(timeout=None, headers=headers) as http, http.stream(
                "GET", url + "push/events",
                params={"channel": "bench/**", "retained": "0"}) as response:
            assert response.status_code == 200, await response.aread()
            buffer = b""
            async for chunk in response.aiter_bytes():
                self.ready.set()
                now = time.monotonic()
                buffer += chunk
                *frames, buffer = buffer.split(b"\n\n")
                for frame in frames:
                    for line in frame.split(b"\n"):
                        if line.startswith(b"data:"):
                            self._take(json.loads(line[5:]), now)
                if len(self.latencies) >= paced:
                    return

    def _take(self, event: dict[str, Any], now: float) -> None:
        if "channel" not in event:  # a gap: this subscriber fell behind and lost events
            self.gaps += 1
        elif event["channel"] == "bench/burst":
            if not self.burst:
                self.burst_first = now
            self.burst += 1
            self.burst_last = now
        elif event["channel"] == "bench/paced":
            self.latencies.append(now - event["data"]["t"])

    def summary(self, events: int) -> dict[str, Any]:
        lat = sorted(self.latencies)
        span = self.burst_last - self.burst_first
        return {
            "subscriber": self.name,
            "burst_received": self.burst,
            "burst_events_per_s": round((self.burst - 1) / span) if span > 0 else None,
            "paced_received": len(lat),
            "p50_ms": round(statistics.median(lat) * 1000, 2) if lat else None,
            "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 2)
            if lat else None,
            "max_ms": round(lat[-1] * 1000, 2) if lat else None,
            "lost": events - self.burst,
            "gaps": self.gaps,
        }


async def measure(hub: Hub, events: int, rate: float, seconds: float) -> list[dict[str, Any]]:
    paced = int(rate * seconds)
    headers = hub.headers("alice")
    paths = [("same server (alice)", hub.servers["alice"]),
             ("other server (alice/second)", hub.servers["alice/second"])]
    subscribers = [Subscriber(name) for name, _ in paths]
    tasks = [asyncio.ensure_future(s.run(url, headers, paced))
             for s, (_, url) in zip(subscribers, paths, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in subscribers)), 30)
    code = KERNEL_CODE.format(events=events, rate=rate, paced=paced)
    await run_in_kernel(hub, "alice", code, timeout=300)
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    return [s.summary(events) for s in subscribers]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    missing = proxy_missing() or (None if HAVE_REDIS else "redis-server not installed")
    if missing:
        print(f"skipped: {missing}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="hub_redis-") as tmp:
        redis = RedisServer(Path(tmp) / "redis").start()
        hub = Hub(Path(tmp) / "hub", redis.url)
        try:
            hub.start()
            hub.spawn("alice")
            hub.spawn("alice", "second")
            results = asyncio.run(measure(hub, args.events, args.rate, args.seconds))
        except BaseException:
            print(hub.log()[-4000:], file=sys.stderr)
            raise
        finally:
            hub.stop()
            redis.stop()
    print(f"kernel push() in alice's server: {args.events} events as fast as possible, then "
          f"{args.rate:g}/s for {args.seconds:g} s; SSE through the hub's proxy")
    print(f"{'subscriber':<30} {'burst ev/s':>10} {'lost':>5} {'gaps':>4} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'max ms':>7}")
    for r in results:
        print(f"{r['subscriber']:<30} {r['burst_events_per_s']!s:>10} {r['lost']:>5} "
              f"{r['gaps']:>4} {r['p50_ms']!s:>7} {r['p99_ms']!s:>7} {r['max_ms']!s:>7}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
