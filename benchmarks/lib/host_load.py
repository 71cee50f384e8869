"""The host under push load: is Jupyter itself still responsive while a notebook pushes hard?

One jupyter_push server (its defaults, the connection limits aside) with two kernels started
through `api/kernels`. Phase by phase — idle, then the pushing kernel at each rate — it
measures, side by side:
- `GET api/contents` latency (one request at a time, `probe_interval` apart);
- the other kernel's `1 + 1` round trip over `api/kernels/<id>/channels`, as JupyterLab runs
  a cell (until both the execute_reply and the idle status have come);
- what `subscribers` SSE subscribers received: every event, or an explicit `gap` / a cut-off
  the server announced; anything else is a silent loss. And the delivered rate.
Nothing is pinned: the server, its kernels and the clients share the cores, as on a laptop.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable

import httpx

from .kernels import Kernel
from .scenarios import percentile
from .servers import Server, start_push_server
from .systems import Fleet, System

CHANNEL = "bench/host"
FAST = 0  # rate: as fast as the kernel can push

# api/contents p99 and max, execute round trip p99 (ms), at the defaults (issue targets)
CONTENTS_P99_MS, CONTENTS_MAX_MS, EXECUTE_P99_MS = 50.0, 250.0, 100.0


@dataclass(frozen=True)
class HostProfile:
    rates: tuple[float, ...]  # events/s pushed by the kernel; FAST = as fast as it can
    seconds: float  # length of the idle phase and of each paced phase
    fast_events: int  # events pushed in the as-fast-as-possible phase
    subscribers: int
    probe_interval: float  # seconds between two api/contents requests, two executes


PROFILES = {
    "full": HostProfile((10_000, 50_000, FAST), 5.0, 250_000, 20, 0.02),
    "quick": HostProfile((10_000, 50_000, FAST), 2.0, 100_000, 20, 0.02),
    "smoke": HostProfile((2_000, FAST), 0.5, 2_000, 4, 0.05),
}

# Runs in the pushing kernel: `push()` at `rate` events/s (checking the clock every 100
# events), then waits until everything reached the server; prints what it did as JSON.
PUSHER = """
import json as _json, time as _time
from jupyter_push import push as _push
from jupyter_push import flush as _flush

def _bench_push(channel, n, rate):
    started = _time.time()
    begin = _time.monotonic()
    for i in range(n):
        if rate > 0 and i % 100 == 0:
            delay = begin + i / rate - _time.monotonic()
            if delay > 0:
                _time.sleep(delay)
        _push(channel, i)
    pushed = _time.monotonic() - begin
    flushed = _flush(120)
    print(_json.dumps({"started": started, "push_seconds": pushed, "flushed": flushed}))

