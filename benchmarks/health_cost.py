"""What run health costs the server: its CPU with N idle kernels (default 20)

1. without the feature (`kernel_states=False`, `system_metrics=False`),
2. with it and nobody subscribed to `$kernels/**` or `$system/**`,
3. with it and one SSE subscriber to `$kernels/**` and `$system/**` (the kernel watch and the
   sampler running),

each measured over `--seconds` from /proc after the kernels have settled. Prints one line per
phase and the differences; the targets: 2 ≈ 1 within noise, 3 − 2 < 1 % of a core.

    python benchmarks/health_cost.py [--kernels 20] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.request
from typing import Any

from lib.procstat import cpu_seconds, load_average
from lib.servers import Server, start_push_server


def post(server: Server, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(server.url(path), data=json.dumps(body).encode(),
                                     headers={**server.auth_headers(),
                                              "Content-Type": "application/json"},
                                     method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def start_kernels(server: Server, count: int) -> None:
    for _ in range(count):
        post(server, "api/kernels", {"name": "python3"})
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:  # every kernel answered (idle) before measuring
        kernels = server.get_json("api/kernels")
        if len(kernels) >= count and all(k["execution_state"] == "idle" for k in kernels):
            return
        time.sleep(0.5)


def subscribe(server: Server, stop: threading.Event) -> threading.Thread:
    """An SSE reader of `$kernels/**` and `$system/**`, reading until `stop`."""
    url = server.url("push/events?channel=%24kernels%2F**&channel=%24system%2F**")

    def read() -> None:
        request = urllib.request.Request(url, headers=server.auth_headers())
        with urllib.request.urlopen(request, timeout=60) as response:
            while not stop.is_set():
                if not response.readline():
                    return

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def measure(server: Server, seconds: float) -> float:
    """Percent of one core the server used over `seconds`."""
    before, start = cpu_seconds(server.pid), time.monotonic()
    time.sleep(seconds)
    return 100 * (cpu_seconds(server.pid) - before) / (time.monotonic() - start)


def phase(name: str, args: tuple[str, ...], kernels: int, seconds: float,
          subscribed: bool = False) -> float:
    server = start_push_server(extra_args=args, pinned=False)
    stop = threading.Event()
    try:
        start_kernels(server, kernels)
        time.sleep(2)  # the kernels' start-up traffic is over
        if subscribed:
            subscribe(server, stop)
            time.sleep(1)
        percent = measure(server, seconds)
        print(f"{name:<44} {percent:6.2f} % of a core   (load {load_average()})", flush=True)
        return percent
    finally:
        stop.set()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    print(f"server CPU with {args.kernels} idle kernels, {args.seconds:g} s per phase")
    off = phase("without run health", ("--PushApp.kernel_states=False",
                                       "--PushApp.system_metrics=False"),
                args.kernels, args.seconds)
    idle = phase("run health, nobody subscribed", (), args.kernels, args.seconds)
    watched = phase("run health, $kernels/** + $system/** subscribed", (), args.kernels,
                    args.seconds, subscribed=True)
    print(f"feature with nobody subscribed: {idle - off:+.2f} % of a core; "
          f"with a subscriber (kernel watch + sampler): {watched - idle:+.2f} % of a core")


if __name__ == "__main__":
    main()
