"""Host and kernel metrics as channels, sampled only while someone subscribes to them:
`$system/cpu`, `$system/memory`, `$system/gpu/<index>` (NVML, when pynvml is installed and
finds a GPU) and `$kernels/<kernel_id>/resources` (the kernel process).

The hub tells the sampler when a subscriber with a `$` pattern arrives; the sampler then runs
every `interval` seconds for as long as any of its channels has a subscriber, and stops.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import psutil

from ..reserved import KERNELS, SYSTEM, kernel_resources_channel
from .brokers.base import Draft
from .hub import Hub

KERNELS_PREFIX = KERNELS + "/"
GIB = float(1 << 30)
MIB = float(1 << 20)


def cpu_sample() -> dict[str, float]:
    return {"percent": psutil.cpu_percent(interval=None)}


def memory_sample() -> dict[str, float]:
    memory = psutil.virtual_memory()
    return {"percent": memory.percent, "used_gib": round(memory.used / GIB, 3)}


class GPUs:
    """NVML, if pynvml is installed and finds devices; otherwise nothing (and no cost)."""

    def __init__(self) -> None:
        self.nvml: Any = None
        self.count = 0
        try:
            import pynvml  # optional: pip install nvidia-ml-py

            pynvml.nvmlInit()
            self.count = pynvml.nvmlDeviceGetCount()
            self.nvml = pynvml
        except Exception:
            self.count = 0

    def channels(self) -> list[str]:
        return [f"{SYSTEM}/gpu/{i}" for i in range(self.count)]

    def sample(self, index: int) -> dict[str, float]:
        nvml = self.nvml
        handle = nvml.nvmlDeviceGetHandleByIndex(index)
        use = nvml.nvmlDeviceGetUtilizationRates(handle)
        memory = nvml.nvmlDeviceGetMemoryInfo(handle)
        return {"utilization": use.gpu / 100, "memory": round(memory.used / memory.total, 4)}


class SystemSampler:
    def __init__(self, hub: Hub, kernel_manager: Any = None, *, interval: float = 2.0,
                 log: logging.Logger | None = None):
        self.hub = hub
        self.kernels = kernel_manager
        self.interval = interval
        self.log = log or logging.getLogger("jupyter_push")
        self.gpus: GPUs | None = None  # found on first use
        self._processes: dict[str, psutil.Process] = {}
        self._task: asyncio.Task[None] | None = None
        self.samples = 0  # rounds taken (for tests and the benchmark)

    def start(self) -> None:
        self.hub.reserved_listeners.append(self.wake)

    async def stop(self) -> None:
        if self.wake in self.hub.reserved_listeners:
            self.hub.reserved_listeners.remove(self.wake)
        if self._task is not None:
            self._task.cancel()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        if not self.running and self._wanted():
            self._task = asyncio.ensure_future(self._run())

    def _kernel_ids(self) -> list[str]:
        if self.kernels is None:
            return []
        try:
            return list(self.kernels.list_kernel_ids())
        except Exception:
            return []

    def _wanted(self) -> list[str]:
        """The sampler's channels that have a subscriber now."""
        if self.gpus is None:
            self.gpus = GPUs()
        names = [f"{SYSTEM}/cpu", f"{SYSTEM}/memory", *self.gpus.channels(),
                 *(kernel_resources_channel(k) for k in self._kernel_ids())]
        return [n for n in names if self.hub.has_subscribers(n)]

    async def _run(self) -> None:
        psutil.cpu_percent(interval=None)  # the first reading is since this call
        for process in self._processes.values():
            process.cpu_percent(interval=None)
        while True:
            wanted = self._wanted()
            if not wanted:
                return
            samples = self.sample_round(wanted)
            if samples:
                try:
                    await self.hub.publish(samples)
                except Exception:
                    self.log.warning("jupyter_push: could not publish metrics", exc_info=True)
            self.samples += 1
            await asyncio.sleep(self.interval)

    def sample_round(self, wanted: list[str]) -> list[Draft]:
        """One round: a draft for each of the `wanted` channels that could be sampled."""
        samples = []
        kernels_seen = set()
        for channel in wanted:
            try:
                if channel.startswith(KERNELS_PREFIX):
                    kernel_id = channel.split("/", 2)[1]
                    kernels_seen.add(kernel_id)
                    data = self._kernel_sample(kernel_id)
                else:
                    data = self._sample(channel)
            except Exception:  # a kernel that just exited, a GPU that went away
                continue
            if data is not None:
                samples.append(self.hub.draft(channel, data, None, internal=True))
        for gone in [k for k in self._processes if k not in kernels_seen]:
            del self._processes[gone]  # a kernel gone, or nobody follows it any more
        return samples

    def _sample(self, channel: str) -> dict[str, float] | None:
        if channel == f"{SYSTEM}/cpu":
            return cpu_sample()
        if channel == f"{SYSTEM}/memory":
            return memory_sample()
        if channel.startswith(f"{SYSTEM}/gpu/") and self.gpus is not None:
            return self.gpus.sample(int(channel.rsplit("/", 1)[1]))
        return None

    def _kernel_sample(self, kernel_id: str) -> dict[str, float] | None:
        """The kernel process's memory and CPU. One `psutil.Process` is kept per kernel and
        read once per round (`oneshot`: /proc/<pid>/stat and statm, nothing else); a
        restarted kernel (a new pid) gets a new one."""
        pid = getattr(getattr(self.kernels.get_kernel(kernel_id), "provisioner", None),
                      "pid", None)
        if pid is None:
            return None
        process = self._processes.get(kernel_id)
        if process is None or process.pid != pid:
            process = self._processes[kernel_id] = psutil.Process(pid)
            process.cpu_percent(interval=None)  # the first reading is since now
        # the kernel process only: finding its children means reading all of /proc, which
        # for 20 kernels every round cost more than the rest of the sampling together
        with process.oneshot():
            rss = process.memory_info().rss
            cpu = process.cpu_percent(interval=None)
        return {"rss_mib": round(rss / MIB, 1), "cpu_percent": cpu}
