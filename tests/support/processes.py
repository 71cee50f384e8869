"""Real server processes in tests: a free 127.0.0.1 port, waiting until one is ready, its log,
and stopping it (SIGTERM, then SIGKILL if it does not exit)."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.02):
    """`check()`'s first true result; connection errors count as not yet. Raises TimeoutError
    after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except (OSError, httpx.HTTPError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout} s")
        time.sleep(interval)


def stop(proc: subprocess.Popen[bytes] | None, grace: float = 15) -> None:
    """End `proc` with SIGTERM; SIGKILL if it is still running after `grace` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


class LoggedProcess:
    """A server subprocess whose output goes to `log_path`."""

    name = "the process"

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def launch(self, command: Sequence[str], env: Mapping[str, str], cwd: Path) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(list(command), env=dict(env), stdout=log, stderr=log,
                                         cwd=cwd)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def check_running(self) -> None:
        """Fail at once, with the log, when the process has exited (while waiting for it)."""
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited; log:\n{self.log()}")

    def stop(self) -> None:
        stop(self.proc)
        self.proc = None
