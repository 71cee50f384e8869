"""The other benchmark scripts in benchmarks/ (in-kernel push() cost, Redis broker, widgets):
run each if present, with a time limit, and keep its markdown output for RESULTS.md."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

SCRIPTS = ("push_cost.py", "redis_broker.py", "widget_cost.py")
TIME_LIMIT = 180


def run_script(path: Path, cwd: Path) -> str:
    """The script's stdout (markdown), or a note saying why there is none. The script runs in
    its own process group, so whatever it started is stopped with it on a timeout."""
    proc = subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=cwd, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return f"_{path.name} did not finish within {TIME_LIMIT} s._"
    if proc.returncode != 0:
        return f"_{path.name} failed (exit {proc.returncode}):_\n\n```\n{err[-2000:]}\n```"
    return out.strip()


def run_all(here: Path) -> list[dict[str, str]]:
    found = []
    for name in SCRIPTS:
        path = here / name
        if path.exists():
            print(f"running {name}", file=sys.stderr, flush=True)
            found.append({"script": name, "markdown": run_script(path, here.parent)})
    return found
