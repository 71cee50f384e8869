"""A stand-in for a long job running outside the notebook: it publishes a simulated run to
`<prefix>/progress`, `<prefix>/metrics`, `<prefix>/log` and `<prefix>/status`.

    python publisher_script.py [--steps 150] [--delay 0.01] [--prefix sim]

It finds the server the way every script does: JUPYTER_PUSH_URL / JUPYTER_PUSH_TOKEN (set for
kernels and terminals started by Jupyter), else the runtime file of a running server.
"""

from __future__ import annotations

import argparse
import math
import random
import time

import jupyter_push
from jupyter_push import push, track


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--delay", type=float, default=0.01, help="seconds per step")
    parser.add_argument("--prefix", default="sim")
    args = parser.parse_args()
    p = args.prefix
    rng = random.Random(1)

    push(f"{p}/status", "running")
    for step in track(range(args.steps), f"{p}/progress"):
        loss = 1.5 * math.exp(-step / (args.steps / 4)) + 0.05 * rng.random()
        push(f"{p}/metrics", {"step": step, "loss": round(loss, 4)})
        if step % 25 == 0:
            push(f"{p}/log", f"step {step}: loss {loss:.3f}")
        time.sleep(args.delay)
    push(f"{p}/log", "finished")
    push(f"{p}/status", "done")
    if not jupyter_push.flush(timeout=10):
        print("no jupyter_push server reached: the events stayed in this script")


if __name__ == "__main__":
    main()
