"""What one round of the system sampler costs, per kernel: the server's `SystemSampler` and
`Hub` in this process, sampling N real processes standing in for kernels (idle Python
processes; the sampler reads only a kernel's pid from jupyter_server's kernel manager, which
a small stand-in provides here), publishing to one subscriber of every sampled channel.

    python benchmarks/sampler_profile.py [--kernels 20] [--rounds 200]

Prints the CPU time (this thread's, `time.thread_time`) of one round, its parts (psutil reads,
drafting and publishing), and what that is at the default interval (2 s) in % of one core.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from types import SimpleNamespace
from typing import Any

from jupyter_push.channels import PatternSet
from jupyter_push.server.brokers.memory import MemoryBroker
from jupyter_push.server.hub import Hub
from jupyter_push.server.system_metrics import SystemSampler

INTERVAL = 2.0  # PushApp.system_interval's default


class Kernels:
    """The part of jupyter_server's kernel manager the sampler reads: ids and pids."""

    def __init__(self, pids: list[int]):
        self._kernels = {f"k{i}": SimpleNamespace(provisioner=SimpleNamespace(pid=pid))
                         for i, pid in enumerate(pids)}

    def list_kernel_ids(self) -> list[str]:
        return list(self._kernels)

    def get_kernel(self, kernel_id: str) -> Any:
        return self._kernels[kernel_id]


async def profile(kernels: int, rounds: int) -> None:
    children = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
                for _ in range(kernels)]
    try:
        hub = Hub(MemoryBroker(1000))
        await hub.start()
        sub, _ = await hub.open(PatternSet(["$system/**", "$kernels/*/resources"]),
                                retained=False)
        sampler = SystemSampler(hub, Kernels([c.pid for c in children]), interval=0)
        wanted = sampler._wanted()
        assert len(wanted) >= kernels, wanted
        sample_t, publish_t, total_t = [], [], []
        for _ in range(rounds + 5):
            t0 = time.thread_time()
            drafts = sampler.sample_round(wanted)
            t1 = time.thread_time()
            await hub.publish(drafts)
            sub.take()
            t2 = time.thread_time()
            wanted = sampler._wanted()
            t3 = time.thread_time()
            sample_t.append(t1 - t0)
            publish_t.append(t2 - t1)
            total_t.append(t3 - t0)
        sample_t, publish_t, total_t = sample_t[5:], publish_t[5:], total_t[5:]
        ms = 1000
        total = statistics.median(total_t)
        print(f"{kernels} kernels, {rounds} rounds (median CPU time of one round):")
        print(f"  sampling (psutil reads, drafts) {statistics.median(sample_t) * ms:7.3f} ms")
        print(f"  publishing to one subscriber    {statistics.median(publish_t) * ms:7.3f} ms")
        print(f"  whole round (with finding what is subscribed) {total * ms:7.3f} ms "
              f"= {total / kernels * 1e6:.0f} µs per kernel")
        print(f"  at one round per {INTERVAL:g} s: {100 * total / INTERVAL:.3f} % of one core")
        await hub.stop()
    finally:
        for child in children:
            child.kill()
            child.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(profile(args.kernels, args.rounds))


if __name__ == "__main__":
    main()
