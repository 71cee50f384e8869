"""What one `push()` costs the caller, in a plain Python process.

    python benchmarks/push_cost.py [--calls N] [--value int|str|dict] [--url URL --token TOKEN]
                                   [--json]

Runs N calls (default 1,000,000) of `push("bench/cost", i)` in a fresh process per case and
prints a markdown table of the per-call time (median, p99, mean over the whole loop):

- `connected`: the publisher thread is connected to a real server and sending while the loop
  runs (a `jupyter server` with jupyter_push is started on a free port unless --url is given);
- `no server`: nothing is discoverable, so push() feeds in-process listeners and discards.

Per-call times are taken with `time.perf_counter_ns()` around each call, minus the median cost
of the timer pair itself; `mean` is the plain loop (no per-call timers) divided by N. The
table also shows how many events reached the server and how many the bounded buffer dropped
(a loop pushing faster than the thread can send overflows the default 100,000-event buffer;
set JUPYTER_PUSH_BUFFER to change it).
`--value` picks what is pushed: `int` (the loop counter, the default), `str` (a 100-character
string; like numbers, kept as is until the thread sends it) or `dict` (a small dict, encoded by
push() itself). `--json` prints the rows as JSON instead (for benchmarks/run.py).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

CHANNEL = "bench/cost"


VALUES = {"int": None, "str": "x" * 100, "dict": {"step": 1, "loss": 0.25, "acc": 0.5}}


def measure(calls: int, kind: str = "int") -> dict[str, float]:
    """Run in the child process: per-call ns of push() (timer overhead removed)."""
    from array import array

    from jupyter_push import flush, push

    push(CHANNEL, -1)  # start the publisher thread, validate the channel once
    flush(5)
    timer = time.perf_counter_ns
    overhead = array("q", bytes(8 * 10_000))
    for i in range(len(overhead)):
        t0 = timer()
        overhead[i] = timer() - t0
    timer_cost = sorted(overhead)[len(overhead) // 2]

    samples = array("q", bytes(8 * calls))
    value = VALUES[kind]
    if value is None:
        for i in range(calls):
            t0 = timer()
            push(CHANNEL, i)
            samples[i] = timer() - t0
        flush(30)
        start = timer()
        for i in range(calls):
            push(CHANNEL, i)
        mean = (timer() - start) / calls
    else:
        for i in range(calls):
            t0 = timer()
            push(CHANNEL, value)
            samples[i] = timer() - t0
        flush(30)
        start = timer()
        for _ in range(calls):
            push(CHANNEL, value)
        mean = (timer() - start) / calls
    flushed = flush(60)

    ordered = sorted(samples)
    from jupyter_push.client.api import get_publisher

    publisher = get_publisher()
    return {
        "sent": publisher.acked_events,
        "dropped": publisher.dropped_total,
        "median_ns": max(0, ordered[calls // 2] - timer_cost),
        "p99_ns": max(0, ordered[int(calls * 0.99)] - timer_cost),
        "mean_ns": mean,
        "flushed": flushed,
    }


def run_case(name: str, calls: int, env: dict[str, str], kind: str = "int") -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--calls", str(calls), "--value", kind],
        env=env, capture_output=True, text=True, check=True, timeout=900,
    )
    return {"case": name, **json.loads(out.stdout.strip().splitlines()[-1])}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(runtime_dir: str) -> tuple[subprocess.Popen[bytes], str, str]:
    """A `jupyter server` with jupyter_push on a free loopback port; returns (process, push
    URL, kernel token). The other benchmark scripts use it too."""
    port, token = free_port(), "bench-" + os.urandom(8).hex()
    os.makedirs(runtime_dir, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_PUSH_")}
    env.update(JUPYTER_RUNTIME_DIR=runtime_dir, JUPYTER_PUSH_SERVER_TOKEN=token)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
         f"--port={port}", "--ip=127.0.0.1", f"--ServerApp.root_dir={runtime_dir}",
         "--ServerApp.token=" + os.urandom(8).hex(),
         "--ServerApp.jpserver_extensions={'jupyter_push': True}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/push/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url + "status",
                                             headers={"Authorization": f"token {token}"})
            urllib.request.urlopen(request, timeout=1).close()
            return server, url, token
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"the benchmark's jupyter server did not start: try "
                       f"`{sys.executable} -m jupyter_server --port={port}` to see why")


def table(rows: list[dict[str, object]], calls: int, kind: str = "int") -> str:
    pushed = "the loop counter" if kind == "int" else f"a {kind} (--value {kind})"
    lines = [
        f"push() cost per call, {calls:,} calls of {pushed} (ns)",
        "",
        "| case | median | p99 | mean (untimed loop) | reached the server | dropped (buffer full) "
        "|",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(f"| {row['case']} | {row['median_ns']:.0f} | {row['p99_ns']:.0f} "
                     f"| {float(row['mean_ns']):.0f} "  # type: ignore[arg-type]
                     f"| {row['sent']:,} | {row['dropped']:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--value", choices=sorted(VALUES), default="int")
    parser.add_argument("--url")
    parser.add_argument("--token")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.calls, args.value)))
        return

    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        base = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_PUSH_")}
        empty = os.path.join(scratch, "empty")
        os.mkdir(empty)
        server = None
        if args.url:
            url, token = args.url, args.token or ""
        else:
            server, url, token = start_server(os.path.join(scratch, "server"))
        try:
            rows.append(run_case("connected", args.calls, {
                **base, "JUPYTER_PUSH_URL": url, "JUPYTER_PUSH_TOKEN": token}, args.value))
        finally:
            if server is not None:
                server.terminate()
                server.wait(30)
        rows.append(run_case("no server", args.calls, {**base, "JUPYTER_RUNTIME_DIR": empty},
                             args.value))
    print(json.dumps(rows) if args.json else table(rows, args.calls, args.value))


if __name__ == "__main__":
    main()
