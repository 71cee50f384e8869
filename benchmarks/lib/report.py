"""RESULTS.md and the plots, from the raw results of one run."""

from __future__ import annotations

import os
import platform
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from . import host_load
from .procstat import cpu_model
from .scenarios import percentile

BASELINE = "jupyter_server events"


def all_delivered(results: dict[str, Any]) -> bool:
    """Every fan-out round delivered every event in order. (In the kernel streams a kernel
    pushing faster than it can send drops from its own bounded buffer, by design; those
    rounds report what was lost instead.)"""
    kernel_latency = [k for k in results.get("kernel", []) if k["rate"] <= 1000]
    rows = results["bursts"] + results["paced"] + kernel_latency
    if results.get("many_sse"):
        rows.append(results["many_sse"])
    return all(r["complete"] and r["in_order"] and not r.get("extra") for r in rows)


def smoke_summary(results: dict[str, Any]) -> dict[str, Any]:
    kinds = [("burst", results["bursts"]), ("paced", results["paced"]),
             ("kernel", results.get("kernel", []))]
    return {
        "ok": all_delivered(results),
        "rounds": [{"kind": kind, "system": r["system"], "subscribers": r.get("subscribers", 1),
                    "events": r["events"], "complete": r["complete"], "in_order": r["in_order"],
                    "extra": r.get("extra", 0), **_latency_check(r)}
                   for kind, rows in kinds for r in rows],
    }


def _latency_check(row: dict[str, Any]) -> dict[str, Any]:
    """For rounds that measure latency: how many samples, how many reads had no kernel
    timestamp, and whether every event reached the socket no later than the client read it."""
    if not row.get("latencies_ms"):
        return {}
    pairs = zip(row["latencies_ms"], row["client_latencies_ms"], strict=True)
    return {"samples": len(row["latencies_ms"]), "unstamped": row.get("unstamped", 0),
            "socket_first": all(s <= c + 1e-6 for s, c in pairs)}


def _median_range(values: list[float], fmt: str) -> str:
    if not values:
        return "–"
    med = statistics.median(values)
    if len(values) == 1:
        return format(med, fmt)
    return f"{format(med, fmt)} ({format(min(values), fmt)}–{format(max(values), fmt)})"


def _bursts_by(results: dict[str, Any]) -> dict[tuple[int, str], list[dict[str, Any]]]:
    grouped: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for b in results["bursts"]:
        if not b.get("warmup"):
            grouped[(b["subscribers"], b["system"])].append(b)
    return grouped


def _systems(results: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys(b["system"] for b in results["bursts"]))


def throughput_table(results: dict[str, Any]) -> str:
    grouped = _bursts_by(results)
    lines = ["| subscribers | system | deliveries/s, median (range) | server CPU µs per delivery "
             "| × jupyter_server |", "|---:|---|---:|---:|---:|"]
    for n in sorted({k[0] for k in grouped}):
        base = [b["rate"] for b in grouped.get((n, BASELINE), [])]
        for system in _systems(results):
            rows = grouped.get((n, system))
            if not rows:
                continue
            rates = [b["rate"] for b in rows]
            ratio = (f"{statistics.median(rates) / statistics.median(base):.1f}×" if base
                     else "–")
            lines.append(f"| {n:,} | {system} | {_median_range(rates, ',.0f')} | "
                         f"{_median_range([b['cpu_us_per_delivery'] for b in rows], '.2f')} "
                         f"| {ratio} |")
    return "\n".join(lines)


