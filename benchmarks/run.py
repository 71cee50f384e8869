"""Side-by-side benchmark: jupyter_push (SSE and WebSocket) against jupyter_server's own event
bus and a raw Tornado WebSocket fan-out, in one run, alternating, several repetitions.

    python benchmarks/run.py            # the full suite (make bench), writes RESULTS.md + plots
    python benchmarks/run.py --quick    # fewer sizes and repetitions
    python benchmarks/run.py --smoke    # seconds: every event delivered, in order (tests use it)
    python benchmarks/run.py --smoke --out DIR   # the same, with its report written into DIR

jupyter_push runs with its defaults, the connection limits aside (one credential holds every
benchmark connection); the settings used are printed in RESULTS.md next to the figures. The
report and the raw results (`results.json`) are rewritten after every round, so a run that
stops late keeps what it measured. Everything runs on 127.0.0.1; every process started here
is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lib import cores, extras, host_load, report
from lib.procstat import load_average
from lib.scenarios import Seq, as_dict, burst, connect, kernel_stream, paced, percentile
from lib.servers import (
    PUSH_SETTINGS,
    Server,
    start_event_bus_server,
    start_push_server,
    start_tornado,
)
from lib.systems import (
    System,
    event_bus_system,
    kernel_system,
    push_systems,
    tornado_system,
)

HERE = Path(__file__).resolve().parent


@dataclass
class Profile:
    subscribers: tuple[int, ...]
    reps: int
    # deliveries per burst for fast (jupyter_push) and slow (baselines) systems
    fast_deliveries: int
    slow_deliveries: int
    paced: tuple[tuple[int, float, float], ...]  # (subscribers, events/s, seconds)
    paced_reps: int
    many_sse: int  # concurrent SSE connections held by one process (0: skip)
    extras: bool
    check: bool  # parse every event in bursts (slower clients)
    kernel: tuple[int, float, int]  # push() from a process: (events, target rate, repetitions)
    kernel_paced: tuple[float, float]  # (events/s, seconds) for kernel → subscriber latency
    host: host_load.HostProfile  # the host under push load (api/contents, execute)


PROFILES = {
    "full": Profile((10, 100, 1000), 3, 1_000_000, 40_000,
                    ((100, 100, 3.0), (1000, 10, 5.0)), 2, 10_000, True, False,
                    (400_000, 200_000, 3), (10, 10.0), host_load.PROFILES["full"]),
    "quick": Profile((100, 1000), 1, 300_000, 15_000,
                     ((100, 100, 2.0), (1000, 10, 3.0)), 1, 0, False, False,
                     (200_000, 200_000, 1), (10, 3.0), host_load.PROFILES["quick"]),
    "smoke": Profile((4,), 1, 400, 200, ((4, 50, 0.4),), 1, 0, False, True,
                     (2_000, 20_000, 1), (50, 0.2), host_load.PROFILES["smoke"]),
}


def burst_events(system: System, subscribers: int, profile: Profile) -> int:
    budget = profile.fast_deliveries if system.proto.startswith("push") else profile.slow_deliveries
    return max(20, min(5000, budget // subscribers))


def processes_for(subscribers: int) -> int:
    """Load-generator processes: two from 100 subscribers on, so that reading one event on
    every socket does not add the generator's own queueing to the latency it measures."""
    return 1 if subscribers < 100 else 2


async def start_servers(push_source: str | None) -> list[Server]:
    """All three at once; if one fails, the others are stopped."""
    started = await asyncio.gather(
        asyncio.to_thread(start_push_server, push_source),
        asyncio.to_thread(start_event_bus_server),
        asyncio.to_thread(start_tornado),
        return_exceptions=True,
    )
    servers = [s for s in started if isinstance(s, Server)]
    failed = [e for e in started if isinstance(e, BaseException)]
    if failed:
        for server in servers:
            server.stop()
        raise failed[0]
    return servers


def log(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)


Save = Callable[[], None]