_push(WARMUP_CHANNEL, 0)
_flush(10)
"""


Log = Callable[..., None]


async def run(profile: HostProfile, found: list[dict[str, Any]], save: Callable[[], None],
              push_source: str | None, log: Log) -> None:
    """Every phase of `profile`, each row appended to `found` and saved as it comes."""
    server = await asyncio.to_thread(start_push_server, push_source, pinned=False)
    http = httpx.AsyncClient(headers=server.auth_headers(), timeout=60)
    kernels: list[Kernel] = []
    try:
        pusher = await Kernel.start(server, http)
        kernels.append(pusher)
        probe = await Kernel.start(server, http)
        kernels.append(probe)
        reply, _ = await pusher.execute(PUSHER.replace("WARMUP_CHANNEL", repr(CHANNEL + "/warmup")))
        if reply.get("status") != "ok":
            raise RuntimeError(f"the pushing kernel could not import jupyter_push: {reply}")
        system = System("host load", server, "push-sse",
                        f"push/events?channel={CHANNEL}&retained=0", None, "push/status")
        phases: list[float | None] = [None, *profile.rates]
        for rate in phases:
            row = await phase(server, http, pusher, probe, system, profile, rate)
            found.append(row)
            save()
            log(describe(row))
    finally:
        for kernel in kernels:
            try:
                await kernel.shutdown(http)
            except (httpx.HTTPError, OSError):
                pass
        await http.aclose()
        server.stop()


async def phase(server: Server, http: httpx.AsyncClient, pusher: Kernel, probe: Kernel,
                system: System, profile: HostProfile, rate: float | None) -> dict[str, Any]:
    """One phase: idle (`rate` None) or the kernel pushing at `rate`. The subscribers are
    connected first; the probes run from then until the last event has arrived."""
    contents: list[float] = []
    executes: list[float] = []
    row: dict[str, Any] = {"rate": rate, "subscribers": profile.subscribers, "events": 0}
    fleet = Fleet(system, profile.subscribers, 1)
    await fleet.start()
    try:
        await fleet.wait_registered(profile.subscribers)
        stop = asyncio.Event()
        probes = [asyncio.ensure_future(_contents_probe(server, http, contents, stop,
                                                        profile.probe_interval)),
                  asyncio.ensure_future(_execute_probe(probe, executes, stop,
                                                       profile.probe_interval))]
        try:
            if rate is None:
                await asyncio.sleep(profile.seconds)
            else:
                row.update(await _push(pusher, fleet, profile, rate))
        finally:
            stop.set()
            await asyncio.gather(*probes)
    finally:
        await fleet.close()
    row.update(contents_ms=contents, execute_ms=executes)
    return row


async def _push(pusher: Kernel, fleet: Fleet, profile: HostProfile,
                rate: float) -> dict[str, Any]:
    n = profile.fast_events if rate == FAST else max(1, round(rate * profile.seconds))
    expected_duration = n / rate if rate else n / 50_000
    await fleet.arm(n, False, timeout=60 + 3 * expected_duration, quiet=10.0)
    reply, out = await pusher.execute(f"_bench_push({CHANNEL!r}, {n}, {rate!r})",
                                      timeout=300 + 3 * expected_duration)
    if reply.get("status") != "ok":
        raise RuntimeError(f"the pushing kernel failed: {reply}")
    pushed = json.loads(out.strip().splitlines()[-1])
    r = await fleet.results(60 + 3 * expected_duration)
    end = r["last_at"] or time.time()
    seconds = max(1e-9, end - pushed["started"])
    return {"events": n, "push_seconds": pushed["push_seconds"], "flushed": pushed["flushed"],
            "seconds": seconds, "received": r["counts"], "gaps": r["gaps"], "ended": r["ended"],
            "delivered_per_second": sum(r["counts"]) / seconds, "errors": r["errors"]}


async def _contents_probe(server: Server, http: httpx.AsyncClient, found: list[float],
                          stop: asyncio.Event, interval: float) -> None:
    url = server.url("api/contents")
    while not stop.is_set():
        t0 = time.perf_counter()
        r = await http.get(url)
        found.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
        await _pause(stop, interval)


async def _execute_probe(kernel: Kernel, found: list[float], stop: asyncio.Event,
                         interval: float) -> None:
    while not stop.is_set():
        t0 = time.perf_counter()
        reply, _ = await kernel.execute("1 + 1", timeout=120)
        found.append((time.perf_counter() - t0) * 1000)
        if reply.get("status") != "ok":
            raise RuntimeError(f"1 + 1 failed: {reply}")
        await _pause(stop, interval)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        pass


# ---------------------------------------------------------------------- reading a row


def outcome(row: dict[str, Any]) -> str:
    """`every event`, `explicit gap` (each short subscriber was told: a gap notice or a
    cut-off), or `SILENT LOSS`; `–` for the idle phase."""
    if row["rate"] is None:
        return "–"
    n = row["events"]
    short = [i for i, c in enumerate(row["received"]) if c != n]
    if not short:
        return "every event"
    if all(row["gaps"][i] or row["ended"][i] for i in short):
        told = sum(1 for i in short if row["gaps"][i])
        cut = sum(1 for i in short if row["ended"][i])
        return f"explicit gap ({len(short)} of {len(row['received'])}: {told} gap, {cut} cut off)"
    return "SILENT LOSS"


def _stats(values: list[float]) -> str:
    if not values:
        return "–"
    return (f"{percentile(values, 50):.1f} / {percentile(values, 99):.1f} / "
            f"{max(values):.1f}")


def meets_targets(row: dict[str, Any]) -> bool:
    c, e = row["contents_ms"], row["execute_ms"]
    return bool(c and e) and (percentile(c, 99) <= CONTENTS_P99_MS
                              and max(c) <= CONTENTS_MAX_MS
                              and percentile(e, 99) <= EXECUTE_P99_MS)


def load_label(row: dict[str, Any]) -> str:
    if row["rate"] is None:
        return "idle"
    if row["rate"] == FAST:
        return f"as fast as possible ({row['events']:,} events)"
    return f"{row['rate']:,.0f} events/s"


def describe(row: dict[str, Any]) -> str:
    delivered = row.get("delivered_per_second")
    return (f"host load {load_label(row):32} api/contents p50/p99/max "
            f"{_stats(row['contents_ms'])} ms, 1 + 1 {_stats(row['execute_ms'])} ms"
            + (f", {delivered:,.0f} deliveries/s, {outcome(row)}" if delivered else ""))


def section(rows: list[dict[str, Any]], settings: str) -> str:
    if not rows:
        return ""
    subs = rows[0]["subscribers"]
    lines = [
        "## The host under push load",
        "",
        f"One kernel pushes to {subs} SSE subscribers (small events, `push(channel, i)` in a "
        "loop, paced every 100 events); meanwhile `GET api/contents` and a second kernel's "
        "`1 + 1` (sent over `api/kernels/<id>/channels`, done when the reply and the idle "
        "status came) run one at a time, back to back. Nothing is pinned. " + settings
        + f" Targets: api/contents p99 ≤ {CONTENTS_P99_MS:g} ms and max ≤ "
        f"{CONTENTS_MAX_MS:g} ms, execute p99 ≤ {EXECUTE_P99_MS:g} ms, at every rate.",
        "",
        "| load | api/contents p50 / p99 / max ms | 1 + 1 round trip p50 / p99 / max ms "
        "| deliveries/s (all subscribers) | per subscriber | delivery | targets |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        delivered = row.get("delivered_per_second")
        lines.append(
            f"| {load_label(row)} | {_stats(row['contents_ms'])} | {_stats(row['execute_ms'])} "
            f"| {f'{delivered:,.0f}' if delivered else '–'} "
            f"| {f'{delivered / subs:,.0f}/s' if delivered else '–'} | {outcome(row)} "
            f"| {'met' if meets_targets(row) else '**not met**'} |")
    pushed = [r for r in rows if r["rate"] is not None]
    if pushed:
        median_push = statistics.median(r["push_seconds"] for r in pushed)
        lines += ["", f"Kernel-side push loops took {median_push:.2f} s (median over the "
                  "pushing phases); samples per phase: "
                  + ", ".join(f"{load_label(r)} {len(r['contents_ms'])} / {len(r['execute_ms'])}"
                              for r in rows) + " (api/contents / execute)."]
    return "\n".join(lines)
