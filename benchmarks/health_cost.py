"""What run health costs the server: its CPU with N idle kernels (default 20)

One server with the feature, its kernels started once, then phases taken in turn `--repeat`
times (so a burst of load from elsewhere hits them all alike):
- nobody subscribed to `$kernels/**` or `$system/**`;
- the sampler only: an SSE subscriber to `$system/**` and `$kernels/*/resources`;
- the kernel watch only: a subscriber to `$kernels/*` (IOPub busy/idle, the liveness poll);
- both: a subscriber to `$kernels/**` and `$system/**` (what a viewer of everything costs).
Then one server without the feature (`kernel_states=False`, `system_metrics=False`) with as
many kernels, measured `--repeat` times. Each figure is the server process's CPU time (all its
threads, from /proc) over `--seconds`, as a percentage of one core; the medians are printed,
with the time the whole run took. The targets: "nobody" ≈ "without" within noise, and
"sampler only" − "nobody" < 1 % of a core.

    python benchmarks/health_cost.py [--kernels 20] [--seconds 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
import urllib.parse
import urllib.request
from typing import Any

import psutil
from lib.procstat import cpu_seconds, load_average
from lib.servers import Server, start_push_server

PHASES: dict[str, tuple[str, ...]] = {
    "nobody subscribed": (),
    "sampler only ($system/**, $kernels/*/resources)": ("$system/**", "$kernels/*/resources"),
    "kernel watch only ($kernels/*)": ("$kernels/*",),
    "both ($kernels/**, $system/**)": ("$kernels/**", "$system/**"),
}
WITHOUT = "without run health"


def post(server: Server, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(server.url(path), data=json.dumps(body).encode(),
                                     headers={**server.auth_headers(),
                                              "Content-Type": "application/json"},
                                     method="POST")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def start_kernels(server: Server, count: int) -> None:
    """Start `count` kernels and return once they have all finished starting: their
    processes use no more CPU (jupyter_server says "starting" until a client connects)."""
    for _ in range(count):
        post(server, "api/kernels", {"name": "python3"})
    deadline = time.monotonic() + 300
    previous: dict[int, float] = {}
    while time.monotonic() < deadline:
        kernels = psutil.Process(server.pid).children()
        now = {}
        for process in kernels:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            now[process.pid] = times.user + times.system
        quiet = len(now) >= count and all(
            pid in previous and used - previous[pid] < 0.02 for pid, used in now.items())
        if quiet:
            return
        previous = now
        time.sleep(1.0)
    raise SystemExit(f"the {count} kernels had not settled after 300 s")


def wait_subscribers(server: Server, count: int) -> None:
    deadline = time.monotonic() + 30
    while server.get_json("push/status")["subscribers"] != count:
        if time.monotonic() > deadline:
            raise SystemExit(f"the server did not count {count} subscribers")
        time.sleep(0.05)


class Subscriber:
    """An SSE reader of `patterns` in a thread, until `close()`."""

    def __init__(self, server: Server, patterns: tuple[str, ...]):
        query = urllib.parse.urlencode([("channel", p) for p in patterns])
        self.stop = threading.Event()
        self.response: Any = None
        request = urllib.request.Request(server.url(f"push/events?{query}"),
                                         headers=server.auth_headers())
        self.response = urllib.request.urlopen(request, timeout=60)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            while not self.stop.is_set():
                if not self.response.readline():
                    return
        except (OSError, ValueError, AttributeError):  # (closed by close())
            return

    def close(self) -> None:
        self.stop.set()
        self.response.close()


def start_server(*args: str) -> Server:
    """A server with jupyter_push (another program may take its free port first: try again)."""
    for attempt in range(3):
        try:
            return start_push_server(extra_args=args, pinned=False)
        except RuntimeError as e:
            if "port" not in str(e) or attempt == 2:
                raise
    raise AssertionError("unreachable")


def measure(server: Server, seconds: float) -> float:
    """Percent of one core the server used over `seconds`."""
    before, start = cpu_seconds(server.pid), time.monotonic()
    time.sleep(seconds)
    return 100 * (cpu_seconds(server.pid) - before) / (time.monotonic() - start)


def run_phase(server: Server, patterns: tuple[str, ...], seconds: float, settle: float) -> float:
    subscriber = Subscriber(server, patterns) if patterns else None
    try:
        wait_subscribers(server, 1 if patterns else 0)
        time.sleep(settle)  # the sampler's first round and the IOPub sockets are set up
        return measure(server, seconds)
    finally:
        if subscriber is not None:
            subscriber.close()
            wait_subscribers(server, 0)
            time.sleep(settle)  # the sampler and the watch notice nobody is left, and stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--settle", type=float, default=3.0,
                        help="seconds after a subscriber arrives or leaves before measuring")
    args = parser.parse_args()
    began = time.monotonic()
    per_server = (len(PHASES), 1)
    estimate = sum(n * args.repeat * (args.seconds + 2 * args.settle) for n in per_server)
    print(f"server CPU with {args.kernels} idle kernels, {args.seconds:g} s per measurement, "
          f"{args.repeat} rounds; about {estimate / 60:.0f} min of measuring plus starting "
          f"{2 * args.kernels} kernels", flush=True)
    results: dict[str, list[float]] = {name: [] for name in (*PHASES, WITHOUT)}

    server = start_server()
    try:
        start_kernels(server, args.kernels)
        time.sleep(args.settle)  # the kernels' start-up traffic is over
        for round_ in range(args.repeat):
            for name, patterns in PHASES.items():
                percent = run_phase(server, patterns, args.seconds, args.settle)
                results[name].append(percent)
                print(f"  round {round_ + 1}: {name:<50} {percent:6.2f} %   "
                      f"(load {load_average()})", flush=True)
    finally:
        server.stop()

    server = start_server("--PushApp.kernel_states=False", "--PushApp.system_metrics=False")
    try:
        start_kernels(server, args.kernels)
        time.sleep(args.settle)
        for round_ in range(args.repeat):
            percent = run_phase(server, (), args.seconds, args.settle)
            results[WITHOUT].append(percent)
            print(f"  round {round_ + 1}: {WITHOUT:<50} {percent:6.2f} %   "
                  f"(load {load_average()})", flush=True)
    finally:
        server.stop()

    median = {name: statistics.median(values) for name, values in results.items()}
    print(f"medians over {args.repeat} rounds (% of one core):")
    for name, value in median.items():
        print(f"  {name:<52} {value:6.2f}")
    nobody = median["nobody subscribed"]
    print(f"feature with nobody subscribed vs without: {nobody - median[WITHOUT]:+.2f}; "
          f"sampler: {median[list(PHASES)[1]] - nobody:+.2f}; "
          f"kernel watch: {median[list(PHASES)[2]] - nobody:+.2f}; "
          f"both: {median[list(PHASES)[3]] - nobody:+.2f} (% of one core)")
    print(f"the run took {(time.monotonic() - began) / 60:.1f} min")


if __name__ == "__main__":
    main()
