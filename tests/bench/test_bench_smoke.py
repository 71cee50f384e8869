"""The benchmark checks itself: a small run of `benchmarks/run.py --smoke` against real
servers (jupyter_push, jupyter_server's event bus, raw Tornado; push() from a separate
process; the host under push load with real kernels) must deliver every event to every
subscriber, in order, write its whole report (as `make bench` does, here into a temporary
directory), and stop every process it started. No timings are asserted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke"]
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
def smoke_run(tmp_path_factory):
    marker = f"JUPYTER_PUSH_BENCH_SMOKE={uuid.uuid4().hex}"
    name, value = marker.split("=")
    out = tmp_path_factory.mktemp("bench")
    run = subprocess.run(
        [*RUN, "--out", str(out)],
        capture_output=True, text=True, timeout=240, cwd=ROOT, env={**os.environ, name: value},
    )
    return run, marker, out


@pytest.fixture(scope="module")
def report_dir(smoke_run):
    run, _, out = smoke_run
    assert run.returncode == 0, run.stderr[-3000:]
    return out


def test_benchmark_delivers_every_event_in_order_for_every_system(smoke_run):
    run, _, _ = smoke_run
    assert run.returncode == 0, run.stderr[-3000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    rounds = summary["rounds"]
    assert {r["system"] for r in rounds} == SYSTEMS
    assert {r["kind"] for r in rounds} == {"burst", "paced", "kernel"}
    assert [r for r in rounds if not (r["complete"] and r["in_order"] and r["extra"] == 0)] == []
    assert summary["ok"] is True


def test_latency_is_taken_from_kernel_receive_timestamps_before_the_client_reads(smoke_run):
    run, _, _ = smoke_run
    assert run.returncode == 0, run.stderr[-3000:]
    timed = [r for r in json.loads(run.stdout.strip().splitlines()[-1])["rounds"]
             if r["kind"] in ("paced", "kernel") and "samples" in r]
    assert {r["system"] for r in timed} == SYSTEMS
    for r in timed:
        assert r["samples"] == r["events"] * r["subscribers"], r
        assert r["unstamped"] == 0, r  # every read carried SO_TIMESTAMPNS
        assert r["socket_first"], r  # arrival at the socket never after the client's read


def test_benchmark_stops_every_process_it_started(smoke_run):
    _, marker, _ = smoke_run
    assert _processes_with_env(marker) == []


def test_make_bench_quick_profile_writes_a_report(report_dir):
    text = (report_dir / "RESULTS.md").read_text()
    assert "Partial report" not in text
    for heading in ("## Targets", "## Fan-out throughput", "## Latency (paced)",
                    "## From a kernel", "## The host under push load"):
        assert heading in text, heading
    for plot in ("throughput.png", "latency.png"):
        assert f"![{plot}]({plot})" in text
        assert (report_dir / plot).read_bytes().startswith(b"\x89PNG")
    raw = json.loads((report_dir / "results.json").read_text())
    assert {r["system"] for r in raw["bursts"]} >= {"jupyter_push SSE", "jupyter_push WS"}


def test_benchmark_runs_jupyter_push_at_its_defaults_and_says_so(report_dir):
    text = (report_dir / "RESULTS.md").read_text()
    raw = json.loads((report_dir / "results.json").read_text())
    assert raw["settings"] == ["--PushApp.max_connections_per_credential=0",
                               "--PushApp.max_connections=0"]
    assert "its defaults, except `--PushApp.max_connections_per_credential=0` " \
           "`--PushApp.max_connections=0`" in text
    assert "queue_max" not in text


def test_host_load_report_shows_contents_and_execute_idle_and_under_push(report_dir):
    rows = json.loads((report_dir / "results.json").read_text())["host_load"]
    assert rows[0]["rate"] is None  # idle first
    pushing = [r for r in rows if r["rate"] is not None]
    assert pushing and all(r["contents_ms"] and r["execute_ms"] for r in rows)
    for r in pushing:
        # every subscriber got every event, or was told (a gap notice or a cut-off)
        for count, gaps, ended in zip(r["received"], r["gaps"], r["ended"], strict=True):
            assert count == r["events"] or gaps or ended, r
        assert r["delivered_per_second"] > 0
    text = (report_dir / "RESULTS.md").read_text()
    assert "| idle |" in text and "as fast as possible" in text


def test_a_benchmark_stopped_midway_keeps_the_rounds_it_measured(tmp_path):
    marker = f"JUPYTER_PUSH_BENCH_STOPPED={uuid.uuid4().hex}"
    name, value = marker.split("=")
    proc = subprocess.Popen([*RUN, "--out", str(tmp_path)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, name: value})
    results = tmp_path / "results.json"
    try:
        deadline = time.monotonic() + 120
        while not results.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert results.exists(), "no results.json while the run went on"
        proc.send_signal(signal.SIGINT)  # as Ctrl-C: the run stops its servers and exits
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = (tmp_path / "RESULTS.md").read_text()
    assert "Partial report" in text
    assert "## Fan-out throughput" in text
    assert json.loads(results.read_text())["bursts"], "the measured rounds were kept"
    assert _processes_with_env(marker) == []  # its servers and clients were stopped too