def latency_table(results: dict[str, Any]) -> str:
    grouped: dict[tuple[int, float, str], list[dict[str, Any]]] = defaultdict(list)
    for p in results["paced"]:
        grouped[(p["subscribers"], p["rate"], p["system"])].append(p)
    lines = ["| subscribers × events/s | system | at the socket: p50 ms | p99 ms (per-run range) "
             "| max ms | in the client: p50 / p99 ms | samples |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for (n, rate, system), rows in sorted(grouped.items(), key=lambda kv: kv[0][:2]):
        pooled = [x for r in rows for x in r["latencies_ms"]]
        client = [x for r in rows for x in r.get("client_latencies_ms", ())]
        p99s = [percentile(r["latencies_ms"], 99) for r in rows]
        rng = f" ({min(p99s):.1f}–{max(p99s):.1f})" if len(p99s) > 1 else ""
        lines.append(f"| {n:,} × {rate:g} | {system} | {percentile(pooled, 50):.2f} | "
                     f"{percentile(pooled, 99):.2f}{rng} | {max(pooled):.1f} | "
                     f"{_p50_p99(client)} | {len(pooled):,} |")
    return "\n".join(lines)


def _p50_p99(values: list[float]) -> str:
    return f"{percentile(values, 50):.2f} / {percentile(values, 99):.2f}" if values else "–"


def memory_table(results: dict[str, Any]) -> str:
    lines = ["| idle connections | system | server RSS growth per connection |", "|---:|---|---:|"]
    for m in results["memory"]:
        if m["subscribers"] >= 100:
            lines.append(f"| {m['subscribers']:,} | {m['system']} | "
                         f"{m['bytes_per_connection'] / 1024:.1f} KB |")
    many = results.get("many_sse")
    if many:
        lines.append(f"| {many['subscribers']:,} | jupyter_push SSE | "
                     f"{many['bytes_per_connection'] / 1024:.1f} KB |")
    return "\n".join(lines)


def _paced_pooled(results: dict[str, Any], n: int, rate: float, system: str,
                  key: str = "latencies_ms") -> list[float]:
    return [x for p in results["paced"] if p["subscribers"] == n and p["rate"] == rate
            and p["system"] == system for x in p.get(key, ())]


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**not met**")


def targets_table(results: dict[str, Any]) -> str:
    """The issue's targets next to this run's figures (medians over repetitions)."""
    grouped = _bursts_by(results)
    rows: list[tuple[str, str, bool | None]] = []

    def rate(n: int, system: str) -> float | None:
        found = grouped.get((n, system))
        return statistics.median(b["rate"] for b in found) if found else None

    big = max((n for n, _ in grouped), default=0)
    base = rate(big, BASELINE)
    for system in ("jupyter_push SSE", "jupyter_push WS"):
        r = rate(big, system)
        if r is None:
            continue
        rows.append((f"≥ 500,000 deliveries/s to {big:,} subscribers, {system}",
                     f"{r:,.0f}/s", r >= 500_000 if big >= 1000 else None))
        if base:
            rows.append((f"≥ 25× jupyter_server's bus at {big:,} subscribers, {system}",
                         f"{r / base:.0f}×", r / base >= 25))
        cpu = [b["cpu_us_per_delivery"] for b in grouped[(big, system)]]
        rows.append((f"≤ 3 µs server CPU per delivery under burst, {system}",
                     f"{statistics.median(cpu):.2f} µs", statistics.median(cpu) <= 3))
    for system in ("jupyter_push SSE", "jupyter_push WS"):
        lat = _paced_pooled(results, 100, 100, system)
        client = _paced_pooled(results, 100, 100, system, "client_latencies_ms")
        if lat:
            p50, p99 = percentile(lat, 50), percentile(lat, 99)
            rows.append((f"100 subscribers at 100 events/s: p50 ≤ 1.5 ms, p99 ≤ 4 ms, {system}",
                         f"{p50:.2f} / {p99:.2f} ms{_in_client(client)}",
                         p50 <= 1.5 and p99 <= 4))
        lat = _paced_pooled(results, 1000, 10, system)
        client = _paced_pooled(results, 1000, 10, system, "client_latencies_ms")
        if lat:
            p99 = percentile(lat, 99)
            rows.append((f"1,000 subscribers at 10 events/s: p99 ≤ 20 ms, {system}",
                         f"{p99:.2f} ms{_in_client(client, p50=False)}", p99 <= 20))
    for m in results["memory"]:
        if m["subscribers"] == big and m["system"].startswith("jupyter_push"):
            kb = m["bytes_per_connection"] / 1024
            rows.append((f"≤ 15 KB per idle connection, {m['system']}", f"{kb:.1f} KB", kb <= 15))
    many = results.get("many_sse")
    if many:
        ok = many["complete"] and many["in_order"]
        rows.append((f"{many['subscribers']:,} concurrent SSE connections, every event delivered",
                     "all delivered, in order" if ok else "events missing", ok))
    kernel = results.get("kernel", [])
    streams = [k for k in kernel if k["rate"] > 1000 and not k.get("warmup")]
    if streams:
        # The kernel pushes at a fixed rate, so the subscriber can at best keep pace: the
        # target is met when every event arrives and delivery keeps up with the pushes.
        push_rate = min(k["rate"] for k in streams)
        delivered = statistics.median(k["delivered_per_second"] for k in streams)
        lost = sum(k["events"] - k["received"] for k in streams)
        ok = push_rate >= 200_000 and lost == 0 and delivered >= 0.98 * push_rate
        rows.append(("≥ 200,000 events/s sustained from one kernel to one subscriber",
                     f"pushed at {push_rate:,.0f}/s: {delivered:,.0f}/s delivered, "
                     f"{lost:,} lost", ok))
    for k in kernel:
        if k["latencies_ms"] and k["rate"] <= 1000:
            p50, p99 = percentile(k["latencies_ms"], 50), percentile(k["latencies_ms"], 99)
            rows.append((f"kernel → subscriber at {k['rate']:g} Hz: p50 ≤ 1 ms, p99 ≤ 5 ms",
                         f"{p50:.2f} / {p99:.2f} ms"
                         f"{_in_client(k.get('client_latencies_ms', []))}",
                         p50 <= 1 and p99 <= 5))
    lines = ["| target | this run | |", "|---|---:|---|"]
    lines += [f"| {what} | {value} | {_verdict(ok)} |" for what, value, ok in rows]
    return "\n".join(lines)


def _in_client(values: list[float], p50: bool = True) -> str:
    """The same latency measured when the client process read the event."""
    if not values:
        return ""
    if p50:
        return f" (in the client {_p50_p99(values)})"
    return f" (in the client {percentile(values, 99):.2f})"


def kernel_table(results: dict[str, Any]) -> str:
    lines = ["| round | events | push rate | delivered/s | lost (kernel buffer full) "
             "| at the socket: p50 / p99 ms | in the client: p50 / p99 ms |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for k in results.get("kernel", []):
        kind = ("latency" if k["rate"] <= 1000 else
                "stream (warm-up)" if k.get("warmup") else "stream")
        lines.append(f"| {kind} | {k['events']:,} | {k['rate']:,.0f}/s | "
                     f"{k['delivered_per_second']:,.0f} | {k['events'] - k['received']:,} | "
                     f"{_p50_p99(k['latencies_ms'])} | "
                     f"{_p50_p99(k.get('client_latencies_ms', []))} |")
    return "\n".join(lines)


def plot(results: dict[str, Any], out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    grouped = _bursts_by(results)
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for system in _systems(results):
        ns = sorted(n for (n, s) in grouped if s == system)
        if not ns:
            continue
        med = [statistics.median(b["rate"] for b in grouped[(n, system)]) for n in ns]
        lo = [min(b["rate"] for b in grouped[(n, system)]) for n in ns]
        hi = [max(b["rate"] for b in grouped[(n, system)]) for n in ns]
        ax.errorbar(ns, med, yerr=[[m - a for m, a in zip(med, lo, strict=True)],
                                   [b - m for m, b in zip(med, hi, strict=True)]],
                    marker="o", capsize=3, label=system)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("subscribers")
    ax.set_ylabel("deliveries per second (burst)")
    ax.set_title("Fan-out throughput, one server process")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "throughput.png", dpi=110)
    plt.close(fig)
    written.append("throughput.png")

    scenarios = sorted({(p["subscribers"], p["rate"]) for p in results["paced"]})
    if scenarios:
        fig, axes = plt.subplots(1, len(scenarios), figsize=(6 * len(scenarios), 4.2),
                                 squeeze=False)
        for ax, (n, rate) in zip(axes[0], scenarios, strict=True):
            for system in _systems(results):
                lat = sorted(_paced_pooled(results, n, rate, system))
                client = sorted(_paced_pooled(results, n, rate, system, "client_latencies_ms"))
                if lat:
                    line, = ax.plot(lat, [i / len(lat) for i in range(len(lat))], label=system)
                if client:
                    ax.plot(client, [i / len(client) for i in range(len(client))],
                            linestyle=":", color=line.get_color() if lat else None)
            ax.set_xscale("log")
            ax.set_xlabel("latency, ms (log)")
            ax.set_ylabel("fraction of deliveries")
            ax.set_title(f"{n:,} subscribers at {rate:g} events/s\n"
                         "solid: at the socket; dotted: in the client", fontsize=10)
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / "latency.png", dpi=110)
        plt.close(fig)
        written.append("latency.png")
    return written


def machine() -> str:
    import jupyter_server
    import tornado

    return (f"{cpu_model()}, {os.cpu_count()} cores, Linux {platform.release()}, "
            f"Python {platform.python_version()}, tornado {tornado.version}, "
            f"jupyter_server {jupyter_server.__version__}, loopback only")


def _plots(results: dict[str, Any], out: Path, final: bool) -> list[str]:
    """The plots, drawn once the run is over; without matplotlib, a line saying how to get it
    (the tables are written either way)."""
    if not final:
        return ["_Plots are drawn when the run ends; this report is partial._"]
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return ["_No plots: matplotlib is not installed (`pip install 'jupyter_push[bench]'`; "
                "`make bench` installs it)._"]
    return [f"![{name}]({name})" for name in plot(results, out)]


def settings_line(results: dict[str, Any]) -> str:
    settings = " ".join(f"`{s}`" for s in results.get("settings", ()))
    return ("jupyter_push settings for every figure below: its defaults, except "
            f"{settings or 'none'} (one credential holds every benchmark connection).")


def write(results: dict[str, Any], out: Path, command: str, final: bool = True) -> None:
    """RESULTS.md in `out` from what `results` holds so far (`final`: the run is over)."""
    c = results["conditions"]
    parts = [
        "# Benchmark results",
        "",
        f"Command: `{command}`. Profile: {results['profile']}. "
        f"Run {c['started']}, {c['seconds']} s.",
        "",
        f"Machine: {machine()}. Load average before/after: {c['load_before']} / "
        f"{c['load_after']}. Cores: {c.get('cores', 'not recorded')} (`lib/cores.py`; "
        "`--no-pin` to compare).",
        "",
        "Every round checks delivery: each subscriber must receive every event "
        f"(every fan-out round complete: **{all_delivered(results)}**); warm-up rounds, latency "
        "rounds and the 10,000-connection round also parse every event and check the order.",
        "",
        *([] if final else ["**Partial report: the run had not ended when this was written.**",
                             ""]),
        settings_line(results),
        "",
        "Servers: jupyter_push as above; jupyter_server with no extension but a 60-line "
        "emitter; Tornado 6 alone. Server memory is the growth of its resident set while the "
        "connections sit idle.",
        "",
        "## Targets",
        "",
        targets_table(results),
        "",
        "## Fan-out throughput (burst)",
        "",
        "One server process; the systems alternate within each repetition. jupyter_push "
        "events are published over one WebSocket in batches of 100, as a kernel does; "
        "jupyter_server's bus and the Tornado baseline emit inside the server (`EventLogger.emit`"
        " with a registered schema / `write_message` per subscriber), yielding to the loop "
        "after each event. Time runs from the first publish to the last subscriber's last event; "
        "CPU is the server process's utime+stime over the same span.",
        "",
        throughput_table(results),
        "",
        "## Latency (paced)",
        "",
        "Latency runs from the event's `t` — the publisher's send time for jupyter_push (so "
        "it includes the publish hop), the emit time inside the server for the baselines — "
        "to its arrival. *At the socket* is the kernel's receive timestamp on the subscriber's "
        "socket (SO_TIMESTAMPNS): where the server's delivery ends, whatever the load "
        "generator is doing. *In the client* is when the load generator, a Python process "
        "reading hundreds of sockets on the other core, got round to reading it; it adds that "
        "process's own queueing (the Tornado baseline shows the same offset). The targets are "
        "judged at the socket; the client figure is given next to each.",
        "",
        latency_table(results),
        "",
        "## Memory per idle connection",
        "",
        memory_table(results),
        "",
    ]
    many = results.get("many_sse")
    if many:
        parts += [f"{many['subscribers']:,} concurrent SSE connections held by one process: "
                  f"a burst of {many['events']} events delivered to every one: "
                  f"**{many['complete'] and many['in_order']}** "
                  f"({many['rate']:,.0f} deliveries/s).", ""]
    if results.get("kernel"):
        parts += ["## From a kernel", "",
                  "`push()` in a separate Python process (as in a notebook; the publisher "
                  "thread batches over one WebSocket) to one SSE subscriber. `delivered/s` runs "
                  "from the first push to the subscriber's last event; latency runs from the "
                  "time taken at `push()` to the subscriber's socket (and to its read). The "
                  "kernel rounds have a server of their own and nothing is pinned.", "",
                  kernel_table(results), ""]
    if results.get("host_load") is not None:
        parts += [host_load.section(results["host_load"], "jupyter_push settings as above."),
                  ""]
    parts += [*_plots(results, out, final), ""]
    # notes kept by hand (edit them there: RESULTS.md is written anew by every run)
    for name in ("optimisations.md", "run_health.md", "browser_tiles.md"):
        notes = Path(__file__).resolve().parent / name
        if notes.exists():
            parts += [notes.read_text().strip(), ""]
    for extra in results.get("extras", []):
        parts += [f"## {extra['script']}", "", extra["markdown"], ""]
        notes = Path(__file__).resolve().parent / f"{Path(extra['script']).stem}.md"
        if notes.exists():  # notes kept by hand on that script's figures
            parts += [notes.read_text().strip(), ""]
    (out / "RESULTS.md").write_text("\n".join(parts))
