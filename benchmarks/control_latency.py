"""Click → the running cell's `.value` changes: how long a value sent by a page takes to reach
a control that a busy notebook cell reads.

    python benchmarks/control_latency.py [--clicks N] [--interval S] [--json]

Starts a `jupyter server` with jupyter_push and a real kernel in it (through `api/kernels`, as
JupyterLab does). The kernel runs a cell that declares `control("bench/knob", ...)` and spins
in a busy loop (a little Python work per step, as a training loop would), noting the wall
time at which `knob.value` takes each new value. The driver plays the page: with a
write-scoped share link it POSTs `push/events?access=…` (what a control tile's click sends),
one value every `--interval` seconds, noting the wall time just before each request.
Latency = (the cell saw the value) − (the click was sent), both read from the same clock.

The link's rate limit is lifted for the run (`--PushApp.share_write_rate`), since pacing
clicks is not what is measured. Everything runs on one machine: the figures include the
HTTP request, the server's check of the value against the control's declaration, the hop to
the kernel's WebSocket, its publisher thread taking the GIL from the busy loop (at most
Python's switch interval, 5 ms) and the loop's next read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lib.kernels import Kernel
from lib.servers import start_push_server

CELL = """
import time
from jupyter_push import control, push
knob = control("bench/knob", 0, kind="slider", min=0, max=1_000_000)
seen, last = [], 0
push("bench/ready", True)
deadline = time.time() + {budget}
while last != {clicks} and time.time() < deadline:  # until the last click's value
    value = knob.value
    if value != last:
        seen.append((value, time.time()))
        last = value
    sum(range(200))  # one step of work
push("bench/seen", seen)
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def wait_for(http: httpx.AsyncClient, url: str, channel: str, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = (await http.get(url, params={"channel": channel})).json()["channels"]
        if found:
            return found[0]["last"]["data"]
        await asyncio.sleep(0.05)
    raise TimeoutError(f"nothing on {channel} within {timeout} s")


async def measure(clicks: int, interval: float) -> dict[str, Any]:
    server = start_push_server(pinned=False, extra_args=("--PushApp.share_write_rate=10000",
                                                        "--PushApp.share_write_burst=10000"))
    try:
        async with httpx.AsyncClient(headers=server.auth_headers(), timeout=30) as http:
            kernel = await Kernel.start(server, http)
            budget = 60 + clicks * interval * 4
            cell = asyncio.ensure_future(kernel.execute(
                CELL.format(clicks=clicks, budget=budget), timeout=budget + 60))
            await wait_for(http, server.url("push/channels"), "bench/ready", 60)
            link = (await http.post(server.url("push/tokens"), json={
                "channels": ["bench/**"], "write": ["bench/knob"], "ttl": 3600})).json()
            sent: dict[int, float] = {}
            async with httpx.AsyncClient(timeout=30) as page:  # no Jupyter credential
                for value in range(1, clicks + 1):
                    sent[value] = time.time()
                    r = await page.post(server.url("push/events"), params={"access": link["token"]},
                                        json={"channel": "bench/knob", "data": value})
                    r.raise_for_status()
                    await asyncio.sleep(interval)
            reply, _ = await cell
            if reply.get("status") != "ok":
                raise RuntimeError(f"the cell failed: {reply}")
            seen = await wait_for(http, server.url("push/channels"), "bench/seen", 30)
            await kernel.shutdown(http)
    finally:
        server.stop()
    latencies = [1000 * (at - sent[value]) for value, at in seen if value in sent]
    return {
        "clicks": clicks,
        "seen": len(latencies),
        "p50_ms": percentile(latencies, 0.50),
        "p90_ms": percentile(latencies, 0.90),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
        "mean_ms": statistics.fmean(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=300, help="values sent (default 300)")
    parser.add_argument("--interval", type=float, default=0.02,
                        help="seconds between clicks (default 0.02)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    result = asyncio.run(measure(args.clicks, args.interval))
    if args.json:
        print(json.dumps(result))
        return
    print("| clicks | seen by the cell | p50 | p90 | p99 | max |")
    print("|---|---|---|---|---|---|")
    print(f"| {result['clicks']} | {result['seen']} | {result['p50_ms']:.2f} ms | "
          f"{result['p90_ms']:.2f} ms | {result['p99_ms']:.2f} ms | {result['max_ms']:.2f} ms |")


if __name__ == "__main__":
    main()
