"""Where should push work run: sliced on jupyter_server's event loop, or on a second thread
with its own loop? Measured, not argued.

One Tornado server process answers `GET /probe` (a directory listing of 20 files, as
`api/contents` does: by default like jupyter_server's contents manager, one `os.lstat` per file
in a worker thread; `--probe inline` lists in the handler) on its main event loop, while the
real `Hub` hands 20 subscribers a steady stream of published events (each subscriber's queue
drained when woken, as a transport does), at `--rate` events/s or, with `--rate 0`, as fast
as it can. The push work runs either

- `loop`: on the main loop, sliced by the hub's turn budget (what jupyter_push does), or
- `thread`: on a second thread with its own event loop (the same hub code, the same slices);

and a client in another process measures the probe's latency, one request at a time.
Variants alternate, `--rounds` times each; the figures are medians over the rounds.

    python benchmarks/loop_or_thread.py [--rate 50000] [--seconds 3] [--rounds 3]
    python benchmarks/loop_or_thread.py --rate 0     # as fast as the hub can
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_push.server.turns import REST_SECONDS, TURN_SECONDS

SUBSCRIBERS = 20
BATCH = 100  # events per publish, as a kernel's frames arrive


def serve(mode: str, rate: float, seconds: float, port_file: str, turn_ms: float,
          rest_ms: float, probe: str) -> None:
    """The server process: probe handler on the main loop, push work where `mode` says."""
    import tornado.web

    from jupyter_push.channels import PatternSet
    from jupyter_push.server.brokers.memory import MemoryBroker
    from jupyter_push.server.hub import Hub

    listed = tempfile.mkdtemp(prefix="probe-")
    for i in range(20):
        Path(listed, f"file{i}.txt").write_text("x")

    class Probe(tornado.web.RequestHandler):
        async def get(self) -> None:
            if probe == "inline":
                entries = [(e.name, e.stat().st_size) for e in os.scandir(listed)]
            else:  # as jupyter_server's contents manager: each stat in a worker thread
                entries = []
                for name in await asyncio.to_thread(os.listdir, listed):
                    st = await asyncio.to_thread(os.lstat, os.path.join(listed, name))
                    entries.append((name, st.st_size))
            self.write({"entries": entries})

    delivered = [0]

    async def push_work(stop: asyncio.Event) -> None:
        hub = Hub(MemoryBroker(10_000))
        hub.turn.seconds, hub.turn.rest = turn_ms / 1000, rest_ms / 1000
        for _ in range(SUBSCRIBERS):
            sub, _ = await hub.open(PatternSet(["bench"]), retained=False)

            def drain(sub: Any = sub) -> bool:
                delivered[0] += len(sub.take())
                return True

            sub.notify = drain
        begin = time.monotonic()
        sent = 0
        while not stop.is_set():
            due = int((time.monotonic() - begin) * rate) if rate else sent + BATCH
            if sent >= due:
                await asyncio.sleep(BATCH / rate)
                continue
            await hub.publish([hub.draft("bench", sent + i) for i in range(BATCH)])
            sent += BATCH
            if hub.turn.spent():  # as the WebSocket handler does before its next frame
                await hub.turn.pause()

    async def main() -> None:
        app = tornado.web.Application([("/probe", Probe)])
        server = app.listen(0, "127.0.0.1")
        port = next(iter(server._sockets.values())).getsockname()[1]
        stop = asyncio.Event()
        if mode == "loop":
            task = asyncio.ensure_future(push_work(stop))
        elif mode == "thread":
            thread_stop: list[asyncio.Event] = []
            loop_ready = threading.Event()

            def run() -> None:
                async def inner() -> None:
                    thread_stop.append(asyncio.Event())
                    loop_ready.set()
                    await push_work(thread_stop[0])

                asyncio.run(inner())

            worker = threading.Thread(target=run, daemon=True)
            worker.start()
            loop_ready.wait()
        Path(port_file).write_text(str(port))
        started = time.monotonic()
        await asyncio.sleep(seconds + 1.0)
        Path(port_file + ".done").write_text(json.dumps(
            {"delivered_per_second": delivered[0] / (time.monotonic() - started)}))
        stop.set()
        if mode == "loop":
            await task

    asyncio.run(main())


def measure(mode: str, rate: float, seconds: float, turn_ms: float, rest_ms: float,
            probe: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        proc = subprocess.Popen([sys.executable, __file__, "--serve", mode, "--rate", str(rate),
                                 "--seconds", str(seconds), "--port-file", port_file,
                                 "--turn-ms", str(turn_ms), "--rest-ms", str(rest_ms),
                                 "--probe", probe])
        try:
            while not os.path.exists(port_file):
                time.sleep(0.05)
            time.sleep(0.1)
            port = int(Path(port_file).read_text() or 0)
            import http.client

            latencies = []
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                t0 = time.perf_counter()
                conn.request("GET", "/probe")
                conn.getresponse().read()
                latencies.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.005)
            while not os.path.exists(port_file + ".done"):
                time.sleep(0.05)
            time.sleep(0.05)
            result = json.loads(Path(port_file + ".done").read_text())
        finally:
            proc.wait(30)
    latencies.sort()
    return {"p50": latencies[len(latencies) // 2],
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "max": latencies[-1], "samples": len(latencies), **result}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=50_000,
                        help="events/s published; 0: as fast as the hub can")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--turn-ms", type=float, default=TURN_SECONDS * 1000,
                        help="push work per turn of the loop (PushApp default: %(default)s)")
    parser.add_argument("--rest-ms", type=float, default=REST_SECONDS * 1000,
                        help="rest after a full turn (PushApp default: %(default)s)")
    parser.add_argument("--probe", choices=("threads", "inline"), default="threads",
                        help="list the directory with a thread per file (as jupyter_server) "
                        "or in the handler")
    parser.add_argument("--modes", default="none,loop,thread", help="which variants, in order")
    parser.add_argument("--serve", choices=("loop", "thread", "none"), help=argparse.SUPPRESS)
    parser.add_argument("--port-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.rate, args.seconds, args.port_file, args.turn_ms, args.rest_ms,
              args.probe)
        return 0
    rows: dict[str, list[dict[str, Any]]] = {m: [] for m in args.modes.split(",")}
    for _ in range(args.rounds):
        for mode in rows:
            rows[mode].append(measure(mode, args.rate, args.seconds, args.turn_ms,
                                      args.rest_ms, args.probe))
            print(mode, {k: round(v, 1) for k, v in rows[mode][-1].items()}, file=sys.stderr)
    rate = f"{args.rate:,.0f} events/s" if args.rate else "as fast as possible"
    print(f"| push work ({rate} to {SUBSCRIBERS} subscribers, {args.turn_ms:g} ms per turn, "
          f"{args.rest_ms:g} ms rest; probe: {args.probe}) | probe p50 / "
          "p99 / max ms | deliveries/s |")
    print("|---|---:|---:|")
    labels = {"none": "none (idle)", "loop": "sliced on the main loop",
              "thread": "second thread, own loop"}
    for mode, found in rows.items():
        med = {k: statistics.median(r[k] for r in found) for k in ("p50", "p99", "max",
                                                                  "delivered_per_second")}
        print(f"| {labels[mode]} | {med['p50']:.1f} / {med['p99']:.1f} / {med['max']:.1f} | "
              f"{med['delivered_per_second']:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
