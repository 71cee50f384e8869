"""The benchmark checks itself: a small run of `benchmarks/run.py --smoke` against real
servers (jupyter_push, jupyter_server's event bus, raw Tornado; push() from a separate
process) must deliver every event to every subscriber, in order, and stop every process it
started. No timings are asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEMS = {"jupyter_push SSE", "jupyter_push WS", "jupyter_server events", "Tornado WS",
           "kernel push() → SSE"}


def _processes_with_env(marker: str) -> list[int]:
    """Processes whose environment carries `marker` (children inherit it)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if marker.encode() in f.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def smoke_run():
    marker = f"JUPYTER_PUSH_BENCH_SMOKE={uuid.uuid4().hex}"
    name, value = marker.split("=")
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke"],
        capture_output=True, text=True, timeout=240, cwd=ROOT, env={**os.environ, name: value},
    )
    return run, marker


def test_benchmark_delivers_every_event_in_order_for_every_system(smoke_run):
    run, _ = smoke_run
    assert run.returncode == 0, run.stderr[-3000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    rounds = summary["rounds"]
    assert {r["system"] for r in rounds} == SYSTEMS
    assert {r["kind"] for r in rounds} == {"burst", "paced", "kernel"}
    assert [r for r in rounds if not (r["complete"] and r["in_order"] and r["extra"] == 0)] == []
    assert summary["ok"] is True


def test_latency_is_taken_from_kernel_receive_timestamps_before_the_client_reads(smoke_run):
    run, _ = smoke_run
    assert run.returncode == 0, run.stderr[-3000:]
    timed = [r for r in json.loads(run.stdout.strip().splitlines()[-1])["rounds"]
             if r["kind"] in ("paced", "kernel") and "samples" in r]
    assert {r["system"] for r in timed} == SYSTEMS
    for r in timed:
        assert r["samples"] == r["events"] * r["subscribers"], r
        assert r["unstamped"] == 0, r  # every read carried SO_TIMESTAMPNS
        assert r["socket_first"], r  # arrival at the socket never after the client's read


def test_benchmark_stops_every_process_it_started(smoke_run):
    _, marker = smoke_run
    assert _processes_with_env(marker) == []
