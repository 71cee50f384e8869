"""The measurements: a burst to N subscribers, a paced stream for latency, idle memory."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from .procstat import cpu_seconds, rss_bytes
from .systems import Fleet, System


@dataclass
class Burst:
    system: str
    subscribers: int
    events: int
    seconds: float
    cpu_seconds: float
    complete: bool
    in_order: bool
    extra: int

    @property
    def deliveries(self) -> int:
        return self.events * self.subscribers

    @property
    def rate(self) -> float:
        return self.deliveries / self.seconds if self.seconds > 0 else 0.0

    @property
    def cpu_us_per_delivery(self) -> float:
        return self.cpu_seconds / self.deliveries * 1e6


@dataclass
class Paced:
    system: str
    subscribers: int
    rate: float
    events: int
    complete: bool
    in_order: bool
    cpu_seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)  # to the subscriber's socket
    client_latencies_ms: list[float] = field(default_factory=list)  # to the client's read
    unstamped: int = 0  # reads without a kernel timestamp (the read time stood in)

    @property
    def cpu_us_per_delivery(self) -> float:
        return self.cpu_seconds / (self.events * self.subscribers) * 1e6


class Seq:
    """Event sequence numbers, unique across rounds."""

    def __init__(self) -> None:
        self.next = 0

    def take(self, n: int) -> int:
        start, self.next = self.next, self.next + n
        return start


async def burst(system: System, fleet: Fleet, events: int, seq: Seq, *, check: bool = False,
                timeout: float = 120) -> Burst:
    await fleet.arm(events, check, timeout)
    pid = system.server.pid
    cpu0 = cpu_seconds(pid)
    t0 = time.time()
    await system.emit(events, 0, seq.take(events))
    r = await fleet.results(timeout)
    cpu1 = cpu_seconds(pid)
    end = r["last_done"] if r["complete"] else time.time()
    return Burst(system.name, fleet.conns, events, end - t0, cpu1 - cpu0, r["complete"],
                 r["in_order"], r["extra"])


async def paced(system: System, fleet: Fleet, rate: float, seconds: float, seq: Seq) -> Paced:
    events = max(1, round(rate * seconds))
    await fleet.arm(events, True, seconds + 60)
    cpu0 = cpu_seconds(system.server.pid)
    await system.emit(events, rate, seq.take(events))
    r = await fleet.results(seconds + 60)
    cpu1 = cpu_seconds(system.server.pid)
    return Paced(system.name, fleet.conns, rate, events, r["complete"], r["in_order"],
                 cpu1 - cpu0, [x * 1000 for x in r["latencies"]],
                 [x * 1000 for x in r["client_latencies"]], r["unstamped"])


async def connect(system: System, conns: int, processes: int) -> tuple[Fleet, float]:
    """Open `conns` subscribers; returns the fleet and the server's RSS growth per connection
    (bytes), measured once they are registered and idle."""
    before = system.subscribers()
    await asyncio.sleep(0.2)
    rss0 = rss_bytes(system.server.pid)
    fleet = Fleet(system, conns, processes)
    await fleet.start()
    await fleet.wait_registered(before + conns)
    await asyncio.sleep(0.3)
    return fleet, (rss_bytes(system.server.pid) - rss0) / conns


def summary(values: list[float]) -> dict[str, float]:
    s = sorted(values)
    return {"median": s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2,
            "min": s[0], "max": s[-1]}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q / 100 * len(s)))]


def as_dict(obj: Any) -> dict[str, Any]:
    d = dict(obj.__dict__)
    if isinstance(obj, Burst):
        d.update(rate=obj.rate)
    if isinstance(obj, KernelRun):
        d.update(delivered_per_second=obj.delivered_per_second)
    else:
        d.update(cpu_us_per_delivery=obj.cpu_us_per_delivery)
    return d


@dataclass
class KernelRun:
    system: str
    events: int
    rate: float  # target push rate, events/s
    seconds: float  # first push to the subscriber's last event (lost events not waited for)
    complete: bool
    in_order: bool
    received: int
    latencies_ms: list[float] = field(default_factory=list)
    client_latencies_ms: list[float] = field(default_factory=list)
    unstamped: int = 0

    @property
    def delivered_per_second(self) -> float:
        return self.received / self.seconds if self.seconds > 0 else 0.0


async def kernel_stream(system: Any, fleet: Fleet, events: int, rate: float, *,
                        check: bool, timeout: float = 60) -> KernelRun:
    """`push()` from a separate process (a stand-in kernel) to one subscriber."""
    await fleet.arm(events, check, timeout)
    await system.emit(events, rate, 0)
    r = await fleet.results(timeout)
    end = r["last_done"] if r["complete"] else (r["last_at"] or time.time())
    return KernelRun(system.name, events, rate, end - system.started, r["complete"],
                     r["in_order"], r["received"], [x * 1000 for x in r["latencies"]],
                     [x * 1000 for x in r["client_latencies"]], r["unstamped"])
