"""Start and stop the servers under test as subprocesses on 127.0.0.1."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from . import cores

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running server: its process, address and token."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int
    token: str
    base: str = "/"
    tmp: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{self.base}{path}"

    def get_json(self, path: str) -> dict:
        req = urllib.request.Request(self.url(path), headers=self.auth_headers())
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())  # type: ignore[no-any-return,unused-ignore]

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"} if self.token else {}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


def _wait_ready(server: Server, path: str, timeout: float = 60.0) -> Server:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            log = Path(server.tmp or "", "server.log")
            tail = log.read_text()[-1500:] if server.tmp and log.exists() else ""
            server.stop()
            raise RuntimeError(f"{server.name} exited with {server.proc.returncode} while "
                               f"starting:\n{tail}")
        try:
            server.get_json(path)
            return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer {path} within {timeout:.0f} s")


def start_jupyter(name: str, extensions: dict[str, bool], ready_path: str,
                  extra_args: tuple[str, ...] = (), source: str | None = None,
                  pinned: bool = True) -> Server:
    """A `jupyter_server` subprocess with its own root, runtime and config directories;
    `source` is a checkout whose jupyter_push is imported instead of the installed one;
    `pinned`: on the servers' core (lib/cores.py)."""
    tmp = tempfile.mkdtemp(prefix=f"bench-{name}-")
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": os.path.join(tmp, "runtime"),
        "JUPYTER_CONFIG_DIR": os.path.join(tmp, "config"),
        "JUPYTER_DATA_DIR": os.path.join(tmp, "data"),
        "PYTHONPATH": os.pathsep.join(
            p for p in (source, str(HERE), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    env.pop("JUPYTER_PUSH_URL", None)
    env.pop("JUPYTER_PUSH_TOKEN", None)
    all_extensions = {"jupyter_server_terminals": False, "jupyterlab": False,
                      "jupyter_lsp": False, "notebook_shim": False, "jupyter_push": False,
                      **extensions}
    os.makedirs(env["JUPYTER_CONFIG_DIR"])
    with open(os.path.join(env["JUPYTER_CONFIG_DIR"], "jupyter_server_config.json"), "w") as f:
        json.dump({"ServerApp": {"jpserver_extensions": all_extensions}}, f)
    cmd = [
        sys.executable, "-m", "jupyter_server",
        f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
        f"--ServerApp.root_dir={tmp}", "--ServerApp.port_retries=0",
        "--ServerApp.log_level=WARN",
        *extra_args,
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    with open(os.path.join(tmp, "server.log"), "wb") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=log,
                                preexec_fn=cores.pin_server if pinned else cores.unpin)
    return _wait_ready(Server(name, proc, port, token, tmp=tmp), ready_path)


# jupyter_push's settings in every benchmark: its defaults, except that one credential holds
# every benchmark connection, so the per-credential and total connection limits are lifted.
# RESULTS.md prints these next to the figures they produced.
PUSH_SETTINGS = ("--PushApp.max_connections_per_credential=0", "--PushApp.max_connections=0")


def start_push_server(source: str | None = None, extra_args: tuple[str, ...] = (),
                      pinned: bool = True) -> Server:
    return start_jupyter("jupyter_push", {"jupyter_push": True}, "push/status", source=source,
                         pinned=pinned, extra_args=(*PUSH_SETTINGS, *extra_args))


def start_event_bus_server() -> Server:
    return start_jupyter("jupyter_server", {"jp_emitter": True}, "api/status")


def start_tornado() -> Server:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(HERE / "tornado_baseline.py"), str(port)],
                            stdout=subprocess.DEVNULL, preexec_fn=cores.pin_server)
    return _wait_ready(Server("tornado", proc, port, ""), "status")
