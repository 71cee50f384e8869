"""`jupyter lab` (or Notebook 7) in a subprocess, for the browser tests."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from jupyter_server.auth import passwd

from tests.support.processes import free_port, stop


class LabServer:
    """`jupyter lab` in a subprocess with its own root, config, data and runtime dirs."""

    def __init__(
        self,
        root: Path,
        *,
        push_enabled: bool = True,
        app: str = "jupyterlab",
        password: str | None = None,
        base_url: str = "/",
        extra_args: tuple[str, ...] = (),
    ):
        self.root = root
        self.base_url = base_url
        self.app = app
        self.port = free_port()
        self.password = password
        # with a password there is no token: the page authenticates with its login cookie
        self.token = "" if password else secrets.token_hex(16)
        self.push_enabled = push_enabled
        self.extra_args = extra_args
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = root / "lab.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.base_url}"

    def start(self, notebooks: Path | None = None) -> None:
        home = self.root / "home"
        notebooks = notebooks or self.root / "notebooks"
        settings = home / "settings" / "@jupyterlab" / "apputils-extension"
        for d in (home, notebooks, settings):
            d.mkdir(parents=True, exist_ok=True)
        (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
        # kernels must find this server, not one the test process knows of
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_PUSH_")}
        env.update({
            "HOME": str(home),
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        })
        app_class = "LabApp" if self.app == "jupyterlab" else "JupyterNotebookApp"
        cmd = [
            sys.executable,
            "-m",
            self.app,
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.base_url={self.base_url}",
            f"--ServerApp.root_dir={notebooks}",
            f"--IdentityProvider.token={self.token}",
            *(
                [f"--PasswordIdentityProvider.hashed_password={passwd(self.password)}"]
                if self.password
                else []
            ),
            "--ServerApp.allow_unauthenticated_access=False",
            f"--{app_class}.expose_app_in_browser=True",
            f"--ServerApp.jpserver_extensions=jupyter_push={self.push_enabled}",
        ]
        if self.app == "jupyterlab":
            cmd += ["--LabApp.extension_manager=readonly", "--LabApp.news_url="]
        cmd += self.extra_args
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"jupyter lab exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"jupyter lab did not start: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        stop(self.proc, 30)
        self.proc = None

    @property
    def publish_token(self) -> str:
        """The Jupyter token, or without one the kernel token the extension advertises."""
        if self.token:
            return self.token
        assert self.proc is not None
        runtime = self.root / "home" / "runtime" / f"jupyter_push-{self.proc.pid}.json"
        return str(json.loads(runtime.read_text())["token"])

    def publish(self, *events: dict[str, Any]) -> list[str]:
        r = httpx.post(
            self.url + "push/events",
            json=list(events),
            headers={"Authorization": f"token {self.publish_token}"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return list(r.json()["ids"])
