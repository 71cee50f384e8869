"""What live widgets cost the kernel: jupyter_push widgets next to ipywidgets and tqdm.notebook.

    python benchmarks/widget_cost.py [--iterations N] [--slow-iterations M] [--repeat R]
                                     [--url URL --token TOKEN | --no-server] [--json]

Starts one real kernel (ipykernel, through jupyter_client) and runs each case in it, one cell
per case, in the same run:

- `for i in range(N): pass` — the loop itself, for reference;
- `push(ch, i)` with no widget bound, and with a bound `jupyter_push.widgets.Progress`;
- `for _ in track(range(N), ch)` with a bound `Progress` — per iteration;
- `for _ in tqdm.notebook.tqdm(range(N))`;
- `IntProgress.value = i` (ipywidgets), over M iterations since each one sends a message.

For each case it prints the mean time per iteration (the timed loop divided by its length; the
best of R runs, default 3, as timeit does, since the machine may be busy) and how many widget
messages (comm_open/comm_msg) and output messages the kernel sent on IOPub
during the cell. By default the kernel is connected to a `jupyter server` with jupyter_push
started on a free port (as in a notebook); `--url/--token` use a running server instead,
`--no-server` measures a headless kernel (nbclient, papermill). N defaults to 200,000 and
M to 10,000. `--json` prints the rows as JSON (for benchmarks/run.py).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

from push_cost import start_server  # the same server the push() benchmark uses

WIDGET_MESSAGES = {"comm_open", "comm_msg"}
OUTPUT_MESSAGES = {"stream", "display_data", "update_display_data", "execute_result"}
IOPUB_QUIET = 5.0  # seconds without IOPub messages after the reply: the cell's output is over


@dataclass(frozen=True)
class Case:
    name: str
    setup: str
    loop: str
    slow: bool = False


CASES = [
    Case("loop alone (reference)", "", "for i in range(N):\n    pass"),
    Case("push(), no widget bound", "", "for i in range(N):\n    push('bench/none', i)"),
    Case("push(), bound jupyter_push Progress",
         "w = Progress('bench/bound')\ndisplay(w)",
         "for i in range(N):\n    push('bench/bound', i)"),
    Case("track() per iteration, bound Progress",
         "w = Progress('bench/track')\ndisplay(w)",
         "for _ in track(range(N), 'bench/track'):\n    pass"),
    Case("tqdm.notebook per iteration", "",
         "for _ in tqdm_notebook(range(N)):\n    pass"),
    Case("ipywidgets IntProgress.value = i",
         "w = IntProgress(max=N)\ndisplay(w)",
         "for i in range(N):\n    w.value = i", slow=True),
]

PRELUDE = """
import time
from jupyter_push import push, track
from jupyter_push.widgets import Progress
from ipywidgets import IntProgress
from tqdm.notebook import tqdm as tqdm_notebook
push('bench/warmup', 0)
"""

CELL = """
N = {n}
{setup}
_t0 = time.perf_counter_ns()
{loop}
_elapsed = time.perf_counter_ns() - _t0
"""


def execute(
    kc: Any, code: str, result: str = "None", timeout: float = 600
) -> tuple[list[dict[str, Any]], str]:
    """Run a cell; its IOPub messages and the value of `result` after it. That comes back in the
    execute_reply (shell channel), because IOPub is a PUB socket: a flood of widget messages
    (IntProgress) overflows its high-water mark and drops messages, even the final `idle`."""
    msg_id = kc.execute(code, user_expressions={"result": result})
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    content = reply["content"]
    if content["status"] != "ok":
        raise RuntimeError(f"benchmark cell failed: {content.get('evalue')}\n{code}")
    messages: list[dict[str, Any]] = []
    while True:  # what reached this client; stops at `idle`, or when IOPub has gone quiet
        try:
            msg = kc.get_iopub_msg(timeout=IOPUB_QUIET)
        except queue.Empty:
            break
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        messages.append(msg)
    return messages, content["user_expressions"]["result"]["data"]["text/plain"]


def measure(
    env: dict[str, str], iterations: int, slow_iterations: int, repeat: int = 3
) -> list[dict[str, Any]]:
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", env=env)
    try:
        execute(kc, PRELUDE)
        rows = []
        for case in CASES:
            n = slow_iterations if case.slow else iterations
            print(f"widget_cost: {case.name} ...", file=sys.stderr, flush=True)
            runs = [run_cell(kc, case, n) for _ in range(repeat)]
            rows.append({"case": case.name, "iterations": n, **min(
                runs, key=lambda r: r["ns_per_iteration"])})
        return rows
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run_cell(kc: Any, case: Case, n: int) -> dict[str, Any]:
    cell = CELL.format(n=n, setup=case.setup, loop=case.loop)
    messages, ns = execute(kc, cell, result="_elapsed / N")
    return {
        "ns_per_iteration": round(float(ns), 1),
        "widget_messages": sum(m["msg_type"] in WIDGET_MESSAGES for m in messages),
        "output_messages": sum(m["msg_type"] in OUTPUT_MESSAGES for m in messages),
    }


def table(rows: list[dict[str, Any]], setting: str) -> str:
    lines = [
        f"Kernel-side cost of live progress ({setting})",
        "",
        "| case | iterations | ns / iteration | widget messages | output messages |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['case']} | {r['iterations']:,} | {r['ns_per_iteration']:,.0f} "
                     f"| {r['widget_messages']:,} | {r['output_messages']:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=200_000)
    parser.add_argument("--slow-iterations", type=int, default=10_000,
                        help="iterations of IntProgress.value = i (each sends a message)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best counts")
    parser.add_argument("--url", help="a running server's push/ URL")
    parser.add_argument("--token", help="its kernel token")
    parser.add_argument("--no-server", action="store_true", help="measure a headless kernel")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_PUSH_")}
        env["JUPYTER_RUNTIME_DIR"] = scratch  # find no server but the one given here
        server = None
        if args.no_server:
            setting = "headless kernel, no server"
        else:
            if args.url:
                url, token = args.url, args.token or ""
            else:
                server, url, token = start_server(scratch)
            env.update(JUPYTER_PUSH_URL=url, JUPYTER_PUSH_TOKEN=token)
            setting = "kernel connected to a jupyter_push server"
        try:
            rows = measure(env, args.iterations, args.slow_iterations, args.repeat)
        finally:
            if server is not None:
                server.terminate()
                server.wait(30)
    print(json.dumps(rows) if args.json else table(rows, setting))


if __name__ == "__main__":
    main()