async def run(profile: Profile, only: set[str] | None, results: dict[str, Any], save: Save,
              push_source: str | None = None) -> None:
    """Every round of `profile`, its figures added to `results` and saved as they come."""
    results.update(bursts=[], paced=[], memory=[], many_sse=None)
    cores.pin_clients()
    servers = await start_servers(push_source)
    systems = [*push_systems(servers[0]), event_bus_system(servers[1]), tornado_system(servers[2])]
    if only:
        systems = [s for s in systems if any(o in s.name for o in only)]
    seq = Seq()
    try:
        for n in profile.subscribers:
            fleets = {}
            for system in systems:
                fleet, per_conn = await connect(system, n, processes_for(n))
                fleets[system.name] = fleet
                results["memory"].append({"system": system.name, "subscribers": n,
                                          "bytes_per_connection": per_conn})
            try:
                for system in systems:  # warm-up round, parsing every event
                    b = await burst(system, fleets[system.name], 20, seq, check=True)
                    results["bursts"].append({**as_dict(b), "warmup": True})
                for rep in range(profile.reps):
                    order = systems[rep % len(systems):] + systems[:rep % len(systems)]
                    for system in order:
                        b = await burst(system, fleets[system.name],
                                        burst_events(system, n, profile), seq, check=profile.check)
                        results["bursts"].append(as_dict(b))
                        save()
                        log(f"burst {system.name:24} n={n:5} {b.rate:12,.0f}/s "
                            f"{b.cpu_us_per_delivery:6.2f} µs complete={b.complete} "
                            f"in_order={b.in_order}")
                for subs, rate, seconds in profile.paced:
                    if subs != n:
                        continue
                    for rep in range(profile.paced_reps):
                        order = systems[rep % len(systems):] + systems[:rep % len(systems)]
                        for system in order:
                            p = await paced(system, fleets[system.name], rate, seconds, seq)
                            results["paced"].append(as_dict(p))
                            save()
                            sock, client = p.latencies_ms, p.client_latencies_ms
                            log(f"paced {system.name:24} n={n:5} {rate}/s p50/p99 at the "
                                f"socket {percentile(sock, 50):.2f}/{percentile(sock, 99):.2f}"
                                f" ms, in the client {percentile(client, 50):.2f}/"
                                f"{percentile(client, 99):.2f} ms "
                                f"complete={p.complete} in_order={p.in_order}")
            finally:
                for fleet in fleets.values():
                    await fleet.close()
        if profile.many_sse and (not only or any("SSE" in s.name for s in systems)):
            results["many_sse"] = await many_sse(systems[0], profile.many_sse, seq)
            save()
    finally:
        for system in systems:
            await system.close()
        for server in servers:
            server.stop()
        cores.unpin()
    if not only or any("jupyter_push" in o or "kernel" in o for o in only):
        server = await asyncio.to_thread(start_push_server, push_source, pinned=False)
        try:
            results["kernel"] = []
            await kernel_rounds(server, profile, results["kernel"], save)
        finally:
            server.stop()
    if not only or any("host" in o for o in only):
        results["host_load"] = []
        await host_load.run(profile.host, results["host_load"], save, push_source, log)


async def kernel_rounds(server: Server, profile: Profile, found: list[dict[str, Any]],
                        save: Save) -> None:
    """`push()` in a separate process to one SSE subscriber: sustained rate, then latency.
    Each round has its own subscriber, so a cut-off one cannot spoil the next. Nothing is
    pinned here: no load generator competes, and the stand-in kernel and its subscriber
    sharing one core would make each wait for the other."""
    system = kernel_system(server)
    events, rate, reps = profile.kernel
    paced_rate, seconds = profile.kernel_paced
    warmup = (max(1, events // 4), rate, profile.check)
    rounds = [warmup] + [(events, rate, profile.check)] * reps
    rounds += [(max(1, round(paced_rate * seconds)), paced_rate, True)]
    for i, (n, r, check) in enumerate(rounds):
        fleet, _ = await connect(system, 1, 1)
        try:
            k = await kernel_stream(system, fleet, n, r, check=check,
                                    timeout=max(30.0, 3 * n / r))
        finally:
            await fleet.close()
        found.append({**as_dict(k), "warmup": i == 0})
        save()
        log(f"kernel {n} events at {r:,.0f}/s: {k.delivered_per_second:,.0f}/s delivered, "
            f"complete={k.complete}")


async def many_sse(system: System, conns: int, seq: Seq) -> dict[str, Any]:
    log(f"holding {conns} SSE connections")
    fleet, per_conn = await connect(system, conns, 4)
    try:
        b = await burst(system, fleet, 20, seq, check=True, timeout=120)
    finally:
        await fleet.close()
    return {**as_dict(b), "bytes_per_connection": per_conn}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="fewer sizes and repetitions")
    mode.add_argument("--smoke", action="store_true",
                      help="a few seconds; check delivery and order, print JSON, write nothing")
    parser.add_argument("--only", action="append", help="run only systems whose name contains this")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--no-extras", action="store_true", help="skip the other benchmark scripts")
    parser.add_argument("--push-source", metavar="DIR",
                        help="import jupyter_push from this checkout (to compare two versions)")
    parser.add_argument("--no-report", action="store_true", help="do not write RESULTS.md")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write RESULTS.md, the plots and results.json here (default: "
                             "benchmarks/; --smoke writes a report only when this is given)")
    parser.add_argument("--no-pin", action="store_true",
                        help="let servers and clients share every core (BENCH_PIN=0)")
    args = parser.parse_args()
    if args.no_pin:
        os.environ["BENCH_PIN"] = "0"
    name = "smoke" if args.smoke else "quick" if args.quick else "full"
    profile = PROFILES[name]
    started = time.time()
    results: dict[str, Any] = {
        "profile": name,
        "settings": list(PUSH_SETTINGS),
        "conditions": {
            "load_before": load_average(),
            "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
            "cores": cores.describe(),
        },
    }
    out = args.out or (None if args.smoke or args.no_report else HERE)
    command = " ".join(["python benchmarks/run.py", *sys.argv[1:]])

    def save(final: bool = False) -> None:
        """The report so far (plots only at the end) and the raw results."""
        results["conditions"].update(load_after=load_average(),
                                     seconds=round(time.time() - started))
        if args.json:
            args.json.write_text(json.dumps(results))
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / "results.json").write_text(json.dumps(results))
            report.write(results, out, command=command, final=final)

    asyncio.run(run(profile, set(args.only) if args.only else None, results, save,
                    args.push_source))
    if profile.extras and not args.no_extras:
        results["extras"] = extras.run_all(HERE)
    save(final=True)
    ok = report.all_delivered(results)
    if args.smoke:
        print(json.dumps(report.smoke_summary(results)))
    if out is not None:
        log(f"wrote {out / 'RESULTS.md'} in {results['conditions']['seconds']} s")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
