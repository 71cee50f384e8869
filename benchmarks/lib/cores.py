"""Which cores the servers under test and the clients run on.

On a small machine the load generators and publishers share the cores with the server: a
client process scheduled onto the server's core stretches a fan-out by however long it runs
there. By default the servers get the first core and every client process (the driver and
what it starts: load generators, publishers, the stand-in kernel) the others, as if the
clients ran on other machines. `--no-pin` (BENCH_PIN=0) leaves both to the scheduler.
"""

from __future__ import annotations

import os

_CORES = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []


def enabled() -> bool:
    return os.environ.get("BENCH_PIN", "1") != "0" and len(_CORES) >= 2


def pin_clients() -> None:
    """Move this process, and the processes it starts from now on, off the servers' core."""
    if enabled():
        os.sched_setaffinity(0, _CORES[1:])


def pin_server() -> None:
    """For `preexec_fn`: the server process starts on the servers' core."""
    if enabled():
        os.sched_setaffinity(0, _CORES[:1])


def describe() -> str:
    if not enabled():
        return "not pinned: servers and clients share every core"
    return (f"servers pinned to core {_CORES[0]}, every client process (load generators, "
            f"publishers, the stand-in kernel) to the other {len(_CORES) - 1}")


def unpin() -> None:
    """Give this process every core again (the other benchmark scripts place their own)."""
    if _CORES:
        os.sched_setaffinity(0, _CORES)
