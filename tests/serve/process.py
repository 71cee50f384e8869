"""`jupyter push serve` as a real process in its own home, config, data and runtime dirs."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import httpx

from tests.support.processes import LoggedProcess, free_port, wait_until

TOKEN_IN_LOG = re.compile(r"http://127\.0\.0\.1:\d+/push/events\?token=([0-9a-f]+)")


def isolated_env(workdir: Path) -> dict[str, str]:
    """An environment whose Jupyter dirs are all under `workdir` (no inherited push server)."""
    env = {
        **os.environ,
        "HOME": str(workdir / "home"),
        "JUPYTER_CONFIG_DIR": str(workdir / "config"),
        "JUPYTER_DATA_DIR": str(workdir / "data"),
        "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
    }
    for name in ("JUPYTER_PUSH_URL", "JUPYTER_PUSH_TOKEN", "JUPYTERHUB_USER"):
        env.pop(name, None)
    return env


class PushServe(LoggedProcess):
    """`jupyter-push serve --port N [options]`; the Jupyter token is read from its log."""

    name = "push serve"

    def __init__(self, workdir: Path, *options: str):
        super().__init__(workdir / "serve.log")
        self.workdir = workdir
        self.options = options
        self.port = free_port()
        self.env = isolated_env(workdir)
        self.token = ""

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def push_url(self) -> str:
        return self.root + "push/"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    @property
    def cli(self) -> str:
        return str(Path(sys.executable).with_name("jupyter-push"))

    @property
    def runtime_file(self) -> Path:
        assert self.proc is not None
        return Path(self.env["JUPYTER_RUNTIME_DIR"]) / f"jupyter_push-{self.proc.pid}.json"

    def runtime_info(self) -> dict:
        return json.loads(self.runtime_file.read_text())

    def start(self) -> PushServe:
        self.workdir.mkdir(parents=True, exist_ok=True)
        command = [self.cli, "serve",
                   "--port", str(self.port), "--ip", "127.0.0.1", *self.options]
        self.launch(command, self.env, self.workdir)
        self.token = wait_until(self._printed_token, 60, f"push serve ({self.log_path})")
        wait_until(self._ready, 30, f"push serve on port {self.port}")
        return self

    def _printed_token(self) -> str | None:
        self.check_running()
        match = TOKEN_IN_LOG.search(self.log())
        return match.group(1) if match else None

    def _ready(self) -> bool:
        r = httpx.get(self.push_url + "status", headers=self.headers, timeout=2)
        return r.status_code == 200 and self.runtime_file.exists()
