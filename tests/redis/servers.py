"""Real processes for the Redis tests and benchmark: redis-server and Jupyter servers, each on
a free 127.0.0.1 port, stopped by whoever started them."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.processes import LoggedProcess, free_port, wait_until

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
HAVE_REDIS = os.path.exists(REDIS_SERVER)
OTHERS = ("jupyterlab", "notebook", "notebook_shim", "jupyter_lsp", "jupyter_server_terminals")


class RedisServer:
    """Debian's redis-server without persistence: a kill loses everything, like a crash."""

    def __init__(self, workdir: Path, port: int | None = None):
        self.workdir = workdir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, 10, f"redis-server on port {self.port}")
        return self

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    stop = kill


class JupyterServer(LoggedProcess):
    """`python -m jupyter_server` with jupyter_push, in its own home, runtime and root dirs."""

    name = "jupyter server"

    def __init__(self, workdir: Path, config: dict, port: int | None = None,
                 host: str = "127.0.0.1", python: str = sys.executable, env: dict | None = None,
                 ready_status: int = 200):
        super().__init__(workdir / "server.log")
        self.python = python  # another environment's interpreter, to test an installation
        self.extra_env = env or {}
        self.ready_status = ready_status  # what push/status answers once the server is up
        self.host = host
        self.workdir = workdir
        self.config = config
        self.port = port or free_port()
        self.token = os.urandom(8).hex()

    @property
    def push_url(self) -> str:
        return f"http://{self.host}:{self.port}/push/"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def start(self, timeout: float = 60) -> JupyterServer:
        home = self.workdir / "home"
        root = self.workdir / "root"
        for d in (home, root):
            d.mkdir(parents=True, exist_ok=True)
        config = {
            "ServerApp": {
                "ip": self.host, "port": self.port, "port_retries": 0, "open_browser": False,
                "root_dir": str(root), "allow_unauthenticated_access": False,
                "allow_root": True,
                # only this project's extension: a faster start, nothing else in the logs
                "jpserver_extensions": {"jupyter_push": True, **dict.fromkeys(OTHERS, False)},
            },
            "IdentityProvider": {"token": self.token},
            **self.config,
        }
        (self.workdir / "jupyter_server_config.json").write_text(json.dumps(config))
        env = {
            **os.environ,
            "HOME": str(home),
            "JUPYTER_CONFIG_DIR": str(self.workdir),
            "JUPYTER_RUNTIME_DIR": str(self.workdir / "runtime"),
            "JUPYTER_DATA_DIR": str(self.workdir / "data"),
        }
        env.pop("JUPYTERHUB_USER", None)
        env.update(self.extra_env)
        self.launch([self.python, "-m", "jupyter_server"], env, root)
        wait_until(self._ready, timeout, f"jupyter server on port {self.port} ({self.log_path})")
        return self

    def _ready(self) -> bool:
        self.check_running()
        r = httpx.get(self.push_url + "status", headers=self.headers, timeout=2)
        return r.status_code == self.ready_status
