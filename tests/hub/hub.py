"""A real JupyterHub for the tests: configurable-http-proxy from npm, DummyAuthenticator,
SimpleLocalProcessSpawner, single-user servers configured as README's JupyterHub section
tells an operator, and API tokens for its users."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import websockets

from tests.support.kernels import execute
from tests.support.processes import free_port, wait_until

HERE = Path(__file__).resolve().parent
CHP = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
NO_PROXY = ("configurable-http-proxy not installed: run `make test` (npm install in tests/hub), "
            "or `cd tests/hub && npm install`; it needs Node.js and npm")
BIN = Path(sys.executable).parent
SERVICE = "push-tests"


def proxy_missing() -> str | None:
    if not CHP.exists():
        return NO_PROXY
    if shutil.which("node") is None:
        return "node not found: install Node.js (configurable-http-proxy runs on it)"
    try:
        __import__("jupyterhub")
    except ImportError:
        return "jupyterhub not installed: pip install -e '.[test]'"
    return None


# What README's JupyterHub section shows an operator (the test adds its ports and paths).
OPERATOR_CONFIG = """
c.JupyterHub.allow_named_servers = True
c.JupyterHub.public_url = {public_url!r}          # share links point here
c.Spawner.args = [
    "--PushApp.broker_url={redis_url}",           # one Redis for the hub
    "--PushApp.heartbeat_interval=1",
]
"""


class Hub:
    def __init__(self, workdir: Path, redis_url: str):
        self.workdir = workdir
        self.redis_url = redis_url
        self.port = free_port()
        self.hub_port = free_port()
        self.api_port = free_port()
        self.service_token = os.urandom(16).hex()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "hub.log"
        self.tokens: dict[str, str] = {}
        self.servers: dict[str, str] = {}  # "alice", "alice/second" -> URL through the proxy

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def public_url(self) -> str:
        """The address share links carry: the same proxy under another name (and origin)."""
        return f"http://localhost:{self.port}/"

    def config(self) -> str:
        operator = OPERATOR_CONFIG.format(public_url=self.public_url, redis_url=self.redis_url)
        homes = str(self.workdir / "home" / "{username}")
        return textwrap.dedent(f"""
            c.JupyterHub.ip = "127.0.0.1"
            c.JupyterHub.port = {self.port}
            c.JupyterHub.hub_ip = "127.0.0.1"
            c.JupyterHub.hub_port = {self.hub_port}
            c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{self.api_port}"
            c.ConfigurableHTTPProxy.command = [{str(CHP)!r}]
            c.ConfigurableHTTPProxy.pid_file = {str(self.workdir / "proxy.pid")!r}
            c.JupyterHub.db_url = "sqlite:///{self.workdir / 'hub.sqlite'}"
            c.JupyterHub.cookie_secret_file = {str(self.workdir / "cookie_secret")!r}
            c.JupyterHub.cleanup_servers = True
            c.JupyterHub.authenticator_class = "dummy"
            c.Authenticator.allowed_users = {{"alice", "bob", "carol", "dave"}}
            c.Authenticator.admin_users = {{"admin"}}
            c.JupyterHub.spawner_class = "simple"
            c.SimpleLocalProcessSpawner.home_dir_template = {homes!r}
            c.Spawner.cmd = [{str(BIN / "jupyterhub-singleuser")!r}]
            c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL"]
            c.Spawner.start_timeout = 120
            c.Spawner.http_timeout = 120
            c.Spawner.default_url = "/lab"
            c.JupyterHub.services = [{{"name": "{SERVICE}", "api_token": "{self.service_token}"}}]
            c.JupyterHub.load_roles = [
                {{"name": "{SERVICE}", "services": ["{SERVICE}"],
                  "scopes": ["admin:users", "admin:servers", "tokens", "list:users"]}},
                # carol may use alice's servers (an RBAC grant)
                {{"name": "alice-helper", "users": ["carol"],
                  "scopes": ["access:servers!user=alice"]}},
            ]
        """) + textwrap.dedent(operator) + (
            # the panel test drives JupyterLab through window.jupyterapp
            "c.Spawner.args.append('--LabApp.expose_app_in_browser=True')\n"
        ) + (
            # the test machine runs as root; the single-user servers must be allowed to
            "c.Spawner.args.append('--allow-root')\n" if os.getuid() == 0 else "")

    def start(self) -> Hub:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "jupyterhub_config.py").write_text(self.config())
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        for name in ("JUPYTER_PUSH_URL", "JUPYTER_PUSH_TOKEN", "JUPYTERHUB_USER"):
            env.pop(name, None)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(BIN / "jupyterhub"), "-f", "jupyterhub_config.py"],
                cwd=self.workdir, env=env, stdout=log, stderr=log, start_new_session=True,
            )
        wait_until(self._ready, 90, f"JupyterHub ({self.log_path})", interval=0.2)
        return self

    def _ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"JupyterHub exited; log:\n{self.log()}")
        return httpx.get(self.url + "hub/api/", timeout=2).status_code == 200

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def api(self, method: str, path: str, **kw) -> httpx.Response:
        return httpx.request(method, self.url + "hub/api/" + path, timeout=30,
                             headers={"Authorization": f"token {self.service_token}"}, **kw)

    def token(self, user: str) -> str:
        """An API token of `user`, with everything the user may do (as from the token page)."""
        if user not in self.tokens:
            self.api("POST", "users", json={"usernames": [user]})  # exists already: 409
            r = self.api("POST", f"users/{user}/tokens", json={"note": "push tests"})
            assert r.status_code == 201, r.text
            self.tokens[user] = r.json()["token"]
        return self.tokens[user]

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"token {self.token(user)}"}

    def spawn(self, user: str, name: str = "") -> str:
        """Start the user's (named) server; returns its URL through the proxy."""
        path = f"users/{user}/servers/{name}" if name else f"users/{user}/server"
        r = self.api("POST", path)
        assert r.status_code in (201, 202), r.text
        wait_until(lambda: self._server(user, name).get("ready"), 120,
                   f"{user}'s server {name!r} ({self.log_path})", interval=0.2)
        url = self.url + f"user/{user}/" + (f"{name}/" if name else "")
        self.servers[f"{user}/{name}" if name else user] = url
        return url

    def _server(self, user: str, name: str) -> dict:
        servers = self.api("GET", f"users/{user}").json().get("servers", {})
        return servers.get(name, {})

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # stops the servers and the proxy
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.proc = None


async def run_in_kernel(hub: Hub, server: str, code: str, timeout: float = 60) -> None:
    """Start a kernel in `server` ("alice", "alice/second") through the proxy with its
    owner's token, run `code`, shut the kernel down."""
    user = server.split("/")[0]
    base = hub.servers[server]
    async with httpx.AsyncClient(base_url=base, headers=hub.headers(user),
                                 timeout=30) as http:
        r = await http.post("api/kernels", json={"name": "python3"})
        assert r.status_code == 201, r.text
        kernel = r.json()["id"]
        try:
            async with websockets.connect(
                    base.replace("http", "ws") + f"api/kernels/{kernel}/channels",
                    additional_headers=hub.headers(user)) as channels:
                await execute(channels, code, timeout=timeout)
        finally:
            await http.delete(f"api/kernels/{kernel}")

