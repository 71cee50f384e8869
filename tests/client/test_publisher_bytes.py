"""The kernel's publish buffer is bounded in bytes too (JUPYTER_PUSH_BUFFER_BYTES): a
publisher process pushing large values while the server holds it back (a stalled subscriber)
keeps at most that many bytes, drops the oldest buffered events beyond it, and the
subscribers get the rest in order with one gap naming how many were dropped."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest

from tests.support.stalled import hold_back, stalled_sse_client
from tests.support.streams import sse
from tests.support.waiting import until

N = 500
VALUE = 64 << 10  # bytes per value: 32 MiB pushed in all
BOUND = 1 << 20
HELD = {"slow_subscriber_timeout": 60.0, "queue_max_events": 50, "queue_max_bytes": 1 << 30}

PUBLISHER = r"""
import json, sys, time
from jupyter_push import flush, push
from jupyter_push.client.api import get_publisher

n, size = int(sys.argv[1]), int(sys.argv[2])


def kb(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


p = get_publisher()
while not p.connected:
    time.sleep(0.01)
rss = kb("VmRSS")
paced = True
for i in range(n):
    # a string (kept as is until sent) and a dict (encoded by push()), both `size` long
    push("img", f"{i:08d}" + "x" * size if i % 2 else {"i": i, "pad": "y" * size})
    # The thread sends what it may (half the bound may be unacknowledged), so that what
    # waits here is what the server holds back; once a send blocks, it does until the
    # server reads again.
    deadline = time.monotonic() + 0.5
    while paced and p._buffer and p._can_send():
        paced = time.monotonic() < deadline
        time.sleep(0.0002)
print(json.dumps({"dropped": sum(p._dropped.values()), "peak": p.peak_bytes,
                  "grew_kb": kb("VmHWM") - rss}), flush=True)
sys.stdin.readline()
print(json.dumps({"flushed": flush(60), "dropped": p.dropped_total, "peak": p.peak_bytes}),
      flush=True)
"""


def index_of(data) -> int:
    return int(data[:8]) if isinstance(data, str) else data["i"]


@pytest.mark.parametrize("push_config", [HELD])
async def test_a_burst_of_large_values_held_back_keeps_the_byte_bound_and_reports_one_gap(
        http, push_url, jupyter_token, kernel_token, push_app):
    hub = push_app.state.hub
    stalled = stalled_sse_client(push_url, jupyter_token, "fill", "img")
    process = None
    try:
        async with sse(http, "img", retained=0) as healthy:
            await until(lambda: hub.subscribers == 2, what="two subscribers")
            received: list[int] = []
            gaps: list[dict] = []
            order: list[str] = []

            async def read() -> None:
                async for message in healthy:
                    data = json.loads(message.data)
                    if message.event == "gap":
                        gaps.append(data)
                        order.append("gap")
                    else:
                        received.append(index_of(data["data"]))
                        order.append("event")
                    if len(received) + sum(g["dropped"] for g in gaps) >= N:
                        return

            reader = asyncio.ensure_future(read())
            await hold_back(http, hub, "fill")  # publishers are held back from here on
            env = {"PATH": "", "JUPYTER_PUSH_URL": push_url, "JUPYTER_PUSH_TOKEN": kernel_token,
                   "JUPYTER_PUSH_BUFFER_BYTES": str(BOUND)}
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-c", PUBLISHER, str(N), str(VALUE), env=env,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE)
            assert process.stdout is not None and process.stdin is not None
            pushed = json.loads(await asyncio.wait_for(process.stdout.readline(), 120))
            assert hub.backlog.behind  # held back all along
            assert pushed["dropped"] > 0
            assert pushed["peak"] <= BOUND
            # 32 MiB pushed; without the byte bound the process would hold all of it
            assert pushed["grew_kb"] < N * VALUE / 1024 / 4, pushed

            stalled.close()  # publishers may go on
            process.stdin.write(b"go\n")
            await process.stdin.drain()
            done = json.loads(await asyncio.wait_for(process.stdout.readline(), 120))
            assert done["flushed"], done
            assert await asyncio.wait_for(process.wait(), 30) == 0
            assert process.stderr is not None
            log = (await process.stderr.read()).decode()
            assert "buffer full" in log and "JUPYTER_PUSH_BUFFER_BYTES" in log, log
            await asyncio.wait_for(reader, 30)

            dropped = done["dropped"]
            assert dropped == pushed["dropped"]  # every drop happened while held back
            assert done["peak"] <= BOUND
            assert len(gaps) == 1, gaps
            assert gaps[0]["channel"] == "img" and gaps[0]["dropped"] == dropped
            assert len(received) == N - dropped
            # in order, once each: the oldest of those waiting were dropped, where the gap is
            assert received == sorted(set(received))
            at = order.index("gap")
            assert received[at - 1] + dropped + 1 == received[at], (received, gaps)
            assert received[0] == 0 and received[-1] == N - 1
    finally:
        stalled.close()
        if process is not None and process.returncode is None:
            process.kill()
